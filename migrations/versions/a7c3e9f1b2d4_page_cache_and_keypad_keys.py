"""page cache revision per village; keypad keys for a prefix range search

Revision ID: a7c3e9f1b2d4
Revises: 9d2e5b7a41c6
Create Date: 2026-11-30 01:40:00

villages.public_rev counts changes of what the public sees of a village
(disclosure/pagecache.py): part of every cached page's key and ETag.
roster_keys holds one row per keypad alternative of a roster line, so the
kiosk's 拼音首字母 search is a range scan of (notice_id, key) instead of a
LIKE '%…' over the roster; filled here from the lines already published.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = 'a7c3e9f1b2d4'
down_revision = "9d2e5b7a41c6"
branch_labels = None
depends_on = None

_lines = sa.table('roster_lines', sa.column('id', sa.Integer), sa.column('notice_id', sa.Integer),
                  sa.column('initials', sa.String))


def upgrade():
    # Plain ALTER TABLE (SQLite >= 3.35 adds and drops such a column in place; a batch
    # copy of villages would trip the foreign keys that point at it).
    op.add_column('villages', sa.Column('public_rev', sa.Integer(), server_default='0', nullable=False))
    keys = op.create_table(
        'roster_keys',
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=16).with_variant(postgresql.VARCHAR(length=16, collation='C'), 'postgresql'),
                  nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['line_id'], ['roster_lines.id'], name=op.f('fk_roster_keys_line_id_roster_lines'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_roster_keys_notice_id_notices'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('notice_id', 'key', 'line_id', name=op.f('pk_roster_keys')),
    )
    with op.batch_alter_table('roster_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_keys_line_id'), ['line_id'], unique=False)
    conn = op.get_bind()
    rows = []
    for line_id, notice_id, initials in conn.execute(sa.select(_lines.c.id, _lines.c.notice_id, _lines.c.initials)):
        rows += [{'notice_id': notice_id, 'key': key[:16], 'line_id': line_id}
                 for key in dict.fromkeys((initials or '').split())]
        if len(rows) >= 10000:
            conn.execute(keys.insert(), rows)
            rows = []
    if rows:
        conn.execute(keys.insert(), rows)


def downgrade():
    with op.batch_alter_table('roster_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_keys_line_id'))
    op.drop_table('roster_keys')
    op.drop_column('villages', 'public_rev')
