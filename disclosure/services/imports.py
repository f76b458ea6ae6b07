"""Import a clerk's file: parse (pure), check it against the draft it goes
into, then, only if nothing is wrong, write every row into a draft notice in
the caller's transaction. The admin preview, its confirm and ``flask import``
all come through :func:`check`, so a preview that passes never ends in a
refusal at confirm."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


from .. import keys, periods
from ..clock import china_today
from ..catalogue import ROSTER_KINDS
from ..importing import ParseResult, Problem, parse_ledger, parse_roster
from ..models import Notice, User, Village
from . import ServiceError, intake, notices

WHATS = ("ledger", "roster")
MSG_KIND_UNKNOWN = "无法从表格标题识别名单类型，请返回上一页选择名单类型"


@dataclass
class Outcome:
    result: ParseResult
    notice: Notice | None
    message: str


@dataclass
class Checked:
    result: ParseResult
    kind: str | None  # the roster kind the rows would be written with


def id_key() -> bytes:
    """The key parsers fingerprint ID numbers with: version 1 of the key ring
    (disclosure/keys.py); intake stores them in the current version."""
    return keys.root_key()


def check_choices(what: str, kind: str | None) -> None:
    """Refuse an unknown table type or roster kind (a typo on the command line)."""
    if what not in WHATS:
        raise ServiceError(f"未知的导入类型：{what}（可选：ledger 收支明细账、roster 名单）")
    if kind is not None and kind not in ROSTER_KINDS:
        choices = "、".join(f"{k.code}（{k.name}）" for k in ROSTER_KINDS.values())
        raise ServiceError(f"未知的名单类型：{kind}。可选：{choices}", "kind")


def parse(what: str, data: bytes, filename: str, kind: str | None = None) -> ParseResult:
    check_choices(what, kind)
    if what == "ledger":
        return parse_ledger(data, filename)
    return parse_roster(data, filename, id_key=id_key(), kind=kind)


def period_for(dates: list[dt.date]) -> periods.Period:
    """The smallest month, quarter or year that holds every date."""
    first, last = min(dates), max(dates)
    for candidate in (periods.month_of(first), periods.quarter_of(first), periods.year(first.year)):
        if last in candidate:
            return candidate
    return periods.Period(first, last, f"{periods.format_date(first)}至{periods.format_date(last)}")


def check(
    what: str, data: bytes, filename: str, *, user: User, kind: str | None = None, notice: Notice | None = None,
) -> Checked:
    """Parse the file and add every refusal the write would meet: the roster
    kind, the target draft (editable by ``user``, of a fitting category) and,
    for a ledger going into an existing draft, each date outside its period
    (named by sheet and row; those rows are not imported)."""
    check_choices(what, kind)
    if notice is not None:
        notices.ensure_editable(notice, user)
        if message := intake.refusal(notice, what):
            raise ServiceError(message, "notice_id")
    result = parse(what, data, filename, kind)
    if what == "roster":
        kind = kind or (notice.roster_kind if notice else None) or result.roster_kind
        if kind not in ROSTER_KINDS and result.file_rows:
            result.problems.insert(0, Problem(None, "", MSG_KIND_UNKNOWN, "kind_unknown"))
    elif notice is not None:
        late = [(row, intake.outside_period(notice, row.occurred_on)) for row in result.rows]
        late = [(row, message) for row, message in late if message]
        result.drop_rows([row for row, _ in late], [
            Problem(row.row, "日期", message, "outside_period", False, row.sheet) for row, message in late])
    return Checked(result, kind)


def import_file(
    what: str, data: bytes, filename: str, *, village: Village, user: User, kind: str | None = None,
    dry_run: bool = False, notice: Notice | None = None,
) -> Outcome:
    checked = check(what, data, filename, user=user, kind=kind, notice=notice)
    result, kind = checked.result, checked.kind
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
        assert kind in ROSTER_KINDS
        if notice is None:
            dates = [r.paid_on for r in result.rows if r.paid_on]
            today = china_today()  # no period in the title or the dates: the kind's period shape decides
            period = (periods.find_in_text(result.title) or (period_for(dates) if dates else None)
                      or (periods.year(today.year) if ROSTER_KINDS[kind].period == "year" else periods.month_of(today)))
            notice = notices.create_draft(village, user, category=ROSTER_KINDS[kind].category, roster_kind=kind,
                                          period=period,
                                          title=result.title or f"{village.name}{period.label}{ROSTER_KINDS[kind].name}名单公示")
        intake.add_roster_rows(notice, user, result.rows, kind=kind)
    return Outcome(result, notice, f"已导入{len(result.rows)}行到草稿公示《{notice.title}》。")
