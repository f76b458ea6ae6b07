"""yearly frequency for the roster kinds paid once a year; attachments keep the uploaded file's name

Revision ID: c6f2a8d1e4b7
Revises: a7c3e9f1b2d4
Create Date: 2026-11-30 04:00:00

The catalogue gains the frequency "yearly" (每年). The seeded kinds whose
period is a year (耕地地力保护补贴, 种粮农民补贴, 生态公益林补偿, 村干部报酬,
债权债务) were "per_batch", which made a village's yearly roster look stale
half of every year; they become "yearly" where nobody has changed them.

notice_attachments.filename: the file's own name as uploaded (scrubbed), so the
supervisor's review print lists each attachment by the name of the file the
clerk holds. Attachments uploaded before keep an empty name (the title shows).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c6f2a8d1e4b7'
down_revision = "a7c3e9f1b2d4"
branch_labels = None
depends_on = None

YEARLY = ("gengdi", "zhongliang", "shengtai", "cunganbu", "zhaiwu")
_kinds = sa.table('catalogue_kinds', sa.column('code', sa.String), sa.column('frequency', sa.String))


def upgrade():
    op.execute(_kinds.update().where(_kinds.c.code.in_(YEARLY), _kinds.c.frequency == "per_batch")
               .values(frequency="yearly"))
    # Plain ALTER TABLE (SQLite >= 3.35 adds and drops such a column in place).
    op.add_column('notice_attachments', sa.Column('filename', sa.String(length=200), server_default='',
                                                  nullable=False))


def downgrade():
    op.drop_column('notice_attachments', 'filename')
    # Every "yearly" kind (also one a township set so) goes back to per payment batch.
    op.execute(_kinds.update().where(_kinds.c.frequency == "yearly").values(frequency="per_batch"))
