"""Intake: the one way lines enter a draft notice, from a clerk's file or a
form. Roster names are masked here, once, by ``privacy.mask_name``; raw ID
numbers, accounts and phones never reach this module (the parsers keep only
fingerprints and masked forms)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP
from typing import Any

from sqlalchemy import func, select

from .. import keys, privacy
from ..catalogue import CATEGORIES, LEDGER_SUBJECTS, RELIEF_REASONS, ROSTER_KINDS, grade_problem, normalize_grade
from ..extensions import db
from ..models import AssetLine, LedgerLine, Notice, ProjectDetail, ProjectFund, RosterLine, Stage, User
from ..pinyin import initials
from . import ServiceError, audit, notices, rules


LEDGER_CATEGORIES = tuple(c.code for c in CATEGORIES.values() if "ledger" in c.lines)
ROSTER_CATEGORIES = tuple(c.code for c in CATEGORIES.values() if "roster" in c.lines)


def refusal(notice: Notice, what: str) -> str | None:
    """Why lines of ``what`` ('ledger' | 'roster') cannot go into ``notice``
    by its category, or None."""
    if what == "ledger" and notice.category not in LEDGER_CATEGORIES:
        return "只有财务收支公示可以录入收支明细"
    if what == "roster" and notice.category not in ROSTER_CATEGORIES:
        return "该类公示不能录入名单"
    return None


def outside_period(notice: Notice, occurred_on: Any) -> str | None:
    """The refusal for a ledger date outside the notice's period, or None."""
    if notice.period_start <= occurred_on <= notice.period_end:
        return None
    return f"日期{occurred_on}不在本公示期间（{notice.period_label}）内"


def add_ledger_rows(notice: Notice, user: User, rows: Sequence[Any]) -> list[LedgerLine]:
    """Add parsed or form ledger rows (objects with occurred_on, voucher_no,
    summary, direction, subject, amount_fen, handler, note) to a draft."""
    notices.ensure_editable(notice, user)
    if message := refusal(notice, "ledger"):
        raise ServiceError(message)
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
        if message := outside_period(notice, row.occurred_on):
            raise ServiceError(message, "occurred_on")
        line = LedgerLine(
            village_id=notice.village_id, occurred_on=row.occurred_on, voucher_no=(row.voucher_no or "")[:32],
            summary=privacy.scrub(row.summary.strip())[:200], direction=row.direction, subject=row.subject,
            amount_fen=row.amount_fen, handler=privacy.scrub_text(row.handler, 32), note=privacy.scrub(row.note or "")[:200],
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
    if message := refusal(notice, "roster"):
        raise ServiceError(message)
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
        if row.reason and row.reason not in RELIEF_REASONS:
            # Only the public category is kept; the private story stays in the office.
            raise ServiceError(f"救助原因只能是：{'、'.join(RELIEF_REASONS)}", "reason")
        grade = normalize_grade(getattr(row, "grade", None))
        if message := grade_problem(grade):
            raise ServiceError(f"{privacy.mask_name(name)}的{message}", "grade")
        if grade and (kind not in ROSTER_KINDS or ROSTER_KINDS[kind].label("grade") is None):
            raise ServiceError(f"{ROSTER_KINDS[kind].name if kind in ROSTER_KINDS else '项目受益'}名单不公示等级",
                               "grade")
        seq += 1
        public_name = privacy.mask_name(name, full=full)[:32]
        line = RosterLine(
            village_id=notice.village_id, seq=seq, kind=kind, name=name[:32],
            public_name=public_name, initials=initials(public_name),  # the keypad finds what is shown
            group_no=row.group_no, id_masked=row.id_masked or "",
            account_masked=row.account_masked or "", phone_masked=row.phone_masked or "",
            household_size=row.household_size,
            quantity_milli=None if row.quantity is None else int((row.quantity * 1000).to_integral_value(ROUND_HALF_UP)),
            rate_fen=getattr(row, "rate_fen", None), amount_fen=row.amount_fen, paid_on=row.paid_on,
            reason=row.reason or "", grade=grade,
        )
        line.id_key, line.id_hash = keys.stored(row.id_hash)  # version 1 from the parser → current
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


# Assets and relief projects (added for the admin forms) -------------------

def add_asset_line(notice: Notice, user: User, **fields: Any) -> AssetLine:
    """One 集体资产资源 line (an asset, or a lease on it) on a draft."""
    notices.ensure_editable(notice, user)
    if notice.category != "assets":
        raise ServiceError("只有集体资产资源公示可以录入资产明细")
    if not (fields.get("name") or "").strip():
        raise ServiceError("请填写资产名称", "name")
    if not (fields.get("kind") or "").strip():
        raise ServiceError("请填写资产类别", "kind")
    start, end = fields.get("contract_start"), fields.get("contract_end")
    if start and end and end < start:
        raise ServiceError("合同到期日早于开始日", "contract_end")
    income = fields.get("annual_income_fen") or 0
    if not isinstance(income, int) or income < 0:
        raise ServiceError("年收益不能为负数", "annual_income")
    seq = db.session.execute(
        select(func.coalesce(func.max(AssetLine.seq), 0)).where(AssetLine.notice_id == notice.id)
    ).scalar_one()
    line = AssetLine(
        seq=seq + 1, name=privacy.scrub_text(fields["name"], 200), kind=fields["kind"].strip()[:32],
        location=privacy.scrub_text(fields.get("location"), 200), size=(fields.get("size") or "").strip()[:64],
        lessee=privacy.scrub((fields.get("lessee") or "").strip())[:64], contract_start=start, contract_end=end,
        annual_income_fen=income,
    )
    notice.asset_lines.append(line)
    db.session.flush()
    audit.record(user, "asset.add", "notice", notice.id, township_id=notice.village.township_id,
                 after={"line_id": line.id, "name": line.name, "annual_income_fen": income})
    return line


_PROJECT_FIELDS = ("name", "location", "content", "subsidy_standard", "starts_on", "ends_on", "implementer",
                   "responsible", "performance_goal", "households_benefiting", "persons_benefiting",
                   "benefit_mechanism", "procurement", "result", "stage")


def set_project(notice: Notice, user: User, *, project_key: str = "", **fields: Any) -> ProjectDetail:
    """Create or update the relief-project details of a draft."""
    notices.ensure_editable(notice, user)
    if notice.category != "project":
        raise ServiceError("只有扶贫项目资金公示可以填写项目信息")
    for name, label in (("name", "项目名称"), ("location", "实施地点"), ("content", "建设内容"),
                        ("implementer", "实施单位"), ("responsible", "责任人")):
        if not str(fields.get(name) or "").strip():
            raise ServiceError(f"请填写{label}", name)
    if fields.get("starts_on") is None or fields.get("ends_on") is None:
        raise ServiceError("请填写实施期限", "starts_on")
    if fields["ends_on"] < fields["starts_on"]:
        raise ServiceError("实施期限的结束日期早于开始日期", "ends_on")
    for name in ("households_benefiting", "persons_benefiting"):
        if (fields.get(name) or 0) < 0:
            raise ServiceError("受益户数、人数不能为负数", name)
    if fields.get("stage") and fields["stage"] not in {s.value for s in Stage}:
        raise ServiceError("未知的项目阶段", "stage")
    project = notice.project
    before = None if project is None else {k: str(getattr(project, k)) for k in ("name", "stage", "result")}
    if project is None:
        project = ProjectDetail(project_key=(project_key or "").strip()[:32] or f"{notice.village.code}-{notice.id}")
        notice.project = project
    elif project_key.strip():
        project.project_key = project_key.strip()[:32]
    for name in _PROJECT_FIELDS:
        if name not in fields or (name == "stage" and not fields[name]):
            continue
        value = fields[name]
        if isinstance(value, str):
            value = privacy.scrub_text(value)  # free text on a public page: no private number
        elif name.endswith("benefiting"):
            value = value or 0
        setattr(project, name, value)
    db.session.flush()
    audit.record(user, "project.set", "notice", notice.id, township_id=notice.village.township_id, before=before,
                 after={k: str(getattr(project, k)) for k in ("name", "stage", "result")})
    return project


def add_project_fund(notice: Notice, user: User, *, source: str, allocated_fen: int, spent_fen: int = 0) -> ProjectFund:
    """资金来源及规模: one source of a project's money."""
    notices.ensure_editable(notice, user)
    if notice.project is None:
        raise ServiceError("请先填写项目信息，再录入资金来源")
    if not (source or "").strip():
        raise ServiceError("请填写资金来源", "source")
    if allocated_fen < 0:
        raise ServiceError("下达资金不能为负数", "allocated")
    if spent_fen < 0:
        raise ServiceError("已支出资金不能为负数", "spent")
    if spent_fen > allocated_fen:
        raise ServiceError("已支出资金超过下达资金，请核对", "spent")
    fund = ProjectFund(source=privacy.scrub_text(source, 64), allocated_fen=allocated_fen, spent_fen=spent_fen)
    notice.project.funds.append(fund)
    db.session.flush()
    audit.record(user, "project_fund.add", "notice", notice.id, township_id=notice.village.township_id,
                 after={"source": fund.source, "allocated_fen": allocated_fen, "spent_fen": spent_fen})
    return fund


def remove_detail(notice: Notice, user: User, item: AssetLine | ProjectFund) -> None:
    """Remove an asset line or a project fund from a draft."""
    notices.ensure_editable(notice, user)
    owner = item.notice_id if isinstance(item, AssetLine) else item.project.notice_id
    if owner != notice.id:
        raise ServiceError("该明细不属于此公示")
    audit.record(user, f"{item.__tablename__}.delete", item.__tablename__, item.id,
                 township_id=notice.village.township_id,
                 before={"name": getattr(item, "name", getattr(item, "source", ""))})
    db.session.delete(item)
