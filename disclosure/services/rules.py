"""Catalogue defaults overridden by a township's settings.

The catalogue's rows hold the county's values; a township's settings may
lengthen notice periods (never shorten them), change frequencies and set
the standard amounts it shows villagers:
``{"notice_days": {"finance": 10}, "kind_notice_days": {"dibao": 10},
"frequency": {...}, "required_kinds": ["dibao"], "kind_standards": {"dibao": {"standard": 65000}},
"standards": {"dibao": 90000}}`` (the last: highest amount per line, for red flags)."""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import CATEGORIES, FREQUENCY_DAYS, ROSTER_KINDS, Standard
from ..models import Township


def county_notice_days(category: str, kind: str | None = None) -> int:
    """The county's minimum: the category's, or the kind's where longer."""
    days = CATEGORIES[category].min_notice_days
    if kind in ROSTER_KINDS:
        days = max(days, ROSTER_KINDS[kind].min_notice_days)
    return days


def _override(township: Township, section: str, key: str | None) -> int:
    value = (township.settings or {}).get(section, {}).get(key) if key else None
    return int(value) if value else 0


def min_notice_days(township: Township, category: str, kind: str | None = None) -> int:
    # A township may lengthen, never shorten, the county's minimum.
    return max(county_notice_days(category, kind), _override(township, "notice_days", category),
               _override(township, "kind_notice_days", kind))


def frequency(township: Township, category: str) -> str:
    return (township.settings or {}).get("frequency", {}).get(category) or CATEGORIES[category].frequency


def kind_frequency(township: Township, kind: str) -> str:
    """How often a roster kind is disclosed: the kind's own (its catalogue row,
    e.g. 低保 monthly), unless the township set the kind's category to a longer
    one (settings "frequency"): a township may lengthen a kind's frequency
    that way, never shorten it."""
    own = ROSTER_KINDS[kind].frequency
    township_set = (township.settings or {}).get("frequency", {}).get(ROSTER_KINDS[kind].category)
    if township_set and FREQUENCY_DAYS.get(township_set, 366) > FREQUENCY_DAYS.get(own, 366):
        return township_set
    return own


def required_kinds(township: Township) -> tuple[str, ...]:
    """Roster kinds the township requires of every village, published before or not (settings "required_kinds")."""
    return tuple(k for k in (township.settings or {}).get("required_kinds", []) if k in ROSTER_KINDS)


def shows_full_names(township: Township, kind: str | None) -> bool:
    category = ROSTER_KINDS[kind].category if kind in ROSTER_KINDS else None
    return category in (township.settings or {}).get("full_name_categories", [])


def standard_fen(township: Township, kind: str) -> int | None:
    """Highest amount per line the township allows for a kind, if set (red flags)."""
    value = (township.settings or {}).get("standards", {}).get(kind)
    return int(value) if value is not None else None


def decision_publish_days(township: Township) -> int:
    """Working days within which a resolution (决议公开) must follow its meeting (5 by default)."""
    return int((township.settings or {}).get("decision_publish_days") or 5)


def yishi_levy_cap_fen(township: Township) -> int | None:
    """The province's cap on 一事一议 筹资 per person per year, if the township set it (fen)."""
    value = (township.settings or {}).get("yishi_levy_cap_fen")
    return int(value) if value is not None else None


@dataclass(frozen=True)
class StandardAmount:
    standard: Standard
    fen: int


def standard_amounts(township: Township, kind: str) -> list[StandardAmount]:
    """The amounts the township has set for the kind's standards (低保标准 …), in the catalogue's order."""
    if kind not in ROSTER_KINDS:
        return []
    set_ = (township.settings or {}).get("kind_standards", {}).get(kind, {})
    return [StandardAmount(s, int(set_[s.key])) for s in ROSTER_KINDS[kind].standards if set_.get(s.key) is not None]


def standard_sentences(township: Township, kind: str) -> tuple[str, ...]:
    """The township's standards as villagers read them: 青山镇现行农村低保标准：650元/人·月。"""
    from ..money import format_yuan_short

    return tuple(f"{township.name}现行{a.standard.label}：{format_yuan_short(a.fen)}{a.standard.unit}。"
                 for a in standard_amounts(township, kind))
