"""The lifecycle of a notice: draft → submitted → approved → published →
(notice period over) → archived; corrections and withdrawals. Each step
checks who acts and what state the notice is in, records an audit entry,
and leaves the commit to the caller."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from .. import clock, periods, privacy
from ..catalogue import CATEGORIES, ROSTER_KINDS
from ..extensions import db
from ..models import (
    AssetLine, LedgerLine, Notice, ProjectDetail, ProjectFund, RosterLine, Status, User, Village, VoucherImage, utcnow,
)
from . import ServiceError, access, audit, chain, rules, search


def _snapshot(notice: Notice) -> dict:
    return {
        "status": notice.status.value, "title": notice.title, "notice_start": str(notice.notice_start or ""),
        "notice_end": str(notice.notice_end or ""), "version": notice.version,
    }


def _log(user: User, action: str, notice: Notice, before: dict | None) -> None:
    audit.record(user, action, "notice", notice.id, township_id=notice.village.township_id,
                 before=before, after=_snapshot(notice))


def create_draft(
    village: Village, user: User, *, category: str, title: str, period: periods.Period,
    roster_kind: str | None = None, body: str = "",
) -> Notice:
    if not access.can_draft(user, village):
        raise ServiceError("您无权为该村起草公示")
    if category not in CATEGORIES:
        raise ServiceError(f"未知的公开类别：{category}", "category")
    if roster_kind is not None and roster_kind not in ROSTER_KINDS:
        raise ServiceError(f"未知的名单类型：{roster_kind}", "roster_kind")
    title, body = privacy.scrub_text(title, 200), privacy.scrub_text(body)
    if not title:
        raise ServiceError("请填写公示标题", "title")
    if period.end < period.start:
        raise ServiceError("期间结束日期早于开始日期", "period_end")
    notice = Notice(
        village=village, category=category, roster_kind=roster_kind, title=title, body=body,
        period_start=period.start, period_end=period.end, period_label=period.label,
        status=Status.DRAFT, author_id=user.id,
    )
    db.session.add(notice)
    db.session.flush()
    notice.series_id = notice.id
    _log(user, "notice.create", notice, None)
    return notice


def has_content(notice: Notice) -> bool:
    return bool(notice.ledger_lines or notice.roster_lines or notice.asset_lines or notice.project
                or notice.decision or notice.body.strip())


def submit(notice: Notice, user: User) -> None:
    if not access.can_draft(user, notice.village):
        raise ServiceError("您无权提交该公示")
    if notice.status != Status.DRAFT:
        raise ServiceError("只有草稿可以提交审核")
    if not has_content(notice):
        raise ServiceError("公示没有内容，请先录入或导入数据")
    from .decisions import submit_problem

    problem = submit_problem(notice)
    if problem:
        raise ServiceError(problem)
    before = _snapshot(notice)
    notice.status, notice.submitted_at, notice.review_comment = Status.SUBMITTED, utcnow(), ""
    _log(user, "notice.submit", notice, before)


def approve(notice: Notice, user: User, comment: str = "") -> None:
    if not access.can_review(user, notice.village):
        raise ServiceError("只有本村村务监督委员会成员可以审核")
    if notice.author_id == user.id:
        raise ServiceError("不能审核自己起草的公示")
    if notice.status != Status.SUBMITTED:
        raise ServiceError("只有待审核的公示可以审核通过")
    before = _snapshot(notice)
    notice.status, notice.approved_by_id, notice.approved_at = Status.APPROVED, user.id, utcnow()
    notice.review_comment = privacy.scrub_text(comment)
    _log(user, "notice.approve", notice, before)


def reject(notice: Notice, user: User, comment: str) -> None:
    if not access.can_review(user, notice.village):
        raise ServiceError("只有本村村务监督委员会成员可以审核")
    if notice.status != Status.SUBMITTED:
        raise ServiceError("只有待审核的公示可以退回")
    comment = privacy.scrub_text(comment)
    if not comment:
        raise ServiceError("退回时请写明原因", "comment")
    before = _snapshot(notice)
    notice.status, notice.review_comment = Status.DRAFT, comment
    _log(user, "notice.reject", notice, before)


def publish(notice: Notice, user: User, start: dt.date | None, end: dt.date | None,
            today: dt.date | None = None) -> None:
    """Publish for the notice period ``start``–``end``; the period starts no
    earlier than ``today`` (China date; the demo passes the day it replays)."""
    if not access.can_draft(user, notice.village):
        raise ServiceError("您无权发布该公示")
    if notice.status != Status.APPROVED:
        raise ServiceError("公示须经村务监督委员会审核通过后才能发布")
    minimum = rules.min_notice_days(notice.village.township, notice.category, notice.roster_kind)
    problem = periods.notice_period_problem(start, end, minimum)
    if problem:
        raise ServiceError(problem, "notice_end")
    today = today or clock.china_today()
    if start < today:
        raise ServiceError(f"公示期不能从过去开始：开始日期最早为今天（{periods.format_date(today)}）", "notice_start")
    before = _snapshot(notice)
    notice.notice_start, notice.notice_end = start, end
    notice.status, notice.published_at = Status.PUBLISHED, utcnow()
    chain.seal(notice)
    search.index_notice(notice)
    if notice.supersedes is not None and notice.supersedes.status in (Status.PUBLISHED, Status.ARCHIVED):
        old_before = _snapshot(notice.supersedes)
        notice.supersedes.status = Status.SUPERSEDED
        _log(user, "notice.supersede", notice.supersedes, old_before)
    # The seal goes into the audit log too: verify-chain finds a sealed version that disappeared.
    audit.record(user, "notice.publish", "notice", notice.id, township_id=notice.village.township_id, before=before,
                 after=_snapshot(notice) | {"village": notice.village.code, "chain_seq": notice.chain_seq,
                                            "chain_code": chain.notice_head_code(notice)})


def start_correction(old: Notice, user: User, reason: str) -> Notice:
    """A correction (更正): a new draft version copying the old one's lines."""
    if not access.can_draft(user, old.village):
        raise ServiceError("您无权更正该公示")
    if old.status not in (Status.PUBLISHED, Status.ARCHIVED):
        raise ServiceError("只有已公布的公示可以更正")
    reason = privacy.scrub_text(reason)
    if not reason:
        raise ServiceError("更正必须写明原因", "reason")
    pending = db.session.execute(
        select(Notice).where(Notice.supersedes_id == old.id, Notice.status.not_in([Status.WITHDRAWN]))
    ).scalar_one_or_none()
    if pending is not None:
        raise ServiceError(f"该公示已有更正版本（#{pending.id}），请在那里修改")
    new = Notice(
        village=old.village, category=old.category, roster_kind=old.roster_kind, title=old.title,
        body=old.body, period_start=old.period_start, period_end=old.period_end, period_label=old.period_label,
        status=Status.DRAFT, series_id=old.series_id, version=old.version + 1, supersedes_id=old.id,
        correction_reason=reason, author_id=user.id,
    )
    db.session.add(new)
    for line in old.ledger_lines:
        copy = LedgerLine(
            village_id=line.village_id, occurred_on=line.occurred_on, voucher_no=line.voucher_no,
            summary=line.summary, direction=line.direction, subject=line.subject, amount_fen=line.amount_fen,
            handler=line.handler, note=line.note,
        )
        # The photos stay with the line: same files (stored once by hash), same visibility.
        copy.vouchers = [VoucherImage(sha256=v.sha256, width=v.width, height=v.height, is_public=v.is_public,
                                      uploaded_by_id=v.uploaded_by_id) for v in line.vouchers]
        new.ledger_lines.append(copy)
    for r in old.roster_lines:
        new.roster_lines.append(RosterLine(**{c: getattr(r, c) for c in _ROSTER_COPY}))
    for a in old.asset_lines:
        new.asset_lines.append(AssetLine(**{c: getattr(a, c) for c in _ASSET_COPY}))
    if old.project is not None:
        p = old.project
        new.project = ProjectDetail(**{c: getattr(p, c) for c in _PROJECT_COPY})
        new.project.funds = [ProjectFund(source=f.source, allocated_fen=f.allocated_fen, spent_fen=f.spent_fen)
                             for f in p.funds]
    from ..attachments import copies

    new.attachments = copies(old)  # same files and flags; the supervisor reviews them again

    from .decisions import copy_decision

    copy_decision(old, new)
    db.session.flush()
    _log(user, "notice.correct", new, None)
    return new


_ROSTER_COPY = ("village_id", "seq", "kind", "name", "public_name", "initials", "group_no", "id_hash", "id_key", "id_masked",
                "account_masked", "phone_masked", "household_size", "quantity_milli", "rate_fen", "amount_fen",
                "paid_on", "reason", "grade")
_ASSET_COPY = ("seq", "name", "kind", "location", "size", "lessee", "contract_start", "contract_end",
               "annual_income_fen")
_PROJECT_COPY = ("project_key", "name", "location", "content", "subsidy_standard", "starts_on", "ends_on",
                 "implementer", "responsible", "performance_goal", "households_benefiting", "persons_benefiting",
                 "benefit_mechanism", "procurement", "result", "stage")


def withdraw(notice: Notice, user: User, reason: str) -> None:
    if not access.can_draft(user, notice.village):
        raise ServiceError("您无权撤回该公示")
    if notice.status not in (Status.PUBLISHED, Status.ARCHIVED):
        raise ServiceError("只有已公布的公示可以撤回")
    reason = privacy.scrub_text(reason)
    if not reason:
        raise ServiceError("撤回必须写明原因", "reason")
    before = _snapshot(notice)
    notice.status, notice.withdrawal_reason, notice.withdrawn_at = Status.WITHDRAWN, reason, utcnow()
    _log(user, "notice.withdraw", notice, before)


def archive(notice: Notice, user: User, today: dt.date) -> None:
    if not access.can_draft(user, notice.village):
        raise ServiceError("您无权归档该公示")
    if notice.status != Status.PUBLISHED:
        raise ServiceError("只有已公布的公示可以归档")
    if notice.notice_end is None or notice.notice_end >= today:
        raise ServiceError("公示期尚未结束，不能归档")
    before = _snapshot(notice)
    notice.status = Status.ARCHIVED
    _log(user, "notice.archive", notice, before)


def delete_draft(notice: Notice, user: User) -> None:
    if not access.can_draft(user, notice.village) or notice.status != Status.DRAFT:
        raise ServiceError("只有草稿可以删除")
    _log(user, "notice.delete", notice, _snapshot(notice))
    db.session.delete(notice)


def ensure_editable(notice: Notice, user: User) -> None:
    """Lines may change only while the notice is a draft of the user's village."""
    if not access.can_draft(user, notice.village):
        raise ServiceError("您无权修改该公示")
    if notice.status != Status.DRAFT:
        raise ServiceError("已提交或已公布的公示不能修改；已公布的请发起更正")


# What a user may do next ---------------------------------------------------

@dataclass(frozen=True)
class Action:
    """One step the workflow offers now; the page loops over these and restates no rule."""
    code: str  # submit | import | delete | review | publish | correct | withdraw | archive
    label: str
    form: bool = False  # needs the page's own form (review comment, publish dates) rather than a button
    link: bool = False  # a page to open (GET), not a POST button
    danger: bool = False
    primary: bool = False
    confirm: str = ""


def next_actions(notice: Notice, user: User, today: dt.date) -> list[Action]:
    """The actions ``user`` may take on ``notice`` now, in the order the page shows them."""
    drafter, reviewer = access.can_draft(user, notice.village), access.can_review(user, notice.village)
    if notice.status == Status.DRAFT and drafter:
        actions = [Action("submit", "提交审核", primary=True)]
        if CATEGORIES[notice.category].importable:
            actions.append(Action("import", "从表格导入明细", link=True))
        return [*actions, Action("delete", "删除草稿", danger=True, confirm="确定删除这份草稿吗？删除后不能恢复。")]
    if notice.status == Status.SUBMITTED and reviewer:
        return [Action("review", "审核", form=True)]
    if notice.status == Status.APPROVED and drafter:
        return [Action("publish", "发布", form=True, primary=True)]
    if notice.status in (Status.PUBLISHED, Status.ARCHIVED) and drafter:
        actions = [Action("correct", "更正", link=True), Action("withdraw", "撤回", link=True, danger=True)]
        if notice.status == Status.PUBLISHED and notice.notice_end is not None and notice.notice_end < today:
            actions.append(Action("archive", "归档"))
        return actions
    return []


# What the public sees -----------------------------------------------------

@dataclass(frozen=True)
class PublicState:
    code: str  # active | ended | superseded | withdrawn | on_hold
    label: str  # 公示中 / 公示结束 / 已更正 / 已撤回 / 暂停公示
    detail: str


def public_state(notice: Notice, today: dt.date) -> PublicState:
    if notice.status == Status.SUPERSEDED:
        return PublicState("superseded", "已更正", "本公示已被更正，请查看更正后的版本")
    if notice.status == Status.WITHDRAWN:
        return PublicState("withdrawn", "已撤回", f"撤回原因：{notice.withdrawal_reason}")
    if notice.on_hold_since is not None:
        return PublicState("on_hold", "暂停公示", "有村民提出异议，正在核实，答复后恢复公示")
    if notice.notice_end is not None and today <= notice.notice_end:
        return PublicState("active", "公示中", f"公示至{periods.format_date(notice.notice_end)}")
    return PublicState("ended", "公示结束", f"公示期{periods.format_date(notice.notice_start)}至{periods.format_date(notice.notice_end)}")


#: Statuses of a correction that replaces the version it supersedes on the public side.
SUCCESSOR_STATUSES = (Status.PUBLISHED, Status.ARCHIVED, Status.SUPERSEDED, Status.WITHDRAWN)


def successor(notice: Notice) -> Notice | None:
    """The published correction of ``notice``, if any."""
    return db.session.execute(
        select(Notice).where(Notice.supersedes_id == notice.id, Notice.status.in_(SUCCESSOR_STATUSES))
    ).scalar_one_or_none()


def successor_ids(notices: list[Notice]) -> dict[int, int]:
    """``successor`` for many notices in one query: notice id -> its correction's id."""
    ids = [n.id for n in notices]
    if not ids:
        return {}
    rows = db.session.execute(select(Notice.supersedes_id, Notice.id).where(
        Notice.supersedes_id.in_(ids), Notice.status.in_(SUCCESSOR_STATUSES)))
    return {old: new for old, new in rows}


def latest_version(notice: Notice) -> Notice:
    current = notice
    for _ in range(100):
        nxt = successor(current)
        if nxt is None:
            return current
        current = nxt
    return current


def count_by_status(village: Village) -> dict[Status, int]:
    rows = db.session.execute(
        select(Notice.status, func.count()).where(Notice.village_id == village.id).group_by(Notice.status)
    ).all()
    return {status: count for status, count in rows}


def update_draft(notice: Notice, user: User, *, title: str, body: str) -> None:
    """Change a draft's title and text (its lines change through intake)."""
    ensure_editable(notice, user)
    title, body = privacy.scrub_text(title, 200), privacy.scrub_text(body)
    if not title:
        raise ServiceError("请填写公示标题", "title")
    before = _snapshot(notice)
    notice.title, notice.body = title, body
    _log(user, "notice.edit", notice, before)
