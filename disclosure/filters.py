"""Template filters: the one place amounts and dates are formatted for people."""

from __future__ import annotations

from flask import Flask

from . import money, periods
from .catalogue import CATEGORIES, LEDGER_SUBJECTS, ROSTER_KINDS


def register(app: Flask) -> None:
    app.add_template_filter(money.format_yuan, "yuan")
    app.add_template_filter(money.format_wan, "wan")
    app.add_template_filter(periods.format_date, "date_cn")
    app.add_template_filter(lambda code: CATEGORIES[code].name if code in CATEGORIES else code, "category_name")
    app.add_template_filter(lambda code: LEDGER_SUBJECTS[code].name if code in LEDGER_SUBJECTS else code, "subject_name")
    app.add_template_filter(lambda code: ROSTER_KINDS[code].name if code in ROSTER_KINDS else (code or ""), "kind_name")
    app.add_template_filter(
        lambda value: "" if value is None else f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}", "datetime_cn"
    )
