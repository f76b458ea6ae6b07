"""stored files: receipt photos and PDFs in the database, seen by every node

Revision ID: 9d2e5b7a41c6
Revises: a1c4e7b2f914
Create Date: 2026-11-30 01:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d2e5b7a41c6'
down_revision = 'a1c4e7b2f914'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_files'))
    )


def downgrade():
    op.drop_table('stored_files')
