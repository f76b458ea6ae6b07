"""document library (文件库) and the bigram keyword index

Revision ID: a7d3c5e9f104
Revises: d5c1e8a4b7f2
Create Date: 2026-11-30 01:00:00

The index starts empty: `flask search-reindex` fills it from the notices
already published (publishing keeps it up to date from then on).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7d3c5e9f104'
down_revision = "d5c1e8a4b7f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('doc_no', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('effective_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('status', sa.Enum('in_force', 'repealed', 'revised', name='documentstatus', native_enum=False,
                                    length=32), nullable=False),
        sa.Column('end_reason', sa.Text(), nullable=False),
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('pdf_pages', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('pdf_pages IS NULL OR pdf_pages > 0', name=op.f('ck_documents_pdf_pages_positive')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users')),
        sa.ForeignKeyConstraint(['replaced_by_id'], ['documents.id'],
                                name=op.f('fk_documents_replaced_by_id_documents')),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_documents_township_id_townships')),
        sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_documents_village_id_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    )
    op.create_index('ix_documents_township_village', 'documents', ['township_id', 'village_id'], unique=False)
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('dated_on', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_search_entries_document_id_documents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_search_entries_notice_id_notices'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'],
                                name=op.f('fk_search_entries_township_id_townships')),
        sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_search_entries_village_id_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    )
    op.create_index('ix_search_entries_kind_ref', 'search_entries', ['kind', 'ref_id'], unique=False)
    op.create_index('ix_search_entries_village_category_year', 'search_entries', ['village_id', 'category', 'year'],
                    unique=False)
    op.create_index(op.f('ix_search_entries_document_id'), 'search_entries', ['document_id'], unique=False)
    op.create_index(op.f('ix_search_entries_notice_id'), 'search_entries', ['notice_id'], unique=False)
    op.create_table(
        'search_grams',
        sa.Column('gram', sa.String(length=2), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['search_entries.id'],
                                name=op.f('fk_search_grams_entry_id_search_entries'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('gram', 'entry_id', name=op.f('pk_search_grams')),
    )
    op.create_index('ix_search_grams_entry', 'search_grams', ['entry_id'], unique=False)


def downgrade():
    op.drop_index('ix_search_grams_entry', table_name='search_grams')
    op.drop_table('search_grams')
    op.drop_index(op.f('ix_search_entries_notice_id'), table_name='search_entries')
    op.drop_index(op.f('ix_search_entries_document_id'), table_name='search_entries')
    op.drop_index('ix_search_entries_village_category_year', table_name='search_entries')
    op.drop_index('ix_search_entries_kind_ref', table_name='search_entries')
    op.drop_table('search_entries')
    op.drop_index('ix_documents_township_village', table_name='documents')
    op.drop_table('documents')
