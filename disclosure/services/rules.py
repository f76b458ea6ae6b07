"""Catalogue defaults overridden by a township's settings."""

from __future__ import annotations

from ..catalogue import CATEGORIES, ROSTER_KINDS
from ..models import Township


def min_notice_days(township: Township, category: str) -> int:
    override = (township.settings or {}).get("notice_days", {}).get(category)
    default = CATEGORIES[category].min_notice_days
    # A township may lengthen, never shorten, the statutory minimum.
    return max(default, int(override)) if override else default


def frequency(township: Township, category: str) -> str:
    return (township.settings or {}).get("frequency", {}).get(category) or CATEGORIES[category].frequency


def shows_full_names(township: Township, kind: str | None) -> bool:
    category = ROSTER_KINDS[kind].category if kind in ROSTER_KINDS else None
    return category in (township.settings or {}).get("full_name_categories", [])


def standard_fen(township: Township, kind: str) -> int | None:
    """Highest amount per line the township's standard allows for a kind, if set."""
    value = (township.settings or {}).get("standards", {}).get(kind)
    return int(value) if value is not None else None


def decision_publish_days(township: Township) -> int:
    """Working days within which a resolution (决议公开) must follow its meeting (5 by default)."""
    return int((township.settings or {}).get("decision_publish_days") or 5)


def yishi_levy_cap_fen(township: Township) -> int | None:
    """The province's cap on 一事一议 筹资 per person per year, if the township set it (fen)."""
    value = (township.settings or {}).get("yishi_levy_cap_fen")
    return int(value) if value is not None else None
