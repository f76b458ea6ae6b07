"""Intake: the one way lines enter a draft notice, from a clerk's file or a
form. Roster names are masked here, once, by ``privacy.mask_name``; raw ID
numbers, accounts and phones never reach this module (the parsers keep only
fingerprints and masked forms)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP
from typing import Any

from sqlalchemy import func, select

from .. import privacy
from ..catalogue import LEDGER_SUBJECTS, ROSTER_KINDS
from ..extensions import db
from ..models import LedgerLine, Notice, RosterLine, User
from ..pinyin import initials
from . import ServiceError, audit, notices, rules


def add_ledger_rows(notice: Notice, user: User, rows: Sequence[Any]) -> list[LedgerLine]:
    """Add parsed or form ledger rows (objects with occurred_on, voucher_no,
    summary, direction, subject, amount_fen, handler, note) to a draft."""
    notices.ensure_editable(notice, user)
    if notice.category != "finance":
        raise ServiceError("只有财务收支公示可以录入收支明细")
    added = []
    for row in rows:
        if row.direction not in ("income", "expense"):
            raise ServiceError("收支方向只能是收入或支出", "direction")
        if row.subject not in LEDGER_SUBJECTS or LEDGER_SUBJECTS[row.subject].direction != row.direction:
            raise ServiceError("未知的收支科目", "subject")
        if not isinstance(row.amount_fen, int) or row.amount_fen <= 0:
            raise ServiceError("金额必须大于零", "amount")
        if not (row.summary or "").strip():
            raise ServiceError("缺少摘要", "summary")
        if not (notice.period_start <= row.occurred_on <= notice.period_end):
            raise ServiceError(f"日期{row.occurred_on}不在本公示期间（{notice.period_label}）内", "occurred_on")
        line = LedgerLine(
            village_id=notice.village_id, occurred_on=row.occurred_on, voucher_no=(row.voucher_no or "")[:32],
            summary=privacy.scrub(row.summary.strip())[:200], direction=row.direction, subject=row.subject,
            amount_fen=row.amount_fen, handler=(row.handler or "")[:32], note=privacy.scrub(row.note or "")[:200],
        )
        notice.ledger_lines.append(line)
        added.append(line)
    db.session.flush()
    audit.record(user, "ledger.add", "notice", notice.id, township_id=notice.village.township_id,
                 after={"lines": len(added), "income_fen": sum(l.amount_fen for l in added if l.direction == "income"),
                        "expense_fen": sum(l.amount_fen for l in added if l.direction == "expense")})
    return added


def add_roster_rows(notice: Notice, user: User, rows: Iterable[Any], *, kind: str | None = None) -> list[RosterLine]:
    """Add parsed or form roster rows (see importing.RosterRow) to a draft."""
    notices.ensure_editable(notice, user)
    if notice.category not in ("subsidy", "assistance", "project", "other"):
        raise ServiceError("该类公示不能录入名单")
    kind = kind or notice.roster_kind
    if kind not in ROSTER_KINDS and kind != "project":
        raise ServiceError("请先选择名单类型", "roster_kind")
    full = rules.shows_full_names(notice.village.township, kind)
    seq = db.session.execute(
        select(func.coalesce(func.max(RosterLine.seq), 0)).where(RosterLine.notice_id == notice.id)
    ).scalar_one()
    added = []
    for row in rows:
        name = privacy.normalize(row.name)
        if not name:
            raise ServiceError("名单中有一行没有姓名", "name")
        if not isinstance(row.amount_fen, int) or row.amount_fen < 0:
            raise ServiceError(f"{privacy.mask_name(name)}的金额不正确", "amount")
        seq += 1
        line = RosterLine(
            village_id=notice.village_id, seq=seq, kind=kind, name=name[:32],
            public_name=privacy.mask_name(name, full=full)[:32], initials=initials(name),
            group_no=row.group_no, id_hash=row.id_hash, id_masked=row.id_masked or "",
            account_masked=row.account_masked or "", phone_masked=row.phone_masked or "",
            household_size=row.household_size,
            quantity_milli=None if row.quantity is None else int((row.quantity * 1000).to_integral_value(ROUND_HALF_UP)),
            rate_fen=getattr(row, "rate_fen", None), amount_fen=row.amount_fen, paid_on=row.paid_on,
            reason=row.reason or "",
        )
        notice.roster_lines.append(line)
        added.append(line)
    db.session.flush()
    audit.record(user, "roster.add", "notice", notice.id, township_id=notice.village.township_id,
                 after={"lines": len(added), "amount_fen": sum(l.amount_fen for l in added), "kind": kind})
    return added


def remove_line(notice: Notice, user: User, line: LedgerLine | RosterLine) -> None:
    notices.ensure_editable(notice, user)
    if line.notice_id != notice.id:
        raise ServiceError("该明细不属于此公示")
    audit.record(user, f"{line.__tablename__}.delete", line.__tablename__, line.id,
                 township_id=notice.village.township_id,
                 before={"amount_fen": line.amount_fen, "summary": getattr(line, "summary", getattr(line, "public_name", ""))})
    db.session.delete(line)
