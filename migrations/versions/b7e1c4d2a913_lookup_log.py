"""lookup log: villagers' self-lookups (我领了什么), by ID fingerprint only

Revision ID: b7e1c4d2a913
Revises: c3a9f27d5e10
Create Date: 2026-11-29 21:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e1c4d2a913'
down_revision = 'c3a9f27d5e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lookup_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=True),
    sa.Column('township_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_lookup_log_township_id_townships')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_lookup_log_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lookup_log'))
    )
    with op.batch_alter_table('lookup_log', schema=None) as batch_op:
        batch_op.create_index('ix_lookup_log_id_hash_at', ['id_hash', 'at'], unique=False)
        batch_op.create_index('ix_lookup_log_township_at', ['township_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('lookup_log', schema=None) as batch_op:
        batch_op.drop_index('ix_lookup_log_township_at')
        batch_op.drop_index('ix_lookup_log_id_hash_at')
    op.drop_table('lookup_log')
