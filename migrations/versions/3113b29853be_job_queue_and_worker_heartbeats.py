"""job queue and worker heartbeats: batch prints done by `flask jobs worker`

Batch prints that were still queued or running in a web worker's thread when
the code was updated have no queue entry and would wait for ever: they are
marked failed, to be started again.

Revision ID: 3113b29853be
Revises: e4f1a7c2d9b3
Create Date: 2026-11-30 00:48:45.006462

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3113b29853be'
down_revision = 'e4f1a7c2d9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.DateTime(), nullable=False),
    sa.Column('worker', sa.String(length=80), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_queue'))
    )
    with op.batch_alter_table('job_queue', schema=None) as batch_op:
        batch_op.create_index('ix_job_queue_status_run_after', ['status', 'run_after'], unique=False)

    op.create_table('job_workers',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_workers'))
    )
    op.execute(sa.text("UPDATE print_jobs SET status = 'failed', error = '系统升级时中断，请重新开始' "
                       "WHERE status IN ('queued', 'running')"))


def downgrade():
    op.drop_table('job_workers')
    with op.batch_alter_table('job_queue', schema=None) as batch_op:
        batch_op.drop_index('ix_job_queue_status_run_after')

    op.drop_table('job_queue')
