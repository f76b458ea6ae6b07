"""catalogue as data: categories and roster kinds in the database, seeded

Revision ID: a1c4e7b2f914
Revises: a7d3c5e9f104
Create Date: 2026-11-30 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c4e7b2f914'
down_revision = "a7d3c5e9f104"
branch_labels = None
depends_on = None


def upgrade():
    # The seed is the catalogue of today plus the kinds issue 14 names (catalogue.SEED_*).
    from disclosure.models.catalogue import seed_rows

    categories = op.create_table(
        'catalogue_categories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('short', sa.String(length=16), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('min_notice_days', sa.Integer(), nullable=False),
        sa.Column('icon', sa.String(length=32), nullable=False),
        sa.Column('lines', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_categories')),
        sa.UniqueConstraint('code', name=op.f('uq_catalogue_categories_code')),
    )
    kinds = op.create_table(
        'catalogue_kinds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('title_words', sa.JSON(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('who', sa.Text(), nullable=False),
        sa.Column('how_much', sa.Text(), nullable=False),
        sa.Column('how_to_apply', sa.Text(), nullable=False),
        sa.Column('columns', sa.JSON(), nullable=False),
        sa.Column('head_word', sa.String(length=16), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('min_notice_days', sa.Integer(), nullable=False),
        sa.Column('standards', sa.JSON(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_kinds')),
        sa.UniqueConstraint('code', name=op.f('uq_catalogue_kinds_code')),
    )
    category_rows, kind_rows = seed_rows()
    op.bulk_insert(categories, category_rows)
    op.bulk_insert(kinds, kind_rows)


def downgrade():
    op.drop_table('catalogue_kinds')
    op.drop_table('catalogue_categories')
