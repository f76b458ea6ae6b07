"""villagers' voice: requests from kiosk/phone with typed replies, 村务信箱 questions

Revision ID: e4f1a7c2d9b3
Revises: 5e1c0a9d7b42
Create Date: 2026-11-29 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4f1a7c2d9b3'
down_revision = '5e1c0a9d7b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('info_requests', schema=None) as batch_op:
        batch_op.alter_column('created_by_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='staff', nullable=False))
        batch_op.add_column(sa.Column('reply_type', sa.String(length=16), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reply_ground', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('refer_to', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('correction_asked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('attachment_pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('attachment_pages', sa.Integer(), nullable=True))
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.alter_column('notice_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('is_public', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    # What only this version can hold goes with it: mailbox questions (no
    # notice) and requests villagers filed themselves (no staff author).
    op.execute("DELETE FROM questions WHERE notice_id IS NULL")
    op.execute("DELETE FROM info_requests WHERE created_by_id IS NULL")
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('is_public')
        batch_op.alter_column('notice_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('info_requests', schema=None) as batch_op:
        batch_op.drop_column('attachment_pages')
        batch_op.drop_column('attachment_pdf')
        batch_op.drop_column('correction_asked_on')
        batch_op.drop_column('refer_to')
        batch_op.drop_column('reply_ground')
        batch_op.drop_column('reply_type')
        batch_op.drop_column('channel')
        batch_op.alter_column('created_by_id', existing_type=sa.Integer(), nullable=False)
