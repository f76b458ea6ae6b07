"""Template filters: the one place amounts and dates are formatted for people."""

from __future__ import annotations

from flask import Flask

import datetime as dt

from . import money, periods
from .clock import china_time
from .catalogue import CATEGORIES, LEDGER_SUBJECTS, ROSTER_KINDS, SUPERVISION_HOTLINE, SUPERVISION_HOTLINE_NAME


def register(app: Flask) -> None:
    app.jinja_env.globals.update(hotline=SUPERVISION_HOTLINE, hotline_name=SUPERVISION_HOTLINE_NAME)
    app.add_template_filter(money.format_yuan, "yuan")
    app.add_template_filter(money.format_wan, "wan")
    app.add_template_filter(date_cn, "date_cn")
    app.add_template_filter(lambda code: CATEGORIES[code].name if code in CATEGORIES else code, "category_name")
    app.add_template_filter(lambda code: LEDGER_SUBJECTS[code].name if code in LEDGER_SUBJECTS else code, "subject_name")
    app.add_template_filter(lambda code: ROSTER_KINDS[code].name if code in ROSTER_KINDS else (code or ""), "kind_name")
    # The label a kind gives one of its columns (保障类别 for "grade"), or None when it does not show it.
    app.add_template_filter(lambda code, key: ROSTER_KINDS[code].label(key) if code in ROSTER_KINDS else None,
                            "kind_label")
    app.add_template_filter(datetime_cn, "datetime_cn")
    app.add_template_filter(lambda value: china_time(value).day, "china_day")
    app.add_template_filter(lambda code: CATEGORIES[code].lines if code in CATEGORIES else (), "line_kinds")
    from .public.decisions import yishi_lines

    app.add_template_filter(yishi_lines, "yishi_lines")


def date_cn(value: dt.date | dt.datetime | None) -> str:
    """2026年11月29日; a stored time (UTC) gives its day in China."""
    if isinstance(value, dt.datetime):
        value = china_time(value).date()
    return periods.format_date(value)


def datetime_cn(value: dt.datetime | None) -> str:
    """2026年11月30日 04:38, in China time (stored times are UTC)."""
    if value is None:
        return ""
    value = china_time(value)
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
