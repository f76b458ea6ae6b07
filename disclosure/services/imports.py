"""Import a clerk's file: parse (pure), then, only if nothing is wrong, write
every row into a draft notice in the caller's transaction. The admin upload
and ``flask import`` both come through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from .. import periods
from ..catalogue import ROSTER_KINDS
from ..importing import ParseResult, parse_ledger, parse_roster
from ..models import Notice, User, Village
from . import ServiceError, intake, notices


@dataclass
class Outcome:
    result: ParseResult
    notice: Notice | None
    message: str


def id_key() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def parse(what: str, data: bytes, filename: str, kind: str | None = None) -> ParseResult:
    if what == "ledger":
        return parse_ledger(data, filename)
    if what == "roster":
        return parse_roster(data, filename, id_key=id_key(), kind=kind)
    raise ServiceError(f"未知的导入类型：{what}")


def period_for(dates: list[dt.date]) -> periods.Period:
    """The smallest month, quarter or year that holds every date."""
    first, last = min(dates), max(dates)
    for candidate in (periods.month_of(first), periods.quarter_of(first), periods.year(first.year)):
        if last in candidate:
            return candidate
    return periods.Period(first, last, f"{periods.format_date(first)}至{periods.format_date(last)}")


def import_file(
    what: str, data: bytes, filename: str, *, village: Village, user: User, kind: str | None = None,
    dry_run: bool = False, notice: Notice | None = None,
) -> Outcome:
    result = parse(what, data, filename, kind)
    if not result.ok:
        return Outcome(result, None, f"发现{len(result.errors)}处问题，未导入任何数据。请修改表格后重新上传。")
    if not result.rows:
        return Outcome(result, None, "表格中没有可导入的数据行。")
    if dry_run:
        return Outcome(result, None, f"检查通过：共{len(result.rows)}行，未写入（试运行）。")
    if what == "ledger":
        if notice is None:
            period = period_for([r.occurred_on for r in result.rows])
            notice = notices.create_draft(village, user, category="finance", period=period,
                                          title=result.title or f"{village.name}{period.label}财务收支公示")
        intake.add_ledger_rows(notice, user, result.rows)
    else:
        kind = kind or (notice.roster_kind if notice else None) or result.roster_kind
        if kind not in ROSTER_KINDS:
            raise ServiceError("无法从表格标题识别名单类型，请指定名单类型")
        if notice is None:
            dates = [r.paid_on for r in result.rows if r.paid_on]
            period = (periods.find_in_text(result.title) or (period_for(dates) if dates else None)
                      or periods.month_of(dt.date.today()))
            notice = notices.create_draft(village, user, category=ROSTER_KINDS[kind].category, roster_kind=kind,
                                          period=period,
                                          title=result.title or f"{village.name}{period.label}{ROSTER_KINDS[kind].name}名单公示")
        intake.add_roster_rows(notice, user, result.rows, kind=kind)
    return Outcome(result, notice, f"已导入{len(result.rows)}行到草稿公示《{notice.title}》。")
