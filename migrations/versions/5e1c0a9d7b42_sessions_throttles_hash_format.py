"""session version, login throttles by address, chain hash format

Revision ID: 5e1c0a9d7b42
Revises: b7e1c4d2a913
Create Date: 2026-11-29 22:30:00

- users.session_version: logout and a password change end every session;
- users.failed_logins / locked_until dropped: an anonymous flood locks the
  address (login_throttles), never a staff account;
- notices.hash_format: existing versions keep format 1 (they verify as they
  were sealed); new seals use format 2, which also covers receipt photos.
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1c0a9d7b42'
down_revision = "b7e1c4d2a913"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttles',
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_failure_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)

    # Plain ALTER TABLE (SQLite >= 3.35 drops columns itself): a batch copy of
    # users or notices would trip the foreign keys that point at them.
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    op.drop_column('users', 'failed_logins')
    op.drop_column('users', 'locked_until')
    op.add_column('notices', sa.Column('hash_format', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    # Format-2 versions cannot be checked once hash_format is gone: downgrade only a test database.
    op.drop_column('notices', 'hash_format')
    op.add_column('users', sa.Column('locked_until', sa.DateTime(), nullable=True))
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
    op.drop_column('users', 'session_version')

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))

    op.drop_table('login_throttles')
