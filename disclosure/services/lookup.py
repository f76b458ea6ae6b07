"""我领了什么: a villager finds every payment made to them, by ID number and
surname, across the township (or the county).

The ID number is normalised and checked here, turned into the keyed
fingerprint rosters already store (privacy.id_fingerprint with the intake
key), and forgotten: nothing returned or logged carries it. The answer for
"no payments" and for "wrong surname" is the same empty result, so a
stranger learns nothing from it. Every lookup is logged by fingerprint
(models.LookupLog) for audit, the per-ID daily limit and the staff counts.

Services never read ``request`` and never commit; the view commits once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import bindparam, func, literal_column, select

from .. import keys, privacy
from ..catalogue import ROSTER_KINDS
from ..extensions import db
from ..models import (
    CURRENT_STATUSES, PUBLIC_STATUSES, LookupLog, Notice, Question, RosterLine, Status, Township, User, Village,
    utcnow,
)
from ..money import format_yuan
from . import ServiceError, access, feedback
from .notices import PublicState, latest_version, public_state

#: Lookups of one ID (by fingerprint) in 24 hours, from anywhere.
PER_ID_PER_DAY = 20
#: Kinds whose roster names the head of a household (户主) for the whole family.
HOUSEHOLD_KINDS = ("dibao", "tekun")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")

#: Common surnames (by frequency), offered on the kiosk beside the village's own.
COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)


class LookupRefused(ServiceError):
    """The lookup was not made: a bad ID or surname (a field error), or the daily limit."""


class LookupLimited(Exception):
    """This ID was looked up too often today."""


# Input --------------------------------------------------------------------------

def normalize_id(text: str | None) -> str:
    """What a villager typed → the 18-character ID (spaces, full-width digits
    and a small x accepted), or LookupRefused with the reason in Chinese."""
    value = privacy.normalize(text or "").upper()
    if not value:
        raise LookupRefused("请输入身份证号", "id_number")
    problem = privacy.id_problem(value)
    if problem:
        raise LookupRefused(f"{problem}，请核对后重新输入", "id_number")
    return value


def read_surname(text: str | None) -> str:
    """The surname: the first character of what was typed or chosen (a whole name is fine)."""
    value = privacy.normalize(text or "")
    if not value or not _HAN.match(value[0]):
        raise LookupRefused("请选择或填写您的姓（汉字）", "name")
    return value[0]


def fingerprint(id_number: str) -> str:
    """The keyed fingerprint rosters store for this ID (current key version;
    ``flask keys rotate`` re-keys every stored one into it)."""
    return keys.fingerprint(id_number)[1]


# Scope -----------------------------------------------------------------------------

def scope_village_ids(village: Village | None, *, county: bool) -> list[int] | None:
    """Villages searched: the township of ``village``, or with ``county`` every
    township of the same county; None (everything) when no village is given."""
    if village is None:
        return None
    township = village.township
    query = select(Village.id)
    if county and township.county:
        query = query.join(Township, Village.township_id == Township.id).where(Township.county == township.county)
    else:
        query = query.where(Village.township_id == township.id)
    return list(db.session.execute(query).scalars())


# The answer ------------------------------------------------------------------------

@dataclass(frozen=True)
class FoundLine:
    """One payment as the villager sees it: masked name, never an ID, account or phone."""

    line_id: int
    seq: int  # 序号 on its roster
    notice_id: int  # the version the line is on
    current_id: int | None  # the version in force, when this one was corrected
    title: str
    kind: str
    kind_name: str
    period_label: str
    year: int
    village_name: str
    group: str
    public_name: str
    amount_fen: int
    paid_on: dt.date | None
    household_size: int | None
    is_household_head: bool
    state: PublicState
    note: str  # what a correction or withdrawal means for this line
    is_counted: bool  # in the totals (a version in force)

    @property
    def is_askable(self) -> bool:
        return self.is_counted

    @property
    def reference(self) -> str:
        """The line as a question refers to it (no private data)."""
        group = f"，{self.group}" if self.group else ""
        return (f"关于“我领了什么”查到的一笔：{self.kind_name}，{self.period_label}，{self.public_name}{group}，"
                f"{format_yuan(self.amount_fen)}元（名单第{self.seq}行）")


@dataclass(frozen=True)
class Total:
    label: str
    count: int
    amount_fen: int


@dataclass(frozen=True)
class LookupResult:
    public_name: str
    lines: tuple[FoundLine, ...]
    by_year: tuple[Total, ...]
    by_kind: tuple[Total, ...]
    total_fen: int
    household: tuple[FoundLine, ...]  # lines paid to the household through its head (户主)

    @property
    def found(self) -> bool:
        return bool(self.lines)

    @property
    def counted(self) -> tuple[FoundLine, ...]:
        return tuple(line for line in self.lines if line.is_counted)


EMPTY = LookupResult("", (), (), (), 0, ())


_LINE_COLUMNS = (RosterLine.id, RosterLine.seq, RosterLine.kind, RosterLine.name, RosterLine.public_name,
                 RosterLine.group_no, RosterLine.household_size, RosterLine.amount_fen, RosterLine.paid_on,
                 RosterLine.village_id)
_NOTICE_COLUMNS = (Notice.id.label("notice_id"), Notice.series_id, Notice.status, Notice.version, Notice.title,
                   Notice.period_label, Notice.period_start, Notice.notice_start, Notice.notice_end,
                   Notice.on_hold_since, Notice.correction_reason, Notice.withdrawal_reason)


#: Built once (this is the hot path): the fingerprint is a bound parameter.
_BY_FINGERPRINT = (
    select(*_LINE_COLUMNS, *_NOTICE_COLUMNS, Village.name.label("village_name"))
    .join(Notice, RosterLine.notice_id == Notice.id).join(Village, RosterLine.village_id == Village.id)
    .where(RosterLine.id_hash == bindparam("id_hash"), Notice.status.in_(PUBLIC_STATUSES))
    .order_by(Notice.period_start.desc(), Notice.id.desc(), RosterLine.seq)
)


def _rows(id_hash: str, village_ids: list[int] | None) -> list:
    """Every public roster line with this fingerprint, with what the answer
    shows of its notice and village, in one query on the index
    ix_roster_lines_id_hash (columns, not entities). The scope is applied to
    the few rows found: a ``village_id IN`` in SQL would tempt the planner
    onto the village index (a scan of the village)."""
    allowed = None if village_ids is None else set(village_ids)
    rows = db.session.connection().execute(_BY_FINGERPRINT, {"id_hash": id_hash}).all()
    return [row for row in rows if allowed is None or row.village_id in allowed]


def find(id_hash: str, surname: str, village_ids: list[int] | None, today: dt.date) -> LookupResult:
    """The payments to the person with this fingerprint and surname. A wrong
    surname gives exactly the empty answer an unknown ID gives."""
    rows = [row for row in _rows(id_hash, village_ids) if row.name[:1] == surname]
    if not rows:
        return EMPTY
    in_force_series = {row.series_id for row in rows if row.status in CURRENT_STATUSES}
    corrected_series = {row.series_id for row in rows if row.status == Status.SUPERSEDED}
    lines: list[FoundLine] = []
    for row in rows:
        counted = row.status in CURRENT_STATUSES
        current_id, note = None, ""
        if counted and row.series_id in corrected_series:
            note = f"这是更正后的第{row.version}版。更正原因：{row.correction_reason}"
        elif row.status == Status.SUPERSEDED:
            if row.series_id in in_force_series:
                continue  # the version in force is listed instead
            latest = latest_version(db.session.get(Notice, row.notice_id))
            current_id = latest.id if latest.id != row.notice_id and latest.status in PUBLIC_STATUSES else None
            note = "这份名单已更正，更正后的名单中没有这一笔，不计入合计。"
        elif row.status == Status.WITHDRAWN:
            note = "这份名单已撤回，不计入合计。"
        kind = ROSTER_KINDS.get(row.kind)
        lines.append(FoundLine(
            line_id=row.id, seq=row.seq, notice_id=row.notice_id, current_id=current_id, title=row.title,
            kind=row.kind, kind_name=kind.name if kind else "名单", period_label=row.period_label,
            year=row.period_start.year, village_name=row.village_name,
            group=f"第{row.group_no}村民小组" if row.group_no else "", public_name=row.public_name,
            amount_fen=row.amount_fen, paid_on=row.paid_on, household_size=row.household_size,
            is_household_head=row.kind in HOUSEHOLD_KINDS or row.household_size is not None,
            state=public_state(row, today), note=note, is_counted=counted,
        ))
    counted_lines = [line for line in lines if line.is_counted]
    return LookupResult(
        public_name=privacy.mask_name(rows[0].name),
        lines=tuple(lines),
        by_year=_totals(counted_lines, lambda l: f"{l.year}年", reverse=True),
        by_kind=_totals(counted_lines, lambda l: l.kind_name),
        total_fen=sum(line.amount_fen for line in counted_lines),
        household=tuple(line for line in counted_lines if line.is_household_head),
    )


def _totals(lines: list[FoundLine], key, *, reverse: bool = False) -> tuple[Total, ...]:  # noqa: ANN001
    counts: Counter[str] = Counter()
    sums: Counter[str] = Counter()
    for line in lines:
        counts[key(line)] += 1
        sums[key(line)] += line.amount_fen
    return tuple(Total(label, counts[label], sums[label]) for label in sorted(counts, reverse=reverse))


# One lookup, logged ------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    result: LookupResult
    log_id: int
    surname: str


def looked_up_today(id_hash: str, now: dt.datetime | None = None) -> int:
    since = (now or utcnow()) - dt.timedelta(days=1)
    return db.session.execute(select(func.count()).where(
        LookupLog.id_hash == id_hash, LookupLog.at >= since, LookupLog.outcome.in_(("found", "none")))).scalar_one()


def _log(village: Village | None, channel: str, id_hash: str | None, outcome: str) -> LookupLog:
    entry = LookupLog(village_id=village.id if village else None, township_id=village.township_id if village else None,
                      channel=channel, id_hash=id_hash, id_key=keys.ring().current if id_hash else None,
                      outcome=outcome)
    db.session.add(entry)
    db.session.flush()
    return entry


def lookup(id_number: str | None, name: str | None, *, village: Village | None, channel: str, county: bool,
           today: dt.date) -> Outcome:
    """Check the input, apply the per-ID limit, search, log. Raises
    LookupRefused (bad input, logged as ``invalid``) or LookupLimited (logged as
    ``limited``); the caller commits in every case."""
    if channel not in ("kiosk", "phone"):
        raise ValueError(channel)
    try:
        value = normalize_id(id_number)
    except LookupRefused:
        _log(village, channel, None, "invalid")
        raise
    id_hash = fingerprint(value)
    del value
    try:
        surname = read_surname(name)
    except LookupRefused:
        _log(village, channel, id_hash, "invalid")
        raise
    if looked_up_today(id_hash) >= PER_ID_PER_DAY:
        _log(village, channel, id_hash, "limited")
        raise LookupLimited
    result = find(id_hash, surname, scope_village_ids(village, county=county), today)
    entry = _log(village, channel, id_hash, "found" if result.found else "none")
    return Outcome(result, entry.id, surname)


def replay(log_id: int, surname: str, *, village: Village | None, county: bool, today: dt.date) -> LookupResult:
    """The result of an earlier lookup (for the slip and a question on a
    line), from its log entry: the ID is never asked for or sent again."""
    entry = db.session.get(LookupLog, log_id)
    if entry is None or entry.id_hash is None or entry.outcome != "found":
        return EMPTY
    return find(keys.current(entry.id_hash, entry.id_key) or "", surname, scope_village_ids(village, county=county),
                today)


def ask_about(result: LookupResult, line_id: int, *, channel: str, concern: str) -> Question:
    """有疑问 on one found line: a question on that line's notice, naming the line."""
    line = next((l for l in result.lines if l.line_id == line_id and l.is_askable), None)
    if line is None:
        raise ServiceError("这一笔不能提问，请直接联系村务监督委员会")
    notice = db.session.get(Notice, line.notice_id)
    return feedback.ask(notice, channel=channel, concern=concern, text=line.reference)


# Surnames for the kiosk's surname keys ------------------------------------------------

def surname_choices(village: Village, limit: int = 24) -> tuple[list[str], dict[str, list[str]]]:
    """(the village's most common surnames, every offered surname by pinyin
    initial). Surnames are public already (masked names keep them)."""
    from ..pinyin import initials

    first = func.substr(RosterLine.name, literal_column("1"), literal_column("1"))  # one expression on PostgreSQL too
    rows = db.session.execute(select(first, func.count()).where(RosterLine.village_id == village.id)
                              .group_by(first).order_by(func.count().desc(), first)).all()
    local = [s for s, _ in rows if s and _HAN.match(s)]
    common = list(dict.fromkeys(local + list(COMMON_SURNAMES)))
    by_letter: dict[str, list[str]] = {}
    for surname in common:
        for option in initials(surname).split():
            by_letter.setdefault(option[:1], []).append(surname)
    return (local or list(COMMON_SURNAMES))[:limit], dict(sorted(by_letter.items()))


# Staff: how many lookups per village per month (no IDs) --------------------------------

@dataclass(frozen=True)
class MonthCounts:
    months: tuple[str, ...]  # 2026-11, newest first
    rows: tuple[tuple[str, tuple[int, ...], int], ...]  # village name, count per month, total


def monthly_counts(user: User, months: int = 12, now: dt.datetime | None = None) -> MonthCounts:
    """Lookups made per village per month for the township admin's villages."""
    from ..clock import china_time

    if not access.can_manage_users(user):
        raise ServiceError("只有乡镇管理员可以查看")
    villages = access.villages_in_scope(user)
    now = now or utcnow()
    since = now - dt.timedelta(days=31 * months)
    rows = db.session.execute(select(LookupLog.village_id, LookupLog.at).where(
        LookupLog.township_id == user.township_id, LookupLog.at >= since,
        LookupLog.outcome.in_(("found", "none")))).all()
    counts: Counter[tuple[int, str]] = Counter()
    for village_id, at in rows:
        counts[(village_id, f"{china_time(at):%Y-%m}")] += 1
    keys = sorted({month for _, month in counts}, reverse=True)[:months]
    table = tuple((v.name, tuple(counts[(v.id, m)] for m in keys), sum(counts[(v.id, m)] for m in keys))
                  for v in villages)
    return MonthCounts(tuple(keys), table)
