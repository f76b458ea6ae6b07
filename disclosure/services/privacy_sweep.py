"""A sweep of the text already stored, for the private numbers intake now masks.

Every free text is scrubbed when it comes in (privacy.scrub), but rows written
before a rule was tightened (a mobile written "+86 138 …", an ID with spaces,
digits in another script) keep what they had. ``flask privacy sweep`` finds
them:

- a roster line's shown name is checked against the mask intake makes now
  (an invisible character once defeated it);
- text not yet sealed into a published version (drafts, notices under review,
  villagers' questions and answers, library documents, holidays, the audit
  log) is fixed in place with ``fix=True``, one audit entry per kind of text
  naming how many rows changed, never the numbers;
- text of a sealed version cannot change silently. It is reported by notice;
  with ``correct_as`` the sweep starts a correction (更正) of each such
  published notice with the numbers masked, which then goes through review
  and publication like any correction.

The report names tables, fields and row ids only, never the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from .. import privacy
from ..extensions import db
from ..models import (
    AssetLine,
    AuditEntry,
    CalendarDay,
    DecisionDetail,
    DecisionMeeting,
    Document,
    InfoRequest,
    LedgerLine,
    Notice,
    NoticeAttachment,
    ProjectDetail,
    ProjectFund,
    Question,
    RosterLine,
    Status,
    User,
)
from ..pinyin import initials
from . import audit, notices, rules, search

CORRECTION_REASON = "遮盖误录入的个人号码（身份证号、银行账号或手机号）"


@dataclass(frozen=True)
class TextField:
    model: type
    columns: tuple[str, ...]
    label: str
    #: The notice a row belongs to, or None for text outside any notice.
    notice_of: Callable[[Any], Notice | None] | None = None
    #: What the row's columns should hold; by default each one scrubbed.
    mended: Callable[[Any], dict[str, Any]] | None = None

    def changes(self, row: Any) -> dict[str, Any]:
        """The columns of ``row`` that differ from what intake would store now."""
        if self.mended is not None:
            return {c: v for c, v in self.mended(row).items() if getattr(row, c) != v}
        return {c: clean for c in self.columns if (v := getattr(row, c)) and (clean := privacy.scrub(v)) != v}


def _roster_names(line: RosterLine) -> dict[str, Any]:
    """A roster line's shown name as intake makes it now (an old row may have
    kept a name whose mask an invisible character defeated)."""
    if rules.shows_full_names(line.notice.village.township, line.kind):
        return {}
    public = privacy.mask_name(privacy.normalize(line.name))[:32]
    return {"public_name": public, "initials": initials(public)}


FIELDS: tuple[TextField, ...] = (
    TextField(Notice, ("title", "body", "correction_reason", "withdrawal_reason", "review_comment"), "公示",
              lambda n: n),
    TextField(LedgerLine, ("summary", "handler", "note"), "收支明细", lambda line: line.notice),
    TextField(AssetLine, ("name", "location", "lessee"), "资产明细", lambda line: line.notice),
    TextField(ProjectDetail, ("name", "location", "content", "subsidy_standard", "implementer", "responsible",
                              "performance_goal", "benefit_mechanism", "procurement", "result"), "项目",
              lambda p: p.notice),
    TextField(ProjectFund, ("source",), "项目资金", lambda f: f.project.notice),
    TextField(DecisionDetail, ("subject", "proposal", "adopted", "not_adopted", "result"), "决策事项",
              lambda d: d.notice),
    TextField(DecisionMeeting, ("outcome",), "决策会议", lambda m: m.decision.notice),
    TextField(NoticeAttachment, ("title", "filename"), "附件", lambda a: a.notice),
    TextField(RosterLine, ("public_name",), "名单姓名", lambda line: line.notice, _roster_names),
    TextField(Question, ("text", "answer", "hidden_reason"), "村民提问"),
    TextField(InfoRequest, ("subject", "reply", "extension_reason", "refer_to"), "信息公开申请"),
    TextField(Document, ("title", "doc_no", "body", "end_reason"), "文件库"),
    TextField(CalendarDay, ("name",), "节假日"),
)


@dataclass(frozen=True)
class Finding:
    label: str  # 收支明细
    table: str
    row_id: int
    columns: tuple[str, ...]
    #: A private number (not only an invisible character) is in the text.
    has_number: bool
    notice_id: int | None = None
    notice_status: Status | None = None
    sealed: bool = False

    def describe(self) -> str:
        where = f"（公示 #{self.notice_id}，{self.notice_status.label if self.notice_status else ''}）" \
            if self.notice_id is not None else ""
        what = ("未遮盖的姓名" if self.table == "roster_lines" else "个人号码") if self.has_number else "不可见字符"
        return f"{self.label} {self.table}#{self.row_id} 字段 {','.join(self.columns)}：{what}{where}"


@dataclass
class Report:
    findings: list[Finding]  # before anything was done
    fixed: Counter[str] = field(default_factory=Counter)  # rows mended in place, by table
    audit_rows_fixed: int = 0
    corrections: list[int] = field(default_factory=list)  # new correction drafts' ids
    #: What is still there afterwards and needs a person: numbers in sealed
    #: versions with no correction under way, and any unsealed text left.
    remaining: list[Finding] = field(default_factory=list)


def _rows(spec: TextField) -> Iterator[Any]:
    yield from db.session.execute(select(spec.model).order_by(spec.model.id)).scalars()


def find() -> list[Finding]:
    """Every stored row whose free text scrubbing would change, in table order."""
    found = []
    for spec in FIELDS:
        for row in _rows(spec):
            dirty = tuple(c for c in spec.changes(row) if c in spec.columns)
            if not dirty:
                continue
            notice = spec.notice_of(row) if spec.notice_of else None
            found.append(Finding(
                spec.label, spec.model.__tablename__, row.id, dirty,
                spec.mended is not None or any(privacy.has_private_number(getattr(row, c)) for c in dirty),
                notice.id if notice else None, notice.status if notice else None,
                bool(notice is not None and notice.content_hash)))
    return found


def _fix_row(spec: TextField, row: Any) -> bool:
    changes = spec.changes(row)
    for column, value in changes.items():
        setattr(row, column, value)
    return bool(changes)


def _fix_unsealed(report: Report, only_notices: set[int] | None = None) -> None:
    """Mend every row not sealed into a version; with ``only_notices``, the rows of those notices only."""
    for spec in FIELDS:
        if only_notices is not None and spec.notice_of is None:
            continue
        for row in _rows(spec):
            notice = spec.notice_of(row) if spec.notice_of else None
            if only_notices is not None and (notice is None or notice.id not in only_notices):
                continue
            if notice is not None and notice.content_hash:
                continue  # sealed: a correction, never an edit
            if _fix_row(spec, row):
                report.fixed[spec.model.__tablename__] += 1
                if isinstance(row, Document):
                    search.index_document(row)  # the old digits must not stay findable


def _fix_audit_log(report: Report) -> None:
    for entry in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        before, after = audit.scrub_deep(entry.before), audit.scrub_deep(entry.after)
        if before != entry.before or after != entry.after:
            entry.before, entry.after = before, after
            report.audit_rows_fixed += 1


def _pending_correction(notice_id: int) -> Notice | None:
    return db.session.execute(select(Notice).where(
        Notice.supersedes_id == notice_id, Notice.status != Status.WITHDRAWN)).scalar_one_or_none()


def _needs_person(finding: Finding) -> bool:
    if not finding.sealed:
        return True
    if not finding.has_number or finding.notice_status not in (Status.PUBLISHED, Status.ARCHIVED):
        return False  # an invisible character only, or a version no longer shown as current
    return _pending_correction(finding.notice_id) is None


def _correct(report: Report, user: User) -> None:
    """A masked correction draft of every current notice whose sealed text holds a number."""
    ids = {f.notice_id for f in report.findings if f.sealed and f.has_number and f.notice_id is not None}
    for notice_id in sorted(ids):
        old = db.session.get(Notice, notice_id)
        if old is None or old.status not in (Status.PUBLISHED, Status.ARCHIVED) or _pending_correction(old.id):
            continue
        new = notices.start_correction(old, user, CORRECTION_REASON)
        db.session.flush()
        report.corrections.append(new.id)
    if report.corrections:  # one pass over the tables for all the new drafts
        _fix_unsealed(report, only_notices=set(report.corrections))


def sweep(*, fix: bool = False, correct_as: User | None = None) -> Report:
    """Find, and with ``fix`` mend, stored text holding private numbers.

    The caller commits. ``correct_as`` (a clerk or township admin of the
    notices' villages) starts the corrections of sealed versions."""
    report = Report(find())
    if fix:
        _fix_unsealed(report)
        _fix_audit_log(report)
        for table, count in sorted(report.fixed.items()):
            audit.record(None, "privacy.sweep", table, None, after={"rows": count})
        if report.audit_rows_fixed:
            audit.record(None, "privacy.sweep", "audit_log", None, after={"rows": report.audit_rows_fixed})
    if correct_as is not None:
        _correct(report, correct_as)
    db.session.flush()
    report.remaining = [f for f in find() if _needs_person(f)]
    return report
