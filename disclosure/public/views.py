"""Public view objects: the only data public templates, PDFs, exports, the
API and feeds receive. Built from ORM rows here, they hold no private field
(no full name unless the township requires it, no ID, account or phone), so
an output cannot leak what it was never given."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from collections.abc import Iterable

from flask import abort
from sqlalchemy import Select, String, and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..clock import china_today
from ..catalogue import CATEGORIES, LEDGER_SUBJECTS, ROSTER_KINDS, SUPERVISION_HOTLINE, seen_token
from ..extensions import db
from ..models import (  # Notice, Village: the faces' type names; CONCERNS: what a villager may ask about
    CONCERNS, CURRENT_STATUSES, PUBLIC_STATUSES, LedgerLine, Notice, RosterKey, RosterLine, Stage, Status, Township, Village, VoucherImage,
    utcnow,
)
from ..models.catalogue import token_column as catalogue_token
from ..money import format_yuan
from ..services import chain
from ..services.notices import PublicState, public_state, successor, successor_ids


@dataclass(frozen=True)
class Phones:
    supervision: str  # 村务监督委员会
    township: str
    hotline: str | None  # 12317 for relief funds


@dataclass(frozen=True)
class PublicNotice:
    id: int
    village_code: str
    village_name: str
    township_name: str
    category: str
    category_name: str
    roster_kind: str | None
    kind_name: str
    title: str
    body: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    notice_start: dt.date | None
    notice_end: dt.date | None
    published_at: dt.datetime | None
    version: int
    supersedes_id: int | None
    successor_id: int | None
    correction_reason: str
    withdrawal_reason: str
    verify_code: str | None
    chain_code: str | None  # 链头: this version's link of the village chain (services/chain.notice_head_code)
    state: PublicState
    phones: Phones

    def as_dict(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, dt.date | dt.datetime):
                data[key] = value.isoformat()
        data["state"] = {"code": self.state.code, "label": self.state.label, "detail": self.state.detail}
        return data


def phones_for(notice: Notice) -> Phones:
    village = notice.village
    return Phones(
        supervision=village.supervision_phone,
        township=village.township.phone,
        hotline=SUPERVISION_HOTLINE if notice.category == "project" else None,
    )


def _view(notice: Notice, state: PublicState, successor_id: int | None) -> PublicNotice:
    return PublicNotice(
        id=notice.id, village_code=notice.village.code, village_name=notice.village.name,
        township_name=notice.village.township.name, category=notice.category,
        category_name=CATEGORIES[notice.category].name, roster_kind=notice.roster_kind,
        kind_name=ROSTER_KINDS[notice.roster_kind].name if notice.roster_kind in ROSTER_KINDS else "",
        title=notice.title, body=notice.body, period_label=notice.period_label,
        period_start=notice.period_start, period_end=notice.period_end, notice_start=notice.notice_start,
        notice_end=notice.notice_end, published_at=notice.published_at, version=notice.version,
        supersedes_id=notice.supersedes_id, successor_id=successor_id,
        correction_reason=notice.correction_reason, withdrawal_reason=notice.withdrawal_reason,
        verify_code=notice.verify_code, chain_code=chain.notice_head_code(notice), state=state,
        phones=phones_for(notice),
    )


def notice_view(notice: Notice, today: dt.date | None = None) -> PublicNotice:
    if notice.status not in PUBLIC_STATUSES:
        raise LookupError("notice is not public")
    nxt = successor(notice)
    return _view(notice, public_state(notice, today or china_today()), nxt.id if nxt else None)


def notice_views(notices: list[Notice], today: dt.date | None = None) -> list[PublicNotice]:
    """``notice_view`` of a list of notices, with one query for their corrections."""
    if any(n.status not in PUBLIC_STATUSES for n in notices):
        raise LookupError("notice is not public")
    today = today or china_today()
    following = successor_ids(notices)
    return [_view(n, public_state(n, today), following.get(n.id)) for n in notices]


def review_view(notice: Notice) -> PublicNotice:
    """The same view of a notice that is not public yet, for the staff's review print."""
    return _view(notice, PublicState("draft", notice.status.label, "未发布，仅供审核"), None)


@dataclass(frozen=True)
class PublicLedgerLine:
    id: int
    occurred_on: dt.date
    voucher_no: str
    summary: str
    direction: str
    subject: str
    subject_name: str
    amount_fen: int
    voucher_ids: tuple[int, ...] = field(default_factory=tuple)  # public voucher photos only


def ledger_view(line: LedgerLine) -> PublicLedgerLine:
    return PublicLedgerLine(
        id=line.id, occurred_on=line.occurred_on, voucher_no=line.voucher_no, summary=line.summary,
        direction=line.direction, subject=line.subject,
        subject_name=LEDGER_SUBJECTS[line.subject].name if line.subject in LEDGER_SUBJECTS else line.subject,
        amount_fen=line.amount_fen, voucher_ids=tuple(v.id for v in line.vouchers if v.is_public),
    )


@dataclass(frozen=True)
class PublicRosterLine:
    seq: int
    name: str  # masked at intake (privacy.mask_name), or full where the township requires it
    group: str  # 第2村民小组
    kind: str
    kind_name: str
    household_size: int | None
    basis: str  # 6.10亩 × 105.50元/亩
    amount_fen: int
    paid_on: dt.date | None
    reason: str  # public category only (因病 …)
    quantity: str = ""  # 6.1 (in the kind's unit)
    rate_fen: int | None = None
    grade: str = ""  # 等级 (一类, 全护理, 一级) where the kind shows one


def _quantity(line: RosterLine) -> str:
    """The basis quantity in the kind's unit (6.1), from a RosterLine or a row of ROSTER_PUBLIC_COLUMNS."""
    if line.quantity_milli is None:
        return ""
    return f"{Decimal(line.quantity_milli) / 1000:.2f}".rstrip("0").rstrip(".")


#: The columns a public roster line is made of (roster_search reads only these, never a name or a hash).
ROSTER_PUBLIC_COLUMNS = (RosterLine.seq, RosterLine.public_name, RosterLine.group_no, RosterLine.kind,
                         RosterLine.household_size, RosterLine.quantity_milli, RosterLine.rate_fen,
                         RosterLine.amount_fen, RosterLine.paid_on, RosterLine.reason, RosterLine.grade,
                         RosterLine.initials)

#: The one definition of a roster's shape: each optional column (catalogue.COLUMN_KEYS, and
#: 补贴依据 "basis" of a project's roster) and the line fields that fill it (all of them, not
#: NULL and not empty). roster_summary counts it in SQL over a whole roster (the search pages);
#: line_shape checks lines in Python (the PDF, the files, the API's tables). A new optional
#: column is one entry here and its cell in tables._ROSTER_CELLS.
SHAPE_FIELDS = {
    "household_size": (RosterLine.household_size,),
    "grade": (RosterLine.grade,),
    "quantity": (RosterLine.quantity_milli,),
    "rate": (RosterLine.rate_fen,),
    "basis": (RosterLine.quantity_milli, RosterLine.rate_fen),
    "reason": (RosterLine.reason,),
    "paid_on": (RosterLine.paid_on,),
}


def _fills_sql(key: str):  # noqa: ANN202 - a SQL boolean
    tests = [c.is_not(None) for c in SHAPE_FIELDS[key]]
    tests += [c != "" for c in SHAPE_FIELDS[key] if isinstance(c.type, String)]
    return and_(*tests)


def _fills(line: object, key: str) -> bool:
    return all(getattr(line, c.key) not in (None, "") for c in SHAPE_FIELDS[key])


def line_shape(lines: Iterable[object], kind: str | None) -> RosterShape:
    """Which optional columns some of ``lines`` fills (RosterLine objects or rows of ROSTER_PUBLIC_COLUMNS)."""
    lines = list(lines)
    return RosterShape(kind, frozenset(key for key in SHAPE_FIELDS if any(_fills(line, key) for line in lines)))


def _basis(line: RosterLine) -> str:
    if line.quantity_milli is not None and line.rate_fen is not None:
        kind = ROSTER_KINDS.get(line.kind)
        unit, rate_unit = (kind.quantity_unit, kind.rate_unit) if kind else ("亩", "元/亩")
        return f"{_quantity(line)}{unit} × {format_yuan(line.rate_fen)}{rate_unit}"
    return ""


def roster_view(line: RosterLine) -> PublicRosterLine:
    """A roster line as the public sees it (from a RosterLine or a row of ROSTER_PUBLIC_COLUMNS)."""
    return PublicRosterLine(
        seq=line.seq, name=line.public_name, group=f"第{line.group_no}村民小组" if line.group_no else "",
        kind=line.kind, kind_name=ROSTER_KINDS[line.kind].name if line.kind in ROSTER_KINDS else "",
        household_size=line.household_size, basis=_basis(line), amount_fen=line.amount_fen,
        paid_on=line.paid_on, reason=line.reason, quantity=_quantity(line), rate_fen=line.rate_fen,
        grade=line.grade or "",
    )


@dataclass(frozen=True)
class PublicFund:
    source: str
    allocated_fen: int
    spent_fen: int


@dataclass(frozen=True)
class PublicProject:
    key: str
    name: str
    location: str
    content: str
    subsidy_standard: str
    starts_on: dt.date
    ends_on: dt.date
    implementer: str
    responsible: str
    performance_goal: str
    households_benefiting: int
    persons_benefiting: int
    benefit_mechanism: str
    procurement: str
    result: str
    stage: str
    stage_label: str
    funds: tuple[PublicFund, ...]
    allocated_fen: int
    spent_fen: int

    @property
    def spent_percent(self) -> int:
        return round(100 * self.spent_fen / self.allocated_fen) if self.allocated_fen else 0


def project_view(notice: Notice) -> PublicProject | None:
    p = notice.project
    if p is None:
        return None
    return PublicProject(
        key=p.project_key, name=p.name, location=p.location, content=p.content, subsidy_standard=p.subsidy_standard,
        starts_on=p.starts_on, ends_on=p.ends_on, implementer=p.implementer, responsible=p.responsible,
        performance_goal=p.performance_goal, households_benefiting=p.households_benefiting,
        persons_benefiting=p.persons_benefiting, benefit_mechanism=p.benefit_mechanism, procurement=p.procurement,
        result=p.result, stage=p.stage, stage_label=Stage(p.stage).label,
        funds=tuple(PublicFund(f.source, f.allocated_fen, f.spent_fen) for f in p.funds),
        allocated_fen=p.allocated_fen, spent_fen=p.spent_fen,
    )


@dataclass(frozen=True)
class PublicAsset:
    seq: int
    name: str
    kind: str
    location: str
    size: str
    lessee: str
    contract_start: dt.date | None
    contract_end: dt.date | None
    annual_income_fen: int


def asset_views(notice: Notice) -> list[PublicAsset]:
    return [PublicAsset(a.seq, a.name, a.kind, a.location, a.size, a.lessee, a.contract_start, a.contract_end,
                        a.annual_income_fen) for a in notice.asset_lines]


# Queries -------------------------------------------------------------------

def published_notices(village: Village, category: str | None = None, *, current_only: bool = False,
                      limit: int | None = None, with_lines: bool = False) -> list[Notice]:
    """Public notices of a village, newest first. ``current_only`` leaves out
    superseded and withdrawn versions; ``with_lines`` loads every notice's
    lines, project and decision with them (a few queries for all, not a few per notice)."""
    query = select(Notice).where(Notice.village_id == village.id,
                                 Notice.status.in_(CURRENT_STATUSES if current_only else PUBLIC_STATUSES))
    if category:
        query = query.where(Notice.category == category)
    if with_lines:
        query = query.options(selectinload(Notice.ledger_lines), selectinload(Notice.roster_lines),
                              selectinload(Notice.asset_lines), selectinload(Notice.project),
                              selectinload(Notice.decision))
    return list(db.session.execute(
        query.order_by(Notice.published_at.desc(), Notice.id.desc()).limit(limit)).scalars())


def _first_or_none(query: Select) -> Any:
    """The one object ``query`` finds, or None. The catalogue's revision token
    rides along, so that catalogue.part() needs no query of its own."""
    row = db.session.execute(query.add_columns(catalogue_token())).first()
    if row is None:
        return None
    found, token = row
    seen_token(token)
    return found


def public_notice_or_none(notice_id: int) -> Notice | None:
    """A public notice by id with its village, township, project and decision
    details (one query); None for a draft (drafts do not exist for the public)."""
    return _first_or_none(
        select(Notice).where(Notice.id == notice_id, Notice.status.in_(PUBLIC_STATUSES))
        .options(joinedload(Notice.village, innerjoin=True).joinedload(Village.township, innerjoin=True),
                 joinedload(Notice.project), joinedload(Notice.decision)))


def notice_or_404(notice_id: int) -> Notice:
    """public_notice_or_none, or the face's 404."""
    notice = public_notice_or_none(notice_id)
    if notice is None:
        abort(404)
    return notice


def village_by_code(code: str) -> Village | None:
    """A village by its code with its township (one query)."""
    return _first_or_none(select(Village).where(Village.code == code)
                          .options(joinedload(Village.township, innerjoin=True)))


def village_or_404(code: str) -> Village:
    village = village_by_code(code)
    if village is None:
        abort(404)
    return village


def township_or_404(code: str) -> Township:
    return db.one_or_404(select(Township).where(Township.code == code))


def villages() -> list[Village]:
    return list(db.session.execute(select(Village).order_by(Village.code)).scalars())


@dataclass(frozen=True)
class CategoryTile:
    code: str
    name: str
    short: str
    icon: str
    count: int
    last_published: dt.datetime | None


def category_tiles(village: Village) -> list[CategoryTile]:
    """One tile per catalogue category that has current published content."""
    rows = db.session.execute(
        select(Notice.category, func.count(), func.max(Notice.published_at))
        .where(Notice.village_id == village.id, Notice.status.in_(CURRENT_STATUSES))
        .group_by(Notice.category)
    ).all()
    found = {category: (count, last) for category, count, last in rows}
    if "project" in found:  # the projects page shows one card per project, not per stage
        found["project"] = (len(project_cards(village)), found["project"][1])
    return [CategoryTile(c.code, c.name, c.short, c.icon, *found[c.code]) for c in CATEGORIES.values() if c.code in found]


def public_voucher(voucher_id: int) -> VoucherImage | None:
    """A voucher photo the public may see: marked public, on a public notice."""
    voucher = db.session.get(VoucherImage, voucher_id)
    if voucher is None or not voucher.is_public or voucher.line.notice.status not in PUBLIC_STATUSES:
        return None
    return voucher


def roster_lines(notice: Notice) -> list[PublicRosterLine]:
    return [roster_view(line) for line in notice.roster_lines]


def ledger_lines(lines: list[LedgerLine]) -> list[PublicLedgerLine]:
    return [ledger_view(line) for line in lines]


# Kiosk helpers (additive) --------------------------------------------------

@dataclass(frozen=True)
class PublicVillage:
    code: str
    name: str
    township_name: str
    supervision_phone: str  # office line of the 村务监督委员会
    township_phone: str


def village_view(village: Village) -> PublicVillage:
    return PublicVillage(village.code, village.name, village.township.name, village.supervision_phone,
                         village.township.phone)


def _initials_filter(notice_id: int, typed: str):
    """SQL condition: ``typed`` (letters only) starts one of the line's keypad
    alternatives, the masked character matching any letter (pinyin.typed_keys):
    a prefix range scan of roster_keys (notice_id, key) per typed key."""
    from sqlalchemy import union_all

    from .. import pinyin

    # One SELECT per range, not an OR of them: SQLite scans the whole notice for an OR.
    ranges = [select(RosterKey.line_id).where(RosterKey.notice_id == notice_id, RosterKey.key >= key,
                                              RosterKey.key < key[:-1] + chr(ord(key[-1]) + 1))
              for key in pinyin.typed_keys(typed)]
    return RosterLine.id.in_(union_all(*ranges) if len(ranges) > 1 else ranges[0])


def clean_initials(typed: str | None) -> str:
    """What a keypad may send: capital letters A–Z, at most 8."""
    return "".join(ch for ch in (typed or "").upper() if "A" <= ch <= "Z")[:8]


@dataclass(frozen=True)
class RosterShape:
    """Which optional columns a whole roster has (tables.roster_columns), so
    one page of a search shows the same columns as the PDF and the files."""
    kind: str | None
    #: Keys of the optional columns (catalogue.COLUMN_KEYS) some line of the roster fills.
    present: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RosterPage:
    lines: list[PublicRosterLine]
    found: int  # lines matching the search
    found_fen: int  # their total
    total: int  # lines on the whole roster
    total_fen: int
    groups: tuple[int, ...]  # 村民小组 numbers on the roster
    shape: RosterShape = RosterShape(None)


@dataclass(frozen=True)
class RosterSummary:
    lines: int
    total_fen: int
    groups: tuple[int, ...]  # 村民小组 numbers on the roster
    shape: RosterShape


def roster_summary(notice: Notice) -> RosterSummary:
    """A roster's line count, total, 村民小组 numbers and shape (which optional
    columns some line fills); a published version's never change, so they are
    kept in the cache under its content hash."""
    from ..extensions import cache

    key = f"roster-summary:{notice.id}:{notice.content_hash}" if notice.content_hash else None
    found = cache.get(key) if key else None
    if found is None:
        filled = {key: func.count(case((_fills_sql(key), 1))) for key in SHAPE_FIELDS}  # lines filling each
        total, total_fen, *counts = db.session.execute(
            select(func.count(), func.coalesce(func.sum(RosterLine.amount_fen), 0), *filled.values())
            .where(RosterLine.notice_id == notice.id)).one()
        groups = tuple(g for (g,) in db.session.execute(
            select(RosterLine.group_no).where(RosterLine.notice_id == notice.id, RosterLine.group_no.is_not(None))
            .distinct().order_by(RosterLine.group_no)))
        shape = RosterShape(notice.roster_kind, frozenset(k for k, n in zip(filled, counts, strict=True) if n))
        found = RosterSummary(int(total), int(total_fen), groups, shape)
        if key:
            cache.set(key, found)
    return found


def roster_search(notice: Notice, typed: str = "", group_no: int | None = None, *, offset: int = 0,
                  limit: int = 50) -> RosterPage:
    """Lines of one roster, optionally narrowed by 拼音首字母 (``typed``) and
    村民小组, filtered in SQL so a 3,000-line roster answers at once."""
    typed = clean_initials(typed)
    base = select(*ROSTER_PUBLIC_COLUMNS).where(RosterLine.notice_id == notice.id)
    if typed:
        base = base.where(_initials_filter(notice.id, typed))
    if group_no:
        base = base.where(RosterLine.group_no == group_no)
    summary = roster_summary(notice)
    total, total_fen = summary.lines, summary.total_fen
    if not typed and not group_no:
        found, found_fen = total, total_fen
        rows = db.session.execute(base.order_by(RosterLine.seq).offset(max(offset, 0)).limit(limit)).all()
    else:  # the page's lines and the count and sum of every match, in one query
        counted = base.add_columns(func.count().over(), func.coalesce(func.sum(RosterLine.amount_fen).over(), 0))
        result = db.session.execute(counted.order_by(RosterLine.seq).offset(max(offset, 0)).limit(limit)).all()
        rows = result
        if result:
            found, found_fen = result[0][-2], result[0][-1]
        else:
            sub = base.subquery()
            found, found_fen = db.session.execute(
                select(func.count(), func.coalesce(func.sum(sub.c.amount_fen), 0))).one()
    lines = [roster_view(r) for r in rows]  # (each range is exactly "starts with": pinyin.matches agrees)
    return RosterPage(lines, int(found), int(found_fen), int(total), int(total_fen), summary.groups, summary.shape)


def public_ledger_line(line_id: int) -> tuple[PublicLedgerLine, Notice] | None:
    """A ledger line and its notice, if that notice is public."""
    line = db.session.get(LedgerLine, line_id)
    if line is None or line.notice.status not in PUBLIC_STATUSES:
        return None
    return ledger_view(line), line.notice


def project_cards(village: Village) -> list[tuple[Notice, PublicProject, list[Notice]]]:
    """Each project (by ``project_key``), newest first: its latest published
    version and the project's other published notices (e.g. the 计划公示
    before the 实施情况公告), newest first, so every stage stays reachable."""
    cards: dict[str, tuple[Notice, PublicProject, list[Notice]]] = {}
    for notice in published_notices(village, "project", current_only=True):  # newest first
        view = project_view(notice)
        if view is None:
            continue
        if view.key in cards:
            cards[view.key][2].append(notice)
        else:
            cards[view.key] = (notice, view, [])
    return list(cards.values())


def current_projects(village: Village) -> list[tuple[Notice, PublicProject]]:
    """The latest published version of each project (by ``project_key``), newest first."""
    return [(notice, view) for notice, view, _ in project_cards(village)]


def roster_counts(notice_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{notice id: (lines, total fen)} for roster notices, in one query."""
    if not notice_ids:
        return {}
    rows = db.session.execute(
        select(RosterLine.notice_id, func.count(), func.coalesce(func.sum(RosterLine.amount_fen), 0))
        .where(RosterLine.notice_id.in_(notice_ids)).group_by(RosterLine.notice_id))
    return {nid: (int(n), int(fen)) for nid, n, fen in rows}


def roster_standards(notice: Notice) -> tuple[str, ...]:
    """The township's standards for a roster's kind, as the card and the roster show them."""
    from ..services import rules

    return rules.standard_sentences(notice.village.township, notice.roster_kind or "")


__all__ = [
    "roster_standards", "CategoryTile", "Phones", "PublicAsset", "PublicFund", "PublicLedgerLine", "PublicNotice", "PublicProject",
    "PublicRosterLine", "Status", "asset_views", "category_tiles", "ledger_lines", "ledger_view", "notice_view", "notice_views",
    "phones_for", "project_view", "public_notice_or_none", "public_voucher", "published_notices", "roster_lines",
    "roster_view", "PublicVillage", "RosterPage", "clean_initials", "current_projects", "project_cards", "public_ledger_line",
    "roster_counts", "roster_search", "village_view", "review_view", "notice_or_404", "village_by_code",
    "village_or_404", "villages", "township_or_404", "Notice", "Village", "CONCERNS", "utcnow", "CURRENT_STATUSES",
    "RosterShape", "SHAPE_FIELDS", "line_shape",
]
