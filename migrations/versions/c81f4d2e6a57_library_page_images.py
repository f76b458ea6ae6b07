"""library documents: the SHA-256 naming their PDF's page pictures

Revision ID: c81f4d2e6a57
Revises: c6f2a8d1e4b7
Create Date: 2026-11-30 04:00:00

documents.pdf_sha256 is set when a library PDF's pages are rendered to
pictures in the file store (disclosure/attachments.py), as a notice
attachment's are. Documents entered before stay NULL until
`flask --app wsgi library render-pages` renders them (scripts/setup.sh runs
it after the upgrade); until then the kiosk shows the QR code as before.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c81f4d2e6a57'
down_revision = "c6f2a8d1e4b7"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('documents', sa.Column('pdf_sha256', sa.String(length=64), nullable=True))


def downgrade():
    # Plain ALTER TABLE (SQLite >= 3.35 drops such a column in place; a batch copy
    # of documents would trip the foreign key that points at it).
    op.drop_column('documents', 'pdf_sha256')
