"""catalogue revision token: the catalogue is kept per process and read again when it changes

Revision ID: f2b8d6a1c3e7
Revises: c4d2a8e6f931
Create Date: 2026-11-30 04:00:00

catalogue_revision holds one row whose token changes with every flush that
writes a category or a kind (disclosure/models/catalogue.py). Each request
checks it (riding along with the query of the village or notice it shows),
so the catalogue itself is read only when it has changed. A later migration
that changes catalogue rows with SQL must set a new token as well.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'f2b8d6a1c3e7'
down_revision = "c4d2a8e6f931"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'catalogue_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_revision')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': secrets.token_hex(8)}])


def downgrade():
    op.drop_table('catalogue_revision')
