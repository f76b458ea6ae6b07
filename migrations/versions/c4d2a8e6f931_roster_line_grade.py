"""roster lines get a grade (等级); the seed kinds that show one declare it

Revision ID: c4d2a8e6f931
Revises: c81f4d2e6a57
Create Date: 2026-11-30 04:00:00

roster_lines.grade holds a short public category (保障类别 一类, 供养方式 集中供养,
补贴类别 护理补贴); never a disability or health detail (DESIGN.md). The stored catalogue rows of 城乡低保, 特困人员救助供养 and
残疾人两项补贴 gain the column ["grade", label] before their date and amount
columns, as catalogue.SEED_KINDS now has it; a kind a township already gave a
grade column keeps its own label. Existing lines have no grade (NULL), so
every sealed version hashes as before (services/chain.py).
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d2a8e6f931'
down_revision = "c81f4d2e6a57"
branch_labels = None
depends_on = None

#: The seed kinds that show a grade, with the label (catalogue.SEED_KINDS).
GRADE_LABELS = {"dibao": "保障类别", "tekun": "供养方式", "canbu": "补贴类别"}

_kinds = sa.table('catalogue_kinds', sa.column('id', sa.Integer), sa.column('code', sa.String),
                  sa.column('columns', sa.JSON))


def with_grade(columns: list, label: str) -> list:
    """``columns`` with ["grade", label] before the first date or amount column (unchanged if it has one)."""
    columns = [list(c) for c in columns or ()]
    if any(key == "grade" for key, _ in columns):
        return columns
    at = next((i for i, (key, _) in enumerate(columns) if key in ("paid_on", "amount")), len(columns))
    return columns[:at] + [["grade", label]] + columns[at:]


def upgrade():
    # Plain ALTER TABLE (SQLite >= 3.35 adds and drops such a column in place; a batch
    # copy of roster_lines would trip the foreign keys of roster_keys that point at it).
    op.add_column('roster_lines', sa.Column('grade', sa.String(length=10), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_kinds.c.id, _kinds.c.code, _kinds.c.columns)
                        .where(_kinds.c.code.in_(list(GRADE_LABELS)))).all()
    for kind_id, code, columns in rows:
        new = with_grade(columns, GRADE_LABELS[code])
        if new != columns:
            conn.execute(_kinds.update().where(_kinds.c.id == kind_id).values(columns=new))


def downgrade():
    conn = op.get_bind()
    for kind_id, columns in conn.execute(sa.select(_kinds.c.id, _kinds.c.columns)).all():
        kept = [list(c) for c in columns or () if c[0] != "grade"]
        if kept != [list(c) for c in columns or ()]:
            conn.execute(_kinds.update().where(_kinds.c.id == kind_id).values(columns=kept))
    op.drop_column('roster_lines', 'grade')
