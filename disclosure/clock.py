"""The one home of time zones: stored times are naive UTC; people and
machine outputs see China time (Asia/Shanghai, +08:00)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def china_time(value: dt.datetime) -> dt.datetime:
    """A stored time (naive means UTC) as an aware China-time datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA_TZ)


def rfc3339(value: dt.datetime) -> str:
    """RFC 3339 with the China offset, to the second: 2026-11-29T20:38:42+08:00."""
    return china_time(value).replace(microsecond=0).isoformat()


def china_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in China (a villager's and a clerk's 'today')."""
    return china_time(now or dt.datetime.now(dt.UTC)).date()
