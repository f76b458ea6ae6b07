"""Setting up a real township and its villages (the demo loader aside)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from ..clock import china_today
from ..extensions import db
from ..models import Township, Village, VillageGroup
from . import ServiceError, audit

_CODE = re.compile(r"[a-z][a-z0-9-]{1,31}")


def _check_code(code: str, model: type, what: str) -> str:
    code = (code or "").strip().lower()
    if not _CODE.fullmatch(code):
        raise ServiceError(f"{what}代码须为2–32位小写字母、数字或横线，以字母开头（用于网址，如 dongfeng）", "code")
    if db.session.execute(select(func.count()).select_from(model).where(model.code == code)).scalar_one():
        raise ServiceError(f"{what}代码 {code} 已存在", "code")
    return code


def create_township(code: str, name: str, *, phone: str = "", county: str = "") -> Township:
    code = _check_code(code, Township, "乡镇")
    if not name.strip():
        raise ServiceError("请填写乡镇名称", "name")
    township = Township(code=code, name=name.strip(), phone=phone.strip(), county=county.strip(), settings={})
    db.session.add(township)
    db.session.flush()
    audit.record(None, "township.create", "township", township.id, township_id=township.id,
                 after={"code": code, "name": township.name})
    return township


def create_village(
    township: Township, code: str, name: str, *, groups: int, supervision_phone: str = "",
    opening_balance_fen: int = 0, opening_date: dt.date | None = None,
) -> Village:
    code = _check_code(code, Village, "村")
    if not name.strip():
        raise ServiceError("请填写村名称", "name")
    if not 1 <= groups <= 60:
        raise ServiceError("村民小组数应在1到60之间", "groups")
    village = Village(
        code=code, name=name.strip(), township=township, supervision_phone=supervision_phone.strip(),
        opening_balance_fen=opening_balance_fen, opening_date=opening_date or china_today(),
    )
    village.groups = [VillageGroup(number=n, name=f"第{n}村民小组") for n in range(1, groups + 1)]
    db.session.add(village)
    db.session.flush()
    audit.record(None, "village.create", "village", village.id, township_id=township.id,
                 after={"code": code, "name": village.name, "groups": groups,
                        "opening_balance_fen": opening_balance_fen})
    return village
