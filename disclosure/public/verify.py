"""The QR verify logic: whether the paper in a villager's hand (its
verification code) is the version in force, a corrected or withdrawn one, or
unknown, and whether its content still hashes to what was published."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select

from .. import periods
from ..clock import china_time, china_today
from ..extensions import db
from ..models import PUBLIC_STATUSES, Notice, Status
from ..services import chain
from ..services.chain import normalize_code
from ..services.notices import latest_version, successor
from . import views

@dataclass(frozen=True)
class Correction:
    notice_id: int
    version: int
    published_on: dt.date | None
    reason: str
    verify_code: str | None


@dataclass(frozen=True)
class Verification:
    code: str  # current | superseded | withdrawn | unknown
    label: str  # 现行有效 / 已被更正 / 已撤回 / 未找到
    message: str
    typed_code: str
    notice: views.PublicNotice | None = None
    corrected_by: Correction | None = None  # the version that replaced this one
    latest: Correction | None = None  # the version in force now, if another than corrected_by
    withdrawn_on: dt.date | None = None
    is_intact: bool = True  # content still hashes to what was published


_BASE32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _correction(notice: Notice) -> Correction:
    return Correction(notice.id, notice.version, china_time(notice.published_at).date() if notice.published_at else None,
                      notice.correction_reason, notice.verify_code)


def verify(code: str, today: dt.date | None = None) -> Verification:
    """Whether a printed notice's verification code names a version in force."""
    typed = normalize_code(code)
    notice = None
    if typed and set(typed) <= _BASE32:
        notice = db.session.execute(select(Notice).where(Notice.verify_code == typed)).scalar_one_or_none()
    if notice is None or notice.status not in PUBLIC_STATUSES:
        return Verification("unknown", "未找到",
                            "此二维码不对应任何已公布的公示，请向村务监督委员会或乡镇反映。", typed)
    view = views.notice_view(notice, today or china_today())
    intact = chain.is_intact(notice)
    if notice.status == Status.WITHDRAWN:
        when = china_time(notice.withdrawn_at).date() if notice.withdrawn_at else None
        return Verification("withdrawn", "已撤回", f"本公示已于{periods.format_date(when)}撤回，不再有效。撤回原因："
                            f"{notice.withdrawal_reason}", typed, view, withdrawn_on=when, is_intact=intact)
    if notice.status == Status.SUPERSEDED:
        nxt = successor(notice)
        corrected = _correction(nxt) if nxt is not None else None
        last = latest_version(notice)
        latest = _correction(last) if last is not None and nxt is not None and last.id != nxt.id else None
        message = "您手中的是旧版本，内容已被更正，请以更正后的版本为准。"
        return Verification("superseded", "已被更正", message, typed, view, corrected_by=corrected, latest=latest,
                            is_intact=intact)
    return Verification("current", "现行有效", "您手中的公示是现行有效的版本，与系统中公布的内容一致。", typed, view,
                        is_intact=intact)


def untrusted_if_tampered(result: Verification) -> Verification:
    """Content that no longer hashes to what was published cannot be 现行有效
    (nor trusted as corrected or withdrawn): the one verdict is the mismatch."""
    if result.notice is None or result.is_intact:
        return result
    return replace(result, code="tampered", label="内容核对异常",
                   message="系统中这份公示的内容与发布时登记的不一致，无法确认您手中的公示是否有效。"
                           "请立即向村务监督委员会或乡镇反映。")


__all__ = ["Correction", "Verification", "normalize_code", "untrusted_if_tampered", "verify"]
