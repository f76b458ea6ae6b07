"""keypad initials from the public name: the masked character is a wildcard

Revision ID: c3a9f27d5e10
Revises: 883c7baf9cfb
Create Date: 2026-11-29 22:10:00

Roster lines kept the pinyin initials of the full name, so the kiosk keypad
could tell which character a mask hid (only SXG found 苏*桂). Recompute them
from the public name (苏*桂 → S?G). Data only; no schema change.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3a9f27d5e10'
down_revision = '883c7baf9cfb'
branch_labels = None
depends_on = None

_lines = sa.table('roster_lines', sa.column('id', sa.Integer), sa.column('name', sa.String),
                  sa.column('public_name', sa.String), sa.column('initials', sa.String))


def _recompute(source) -> None:
    from disclosure.pinyin import initials

    conn = op.get_bind()
    rows = conn.execute(sa.select(_lines.c.id, source)).all()
    for line_id, name in rows:
        conn.execute(_lines.update().where(_lines.c.id == line_id).values(initials=initials(name or '')[:64]))


def upgrade():
    _recompute(_lines.c.public_name)


def downgrade():
    _recompute(_lines.c.name)
