"""Township oversight: which villages are late (the dashboard and its month
view), red flags on rosters (paid twice, above the standard, a cadre or
relative among the beneficiaries) and the cadres-and-relatives register.

Red flags and the register are for township staff only; the dashboard shows
a clerk or supervisor their own village.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..clock import china_today
from .. import keys, periods, privacy
from ..catalogue import CATEGORIES, FREQUENCY_DAYS, FREQUENCY_NAMES, PERIODIC_FREQUENCIES, ROSTER_KINDS
from ..clock import china_time
from ..extensions import db
from ..models import (
    CURRENT_STATUSES, CadreRelative, InfoRequest, Notice, Question, RedFlag, RosterLine, Status, Township, User,
    Village, utcnow,
)
from ..money import format_yuan
from . import ServiceError, access, audit, feedback, rules

FLAG_KINDS = {"duplicate_payment": "重复领取", "above_standard": "超标准发放", "cadre_relative": "村干部及近亲属享受"}


def villages_for(user: User) -> list[Village]:
    """The dashboard's villages: the county's for a county admin (read-only), else those in scope."""
    return access.dashboard_villages(user)


def require_township_staff(user: User) -> None:
    if not user.is_township_admin:
        raise ServiceError("只有乡镇工作人员可以查看")


# Dashboard -------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryState:
    """One line of what a village must disclose, late or not: a catalogue
    category, or (``kind`` set) one roster kind of it judged by its own frequency."""

    category: str
    name: str
    frequency: str
    frequency_name: str
    last_notice_id: int | None
    last_title: str
    last_period_end: dt.date | None
    last_published: dt.date | None
    age_days: int | None  # days since the end of the last period disclosed
    limit_days: int
    state: str  # ok | overdue | stale | none
    kind: str | None = None  # catalogue.ROSTER_KINDS key for a roster kind's line

    @property
    def label(self) -> str:
        return {"ok": "按时", "overdue": "逾期未公开", "stale": "久未公开", "none": "暂无"}[self.state]


@dataclass
class VillageRow:
    village_id: int
    code: str
    name: str
    township: str = ""
    categories: list[CategoryState] = field(default_factory=list)
    kinds: list[CategoryState] = field(default_factory=list)  # the roster kinds it must publish (kind_states)
    overdue_questions: int = 0
    open_questions: int = 0
    in_notice_period: int = 0
    on_hold: int = 0
    overdue_requests: int = 0
    open_flags: int = 0
    late_decisions: int = 0  # resolutions published (or still unpublished) past their working-day limit

    @property
    def overdue_count(self) -> int:
        return sum(1 for c in (*self.categories, *self.kinds) if c.state == "overdue")

    @property
    def stale_count(self) -> int:
        return sum(1 for c in (*self.categories, *self.kinds) if c.state == "stale")

    @property
    def is_late(self) -> bool:
        return bool(self.overdue_count or self.overdue_questions or self.overdue_requests or self.late_decisions)


def lateness(frequency: str, last_period_end: dt.date | None, today: dt.date) -> tuple[int | None, int, str]:
    """The one rule of lateness, for a category and a roster kind alike:
    ``(age_days, limit_days, state)``. Late means the last period disclosed
    ended more than the frequency's allowance (catalogue.FREQUENCY_DAYS) ago.
    A scheduled frequency (monthly, quarterly, yearly) is *overdue* then, or
    when never disclosed; the ones that come as things happen (per batch, per
    stage, at once) are only *stale*, and *none* when never disclosed."""
    limit = FREQUENCY_DAYS.get(frequency, 366)
    age = (today - last_period_end).days if last_period_end is not None else None
    periodic = frequency in PERIODIC_FREQUENCIES
    if age is None:
        state = "overdue" if periodic else "none"
    elif age > limit:
        state = "overdue" if periodic else "stale"
    else:
        state = "ok"
    return age, limit, state


def _state(category: str, name: str, freq: str, last: Notice | None, today: dt.date,
           kind: str | None = None) -> CategoryState:
    age, limit, state = lateness(freq, last.period_end if last is not None else None, today)
    return CategoryState(
        category=category, name=name, frequency=freq,
        frequency_name=FREQUENCY_NAMES.get(freq, freq), last_notice_id=last.id if last else None,
        last_title=last.title if last else "", last_period_end=last.period_end if last else None,
        last_published=china_time(last.published_at).date() if last and last.published_at else None,
        age_days=age, limit_days=limit, state=state, kind=kind,
    )


def category_state(township: Township, category: str, last: Notice | None, today: dt.date) -> CategoryState:
    """A category by the township's frequency for it (rules.frequency), by :func:`lateness`."""
    return _state(category, CATEGORIES[category].name, rules.frequency(township, category), last, today)


def kind_state(township: Township, kind: str, last: Notice | None, today: dt.date) -> CategoryState:
    """A roster kind by its own frequency (rules.kind_frequency: 低保 monthly,
    耕地地力保护补贴 yearly, 临时救助 per batch), by :func:`lateness`."""
    spec = ROSTER_KINDS[kind]
    return _state(spec.category, spec.name, rules.kind_frequency(township, kind), last, today, kind=kind)


def _last_per(village_ids: list[int], column) -> dict[tuple[int, str], Notice]:  # noqa: ANN001
    """The current notice with the latest period per village and ``column``
    (Notice.category or Notice.roster_kind)."""
    latest = (
        select(Notice.village_id, column.label("key"), func.max(Notice.period_end).label("end"))
        .where(Notice.village_id.in_(village_ids), Notice.status.in_(CURRENT_STATUSES), column.is_not(None))
        .group_by(Notice.village_id, column).subquery()
    )
    rows = db.session.execute(
        select(Notice).join(latest, (Notice.village_id == latest.c.village_id)
                            & (column == latest.c.key) & (Notice.period_end == latest.c.end))
        .where(Notice.status.in_(CURRENT_STATUSES)).order_by(Notice.published_at, Notice.id)
    ).scalars()
    return {(n.village_id, getattr(n, column.key)): n for n in rows}  # the later publication wins a tie


def category_states(villages: list[Village], today: dt.date) -> dict[int, list[CategoryState]]:
    """Each village's catalogue categories, late or not (one query for all of them)."""
    last = _last_per([v.id for v in villages], Notice.category) if villages else {}
    return {v.id: [category_state(v.township, code, last.get((v.id, code)), today) for code in CATEGORIES]
            for v in villages}


def kind_states(villages: list[Village], today: dt.date) -> dict[int, list[CategoryState]]:
    """Each village's roster kinds, each judged by its own frequency (one query
    for all of them), so a village that published 临时救助 last week but its
    monthly 低保 roster three months ago is late for 低保.

    The kinds a village must publish: every kind it has published before (a
    current version), and every kind its township requires of all villages
    (rules.required_kinds; never published, a scheduled one is overdue). A kind
    a village never paid (no 特困 household, no 公益岗位) is not asked of it."""
    last = _last_per([v.id for v in villages], Notice.roster_kind) if villages else {}
    result = {}
    for village in villages:
        required = set(rules.required_kinds(village.township))
        result[village.id] = [kind_state(village.township, code, last.get((village.id, code)), today)
                              for code in ROSTER_KINDS if code in required or (village.id, code) in last]
    return result


def _count_by_village(query) -> dict[int, int]:  # noqa: ANN001
    return {vid: n for vid, n in db.session.execute(query).all()}


def dashboard(user: User, today: dt.date | None = None) -> list[VillageRow]:
    from . import decisions
    from . import requests as requests_service

    today = today or china_today()
    villages = villages_for(user)
    ids = [v.id for v in villages]
    if not ids:
        return []
    states, kinds = category_states(villages, today), kind_states(villages, today)
    open_q = _count_by_village(
        select(Question.village_id, func.count()).where(
            Question.village_id.in_(ids), Question.answered_at.is_(None), Question.is_hidden.is_(False))
        .group_by(Question.village_id))
    late_q = _count_by_village(
        select(Question.village_id, func.count()).where(
            Question.village_id.in_(ids), Question.answered_at.is_(None), Question.is_hidden.is_(False),
            Question.due_on < today).group_by(Question.village_id))
    active = _count_by_village(
        select(Notice.village_id, func.count()).where(
            Notice.village_id.in_(ids), Notice.status == Status.PUBLISHED, Notice.notice_start <= today,
            Notice.notice_end >= today).group_by(Notice.village_id))
    held = _count_by_village(
        select(Notice.village_id, func.count()).where(
            Notice.village_id.in_(ids), Notice.on_hold_since.is_not(None),
            Notice.status == Status.PUBLISHED).group_by(Notice.village_id))
    late_r: dict[int, int] = defaultdict(int)
    for req in db.session.execute(select(InfoRequest).where(
            InfoRequest.village_id.in_(ids), InfoRequest.replied_on.is_(None))).scalars():
        if today > req.deadline and not requests_service.is_waiting_for_correction(req):
            late_r[req.village_id] += 1
    flags = _count_by_village(
        select(RedFlag.village_id, func.count()).where(
            RedFlag.village_id.in_(ids), RedFlag.cleared_at.is_(None)).group_by(RedFlag.village_id))
    late_d = decisions.late_count_by_village(user, today)
    result = []
    for village in villages:
        row = VillageRow(village.id, village.code, village.name, village.township.name,
                         late_decisions=late_d.get(village.id, 0), overdue_questions=late_q.get(village.id, 0),
                         open_questions=open_q.get(village.id, 0),
                         in_notice_period=active.get(village.id, 0), on_hold=held.get(village.id, 0),
                         overdue_requests=late_r.get(village.id, 0),
                         open_flags=flags.get(village.id, 0) if user.is_township_admin else 0,
                         categories=states[village.id], kinds=kinds[village.id])
        result.append(row)
    return result


def active_notices(user: User, today: dt.date | None = None) -> list[Notice]:
    """Notices in their notice period today, in the villages the user sees."""
    today = today or china_today()
    ids = [v.id for v in villages_for(user)]
    return list(db.session.execute(
        select(Notice).where(Notice.village_id.in_(ids), Notice.status == Status.PUBLISHED,
                             Notice.notice_start <= today, Notice.notice_end >= today)
        .order_by(Notice.notice_end, Notice.id)
    ).scalars())


@dataclass
class MonthRow:
    village: Village
    by_category: dict[str, list[Notice]]
    questions_received: int
    questions_answered: int

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.by_category.values())


def month_view(user: User, month: periods.Period) -> list[MonthRow]:
    """What each village published in a month, per category, and the questions of the month."""
    start = dt.datetime.combine(month.start, dt.time.min)
    end = dt.datetime.combine(month.end + dt.timedelta(days=1), dt.time.min)
    rows = []
    for village in villages_for(user):
        published = db.session.execute(
            select(Notice).where(Notice.village_id == village.id, Notice.published_at >= start,
                                 Notice.published_at < end, Notice.status.in_(
                                     (Status.PUBLISHED, Status.ARCHIVED, Status.SUPERSEDED, Status.WITHDRAWN)))
            .order_by(Notice.published_at)
        ).scalars()
        by_category: dict[str, list[Notice]] = {code: [] for code in CATEGORIES}
        for notice in published:
            by_category.setdefault(notice.category, []).append(notice)
        received = db.session.execute(select(func.count()).where(
            Question.village_id == village.id, Question.created_at >= start, Question.created_at < end)).scalar_one()
        answered = db.session.execute(select(func.count()).where(
            Question.village_id == village.id, Question.answered_at >= start, Question.answered_at < end)).scalar_one()
        rows.append(MonthRow(village, by_category, received, answered))
    return rows


def _line_name(state: CategoryState) -> str:
    """社会救助 for a category, 社会救助·城乡低保 for a roster kind."""
    if state.kind is None:
        return state.name
    category = CATEGORIES.get(state.category)
    return f"{category.name}·{state.name}" if category else state.name


def dashboard_table(rows: list[VillageRow], today: dt.date) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the dashboard for the .xlsx export."""
    headers = ["村", "类别", "公开频次", "最近公开事项", "所属期间截止", "发布日期", "距今天数", "允许天数", "状态",
               "逾期未答复问题", "公示中", "暂停公示", "逾期依申请公开", "决议公开逾期"]
    table: list[list[object]] = []
    several = len({row.township for row in rows}) > 1  # a county's: the township names the village
    for row in rows:
        for i, c in enumerate((*row.categories, *row.kinds)):
            first = i == 0
            table.append([
                row.township + row.name if several else row.name, _line_name(c), c.frequency_name, c.last_title, c.last_period_end, c.last_published, c.age_days,
                c.limit_days, c.label,
                row.overdue_questions if first else None, row.in_notice_period if first else None,
                row.on_hold if first else None, row.overdue_requests if first else None,
                row.late_decisions if first else None,
            ])
    return headers, table


# Red flags -------------------------------------------------------------------

def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def duplicate_key(kind: str, id_hash: str, line_ids: list[int]) -> str:
    """The stable key of a duplicate-payment flag (``flask keys rotate``
    re-keys it with the fingerprints, so a flag is not raised twice)."""
    return _fingerprint("dup", kind, id_hash, *sorted(line_ids))


def _current_lines(township: Township):  # noqa: ANN202
    return (
        select(RosterLine, Notice)
        .join(Notice, RosterLine.notice_id == Notice.id)
        .join(Village, RosterLine.village_id == Village.id)
        .where(Village.township_id == township.id, Notice.status.in_(CURRENT_STATUSES))
    )


def _add_flag(found: dict[str, RedFlag], township: Township, village_id: int, kind: str, fp: str,
              description: str, line_ids: list[int]) -> None:
    found[fp] = RedFlag(township_id=township.id, village_id=village_id, kind=kind, fingerprint=fp,
                        description=description, roster_line_ids=sorted(line_ids))


def _village_names(township: Township) -> dict[int, str]:
    return {v.id: v.name for v in township.villages}


def find_flags(township: Township) -> dict[str, RedFlag]:
    """Every flag the current rosters of a township raise, by fingerprint (unsaved)."""
    found: dict[str, RedFlag] = {}
    names = _village_names(township)
    rows = db.session.execute(_current_lines(township).order_by(RosterLine.id)).all()

    # 1. The same person (keyed ID hash) paid twice for one kind in overlapping periods.
    # Fingerprints compare in the current key version (a line not yet re-keyed is lifted).
    ring = keys.ring()
    by_person: dict[tuple[str, str], list[tuple[RosterLine, Notice]]] = defaultdict(list)
    for line, notice in rows:
        if line.id_hash:
            by_person[(line.kind, ring.lift(line.id_hash, line.id_key or 1))].append((line, notice))
    for (kind, id_hash), items in by_person.items():
        if len(items) < 2:
            continue
        items.sort(key=lambda item: (item[1].period_start, item[0].id))
        cluster: list[tuple[RosterLine, Notice]] = []
        cluster_end: dt.date | None = None
        for item in [*items, None]:
            if item is not None and cluster and item[1].period_start <= cluster_end:
                cluster.append(item)
                cluster_end = max(cluster_end, item[1].period_end)
                continue
            if len(cluster) >= 2:
                ids = [ln.id for ln, _ in cluster]
                villages = sorted({names.get(ln.village_id, "?") for ln, _ in cluster})
                where = "、".join(villages)
                kind_name = ROSTER_KINDS[kind].name if kind in ROSTER_KINDS else kind
                description = (f"{cluster[0][0].name}（身份证{cluster[0][0].id_masked}）在{where}同一期间"
                               f"（{'、'.join(sorted({n.period_label for _, n in cluster}))}）"
                               f"{len(cluster)}次领取{kind_name}，共{format_yuan(sum(ln.amount_fen for ln, _ in cluster))}元")
                _add_flag(found, township, cluster[0][0].village_id, "duplicate_payment",
                          duplicate_key(kind, id_hash, ids), description, ids)
            if item is not None:
                cluster, cluster_end = [item], item[1].period_end

    # 2. An amount above the township's standard for the kind.
    standards: dict[str, int | None] = {}
    for line, notice in rows:
        if line.kind not in standards:
            standards[line.kind] = rules.standard_fen(township, line.kind)
        limit = standards[line.kind]
        if limit is not None and line.amount_fen > limit:
            kind_name = ROSTER_KINDS[line.kind].name if line.kind in ROSTER_KINDS else line.kind
            _add_flag(found, township, line.village_id, "above_standard", _fingerprint("std", line.id, limit),
                      f"{names.get(line.village_id, '')}《{notice.title}》第{line.seq}行 {line.name}："
                      f"{kind_name}{format_yuan(line.amount_fen)}元，高于标准{format_yuan(limit)}元", [line.id])

    # 3. A beneficiary on the cadres-and-relatives register.
    register = defaultdict(list)
    for entry in db.session.execute(select(CadreRelative).where(CadreRelative.township_id == township.id)).scalars():
        register[ring.lift(entry.id_hash, entry.id_key or 1)].append(entry)
    for line, notice in rows:
        for entry in register.get(ring.lift(line.id_hash, line.id_key or 1) if line.id_hash else "", []):
            kind_name = ROSTER_KINDS[line.kind].name if line.kind in ROSTER_KINDS else line.kind
            _add_flag(found, township, line.village_id, "cadre_relative", _fingerprint("cadre", entry.id, line.id),
                      f"{names.get(line.village_id, '')}《{notice.title}》第{line.seq}行 {line.name} "
                      f"是{names.get(entry.village_id, '')}村干部{entry.cadre_name}的{entry.relation}，"
                      f"领取{kind_name}{format_yuan(line.amount_fen)}元", [line.id])
    return found


def run_checks(township: Township, user: User | None) -> list[RedFlag]:
    """Raise the flags not raised before (cleared ones stay cleared). Returns the new ones."""
    if user is not None:
        require_township_staff(user)
        if user.township_id != township.id:
            raise ServiceError("您无权检查该乡镇")
    found = find_flags(township)
    if not found:
        return []
    known = set(db.session.execute(
        select(RedFlag.fingerprint).where(RedFlag.fingerprint.in_(list(found)))).scalars())
    new = [flag for fp, flag in found.items() if fp not in known]
    db.session.add_all(new)
    db.session.flush()
    if new:
        audit.record(user, "flags.run", "township", township.id, township_id=township.id,
                     after={"new": len(new), "by_kind": {k: sum(f.kind == k for f in new) for k in FLAG_KINDS}})
    return new


def clear_flag(flag: RedFlag, user: User, reason: str) -> None:
    require_township_staff(user)
    if flag.township_id != user.township_id:
        raise ServiceError("您无权处理该乡镇的预警")
    if flag.cleared_at is not None:
        raise ServiceError("该预警已处理")
    reason = feedback.plain_text(reason, 1000)
    if not reason:
        raise ServiceError("解除预警必须写明核实情况和理由", "reason")
    flag.cleared_at, flag.cleared_by_id, flag.clear_reason = utcnow(), user.id, reason
    audit.record(user, "flag.clear", "red_flag", flag.id, township_id=flag.township_id,
                 after={"kind": flag.kind, "reason": reason})


def flags_for(user: User, *, state: str = "open") -> list[RedFlag]:
    require_township_staff(user)
    query = select(RedFlag).where(RedFlag.township_id == user.township_id)
    if state == "open":
        query = query.where(RedFlag.cleared_at.is_(None))
    elif state == "cleared":
        query = query.where(RedFlag.cleared_at.is_not(None))
    return list(db.session.execute(query.order_by(RedFlag.raised_at.desc(), RedFlag.id.desc())).scalars())


def flag_lines(flag: RedFlag) -> list[RosterLine]:
    ids = [int(i) for i in flag.roster_line_ids or []]
    if not ids:
        return []
    return list(db.session.execute(select(RosterLine).where(RosterLine.id.in_(ids)).order_by(RosterLine.id)).scalars())


# The cadres-and-relatives register ---------------------------------------------

RELATIONS = ("本人", "配偶", "父母", "子女", "兄弟姐妹", "祖父母", "孙子女", "其他近亲属")


def add_cadre_relative(user: User, village: Village, *, name: str, id_number: str, cadre_name: str,
                       relation: str) -> CadreRelative:
    """Enter a person by name and ID number; only the keyed fingerprint of
    the number is stored."""
    require_township_staff(user)
    if not access.can_see_village(user, village):
        raise ServiceError("该村不属于本乡镇", "village")
    name, cadre_name = privacy.normalize(name)[:32], privacy.normalize(cadre_name)[:32]
    if not name:
        raise ServiceError("请填写姓名", "name")
    if not cadre_name:
        raise ServiceError("请填写村干部姓名", "cadre_name")
    if relation not in RELATIONS:
        raise ServiceError("请选择关系", "relation")
    problem = privacy.id_problem(id_number)
    if problem:
        raise ServiceError(problem, "id_number")
    key_version, id_hash = keys.fingerprint(id_number)
    exists = db.session.execute(select(CadreRelative).where(
        CadreRelative.township_id == user.township_id, CadreRelative.id_hash == id_hash,
        CadreRelative.cadre_name == cadre_name)).scalar_one_or_none()
    if exists is not None:
        raise ServiceError("该人员已在登记册中", "id_number")
    entry = CadreRelative(township_id=user.township_id, village_id=village.id, name=name, id_hash=id_hash, id_key=key_version,
                          cadre_name=cadre_name, relation=relation)
    db.session.add(entry)
    db.session.flush()
    audit.record(user, "cadre.add", "cadre_relative", entry.id, township_id=user.township_id,
                 after={"name": name, "cadre_name": cadre_name, "relation": relation, "village_id": village.id})
    return entry


def remove_cadre_relative(user: User, entry: CadreRelative) -> None:
    require_township_staff(user)
    if entry.township_id != user.township_id:
        raise ServiceError("您无权修改该登记册")
    audit.record(user, "cadre.delete", "cadre_relative", entry.id, township_id=user.township_id,
                 before={"name": entry.name, "cadre_name": entry.cadre_name, "relation": entry.relation})
    db.session.delete(entry)


def cadre_register(user: User) -> list[CadreRelative]:
    require_township_staff(user)
    return list(db.session.execute(select(CadreRelative).where(CadreRelative.township_id == user.township_id)
                                   .order_by(CadreRelative.village_id, CadreRelative.cadre_name,
                                             CadreRelative.id)).scalars())
