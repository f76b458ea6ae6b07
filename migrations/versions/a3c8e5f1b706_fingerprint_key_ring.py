"""fingerprint key ring versions, sealed fingerprints, roster commitment key

Revision ID: a3c8e5f1b706
Revises: 3113b29853be
Create Date: 2026-11-30 01:10:00

- roster_lines.id_key, cadre_relatives.id_key, lookup_log.id_key: the key ring
  version (disclosure/keys.py) of each stored ID fingerprint. Existing
  fingerprints were made with the instance's SECRET_KEY, which the ring
  adopts as version 1 on the first start (config._fingerprint_keys): they
  are version 1.
- roster_lines.sealed_id_hash / sealed_id_key: the fingerprint a published
  version was sealed with, kept when ``flask keys rotate`` re-keys id_hash
  (empty until then).
- notices.commit_key: the key version of a format-3 version's roster
  commitments. Existing versions keep their hash format (1 or 2).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c8e5f1b706'
down_revision = "3113b29853be"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE: a batch copy of notices would trip the foreign keys that point at it.
    op.add_column('notices', sa.Column('commit_key', sa.Integer(), nullable=True))
    op.add_column('roster_lines', sa.Column('id_key', sa.Integer(), nullable=True))
    op.add_column('roster_lines', sa.Column('sealed_id_hash', sa.String(length=64), nullable=True))
    op.add_column('roster_lines', sa.Column('sealed_id_key', sa.Integer(), nullable=True))
    op.add_column('cadre_relatives', sa.Column('id_key', sa.Integer(), nullable=True))
    op.add_column('lookup_log', sa.Column('id_key', sa.Integer(), nullable=True))
    for table in ('roster_lines', 'cadre_relatives', 'lookup_log'):
        op.execute(sa.text(f"UPDATE {table} SET id_key = 1 WHERE id_hash IS NOT NULL"))


def downgrade():
    # Fingerprints re-keyed by a rotation cannot be put back: downgrade only before one.
    op.drop_column('lookup_log', 'id_key')
    op.drop_column('cadre_relatives', 'id_key')
    op.drop_column('roster_lines', 'sealed_id_key')
    op.drop_column('roster_lines', 'sealed_id_hash')
    op.drop_column('roster_lines', 'id_key')
    op.drop_column('notices', 'commit_key')
