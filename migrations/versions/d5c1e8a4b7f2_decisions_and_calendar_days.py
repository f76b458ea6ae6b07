"""structured decisions (四议两公开, 一事一议) and township-entered calendar days

Revision ID: d5c1e8a4b7f2
Revises: a7c3e9d1f254
Create Date: 2026-11-30 00:45:43.811696

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5c1e8a4b7f2'
down_revision = "a7c3e9d1f254"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_calendar_days_entered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))
    )
    op.create_table('decision_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('decision_key', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('proposal', sa.Text(), nullable=False),
    sa.Column('comment_closes_on', sa.Date(), nullable=True),
    sa.Column('adopted', sa.Text(), nullable=False),
    sa.Column('not_adopted', sa.Text(), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('is_yishi', sa.Boolean(), nullable=False),
    sa.Column('levy_per_person_fen', sa.Integer(), nullable=True),
    sa.Column('labour_days_per_worker', sa.Integer(), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('raised_fen', sa.Integer(), nullable=True),
    sa.Column('spent_fen', sa.Integer(), nullable=True),
    sa.CheckConstraint('levy_per_person_fen >= 0', name=op.f('ck_decision_details_levy_not_negative')),
    sa.CheckConstraint('raised_fen >= 0', name=op.f('ck_decision_details_raised_not_negative')),
    sa.CheckConstraint('spent_fen >= 0', name=op.f('ck_decision_details_spent_not_negative')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_decision_details_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_details')),
    sa.UniqueConstraint('notice_id', name=op.f('uq_decision_details_notice_id'))
    )
    with op.batch_alter_table('decision_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_details_decision_key'), ['decision_key'], unique=False)

    op.create_table('decision_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=True),
    sa.Column('attendance', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.CheckConstraint('attendance >= 0 AND votes_for >= 0 AND votes_against >= 0 AND votes_abstain >= 0', name=op.f('ck_decision_meetings_counts_not_negative')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision_details.id'], name=op.f('fk_decision_meetings_decision_id_decision_details'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_meetings')),
    sa.UniqueConstraint('decision_id', 'step', name='uq_decision_meetings_step')
    )
    with op.batch_alter_table('decision_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_meetings_decision_id'), ['decision_id'], unique=False)



def downgrade():
    with op.batch_alter_table('decision_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_meetings_decision_id'))

    op.drop_table('decision_meetings')
    with op.batch_alter_table('decision_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_details_decision_key'))

    op.drop_table('decision_details')
    op.drop_table('calendar_days')
