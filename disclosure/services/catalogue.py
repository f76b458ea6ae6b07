"""Editing the catalogue (公开目录) on the staff side. The catalogue is the
county's: a county admin edits categories' minimum notice periods and
frequencies and roster kinds' words, columns, 明白卡 text and standards, and
adds kinds. A township admin keeps what is the township's: it lengthens its
own notice periods (never below the county's floor) and sets its standard
amounts. Services never commit.

The catalogue's rows are shared by every township on the board, so a county
admin edits them only while every township on the board is of their county."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import catalogue, privacy
from ..catalogue import COLUMN_KEYS, FREQUENCY_NAMES, PERIOD_SHAPES
from ..errors import ServiceError
from ..extensions import db
from ..models import CatalogueCategory, CatalogueKind, Township, User
from ..models.catalogue import kind_row
from ..money import MoneyError, format_yuan_short, parse_amount
from . import access, audit, rules

CODE = re.compile(r"^[a-z][a-z0-9_]{1,15}$")
MAX_NOTICE_DAYS = 90
_WORD_SPLIT = re.compile(r"[\s、,，;；/]+")


@dataclass
class StandardInput:
    label: str
    unit: str
    fen: int | None = None


@dataclass
class KindInput:
    """What the staff page sends for one kind (already split into parts)."""

    name: str
    category: str
    title_words: list[str]
    period: str
    frequency: str
    notice_days: int | None  # the county's minimum notice period; None: the category's
    head_word: str
    who: str
    how_much: str
    how_to_apply: str
    columns: list[tuple[str, str]]  # (COLUMN_KEYS key, label); amount always
    standards: list[StandardInput] = field(default_factory=list)  # label and unit; amounts are the townships'


def split_words(text: str) -> list[str]:
    """低保、最低生活保障 → ["低保", "最低生活保障"] (、 , ， ; space)."""
    return [w for w in (privacy.normalize(p) for p in _WORD_SPLIT.split(text or "")) if w]


def parse_standards(text: str, *, amounts: bool = True) -> list[StandardInput]:
    """Lines of 名称|单位|金额 (the amount optional), e.g. ``农村低保标准|元/人·月|650``;
    without ``amounts`` (the county's definitions) lines of 名称|单位."""
    found = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1] or len(parts) > 3:
            raise ServiceError(f"标准第{number}行应写成“名称|单位|金额”，如：农村低保标准|元/人·月|650", "standards")
        fen = None
        if len(parts) == 3 and parts[2] and not amounts:
            raise ServiceError(f"标准第{number}行：县级目录只定标准的名称和单位，金额由各乡镇填写", "standards")
        if len(parts) == 3 and parts[2]:
            try:
                fen = parse_amount(parts[2])
            except MoneyError as err:
                raise ServiceError(f"标准第{number}行的金额：{err}", "standards") from None
        found.append(StandardInput(parts[0], parts[1], fen))
    return found


def standards_text(township: Township, kind: catalogue.RosterKind) -> str:
    """The kind's standards and the township's amounts as the form shows them."""
    amounts = {a.standard.key: a.fen for a in rules.standard_amounts(township, kind.code)}
    return "\n".join(f"{s.label}|{s.unit}|" + (format_yuan_short(amounts[s.key]) if s.key in amounts else "")
                     for s in kind.standards)


def definitions_text(kind: catalogue.RosterKind) -> str:
    """The kind's standards as the county's form shows them (名称|单位)."""
    return "\n".join(f"{s.label}|{s.unit}" for s in kind.standards)


def county_days(kind: CatalogueKind) -> int:
    return max(catalogue.CATEGORIES[kind.category].min_notice_days, kind.min_notice_days)


TOWNSHIP_READ_ONLY = ("公开类别、名单类型、识别词、名单的列、明白卡，以及县级最少公示天数和公开频次，由县级管理员统一维护，"
                      "全县各乡镇共用，所以这里只能查看。本乡镇可以延长自己的公示期（不能短于县级规定），并填写本乡镇的标准金额。")


def county_refusal(user: User) -> str | None:
    """Why ``user`` may not edit the county's catalogue, or None when they may."""
    if not user.is_county_admin:
        return TOWNSHIP_READ_ONLY
    county = user.township.county
    if not county:
        return "您所在乡镇没有填写所属县，不能修改公开目录。"
    other = db.session.execute(select(Township.name).where(Township.county != county).limit(1)).scalar()
    if other is not None:
        return f"本系统还服务其他县（如{other}），公开目录由各县共用，县级管理员不能单独修改。"
    return None


def _require_county(user: User) -> None:
    refusal = county_refusal(user)
    if refusal:
        raise ServiceError(refusal)


def _require_township(user: User) -> None:
    if not access.can_manage_users(user):
        raise ServiceError("只有乡镇管理员可以设置本乡镇的公示期和标准金额")


def _check(user: User, data: KindInput, code: str) -> None:
    _require_county(user)
    if not data.name:
        raise ServiceError("请填写名单类型名称", "name")
    category = catalogue.CATEGORIES.get(data.category)
    if category is None or "roster" not in category.lines:
        raise ServiceError("请选择可以公示名单的公开类别", "category")
    if data.period not in PERIOD_SHAPES:
        raise ServiceError("请选择期间形式", "period")
    if data.frequency not in FREQUENCY_NAMES:
        raise ServiceError("请选择公开频次", "frequency")
    if not data.title_words:
        raise ServiceError("请至少写一个识别词（表格标题中出现的词，如“低保”）", "title_words")
    for other in catalogue.ROSTER_KINDS.values():
        shared = sorted(set(other.title_words) & set(data.title_words))
        if other.code != code and shared:
            raise ServiceError(f"识别词“{shared[0]}”已用于“{other.name}”，导入时无法区分", "title_words")
    unknown = [key for key, _ in data.columns if key not in COLUMN_KEYS]
    if unknown or "amount" not in dict(data.columns):
        raise ServiceError("名单必须有金额列", "col_amount")
    for text, name in ((data.who, "who"), (data.how_much, "how_much"), (data.how_to_apply, "how_to_apply")):
        if not text:
            raise ServiceError("明白卡的三段说明都要填写：谁能领、领多少、怎么申请", name)
        if len(text) > 2000:
            raise ServiceError("明白卡每段说明最多2000个字", name)
    labels = [s.label for s in data.standards]
    if len(set(labels)) != len(labels):
        raise ServiceError("标准的名称不能重复", "standards")
    floor = catalogue.CATEGORIES[data.category].min_notice_days
    if data.notice_days is not None and not floor <= data.notice_days <= MAX_NOTICE_DAYS:
        raise ServiceError(f"县级最少公示天数应在{floor}至{MAX_NOTICE_DAYS}天之间（不能短于所属公开类别的{floor}天）",
                           "notice_days")


def _lengthen(township: Township, section: str, code: str, days: int | None, floor: int, what: str = "") -> None:
    """Set the township's notice period for ``code`` in settings[section]: at
    least the county's ``floor`` (kept as no override when equal or empty)."""
    if days is not None and days < floor:
        raise ServiceError(f"{what}公示期不能短于县级公开目录规定的{floor}天（本乡镇只能延长）", "notice_days")
    if days is not None and days > MAX_NOTICE_DAYS:
        raise ServiceError(f"公示期最多{MAX_NOTICE_DAYS}天", "notice_days")
    settings = dict(township.settings or {})
    own = dict(settings.get(section, {}))
    if days is None or days == floor:
        own.pop(code, None)
    else:
        own[code] = days
    settings[section] = own
    township.settings = settings  # a new dict: JSON columns track assignment, not mutation


def _apply_definitions(kind: CatalogueKind, standards: list[StandardInput]) -> None:
    """The kind's standards (keys kept where the label is unchanged, so the townships' amounts stay)."""
    old = {s["label"]: s["key"] for s in kind.standards or ()}
    used = set(old.values())
    definitions = []
    for n, s in enumerate(standards, 1):
        key = old.get(s.label)
        if key is None:
            key = next(f"s{i}" for i in range(n, n + 100) if f"s{i}" not in used)
            used.add(key)
        definitions.append({"key": key, "label": s.label, "unit": s.unit})
    kind.standards = definitions


def _apply_amounts(township: Township, kind: CatalogueKind, standards: list[StandardInput]) -> None:
    """The township's amounts for the kind's standards, by label; a label the county has not defined is refused."""
    keys = {s["label"]: s["key"] for s in kind.standards or ()}
    amounts = {}
    for s in standards:
        if s.label not in keys:
            known = "、".join(keys) or "无"
            raise ServiceError(f"“{s.label}”不是县级公开目录为{kind.name}规定的标准（现有：{known}）；新的标准请县级管理员添加",
                               "standards")
        if s.fen is not None:
            amounts[keys[s.label]] = s.fen
    settings = dict(township.settings or {})
    every = dict(settings.get("kind_standards", {}))
    every[kind.code] = amounts
    settings["kind_standards"] = every
    township.settings = settings


def save_kind(user: User, data: KindInput, *, code: str | None = None, new_code: str | None = None) -> CatalogueKind:
    """The county admin updates kind ``code``, or adds ``new_code``; logged with before and after."""
    if new_code is not None:
        new_code = (new_code or "").strip().lower()
        _require_county(user)
        if not CODE.match(new_code) or new_code == "new":  # /admin/catalogue/kinds/new is the add page
            raise ServiceError("代码用2到16个小写字母、数字或下划线，以字母开头，如 canbu", "code")
        if db.session.execute(select(CatalogueKind.id).where(CatalogueKind.code == new_code)).first():
            raise ServiceError(f"代码“{new_code}”已被使用", "code")
        _check(user, data, new_code)
        position = max((k.position for k in db.session.execute(select(CatalogueKind)).scalars()), default=0) + 1
        kind = CatalogueKind(code=new_code, position=position, standards=[])
        db.session.add(kind)
        before = None
    else:
        kind = kind_row_or_none(code or "")
        if kind is None:
            raise ServiceError("没有这个名单类型")
        _check(user, data, kind.code)
        if data.category != kind.category and kind.category in catalogue.CATEGORIES:
            raise ServiceError("已有名单类型不能改到另一个公开类别；请新增一个类型", "category")
        before = kind_row(kind.as_kind(), kind.position)
    kind.name, kind.category, kind.title_words = data.name, data.category, data.title_words
    kind.period, kind.frequency, kind.head_word = data.period, data.frequency, data.head_word or "姓名"
    kind.who, kind.how_much, kind.how_to_apply = data.who, data.how_much, data.how_to_apply
    kind.columns = [[key, label] for key, label in data.columns]
    kind.min_notice_days = data.notice_days or catalogue.CATEGORIES[data.category].min_notice_days
    _apply_definitions(kind, data.standards)
    db.session.flush()
    audit.record(user, "catalogue.kind_create" if before is None else "catalogue.kind_update", "catalogue_kind",
                 kind.id, before=before, after=kind_row(kind.as_kind(), kind.position))
    catalogue.forget()
    return kind


def _township_snapshot(township: Township, code: str) -> dict:
    settings = township.settings or {}
    return {"kind": code, "township_notice_days": (settings.get("kind_notice_days") or {}).get(code),
            "township_standards": (settings.get("kind_standards") or {}).get(code, {}),
            "township_required": code in settings.get("required_kinds", [])}


def _require(township: Township, code: str, is_required: bool) -> None:
    """Add ``code`` to, or take it off, the kinds the township requires of every village."""
    settings = dict(township.settings or {})
    required = [k for k in settings.get("required_kinds", []) if k != code]
    settings["required_kinds"] = [*required, code] if is_required else required
    township.settings = settings


def save_township_kind(user: User, code: str, *, notice_days: int | None, standards: list[StandardInput],
                       is_required: bool = False) -> None:
    """A township admin's own notice period for kind ``code`` (at least the
    county's), its standard amounts, and whether every village of the township
    must publish it (rules.required_kinds); logged with before and after."""
    _require_township(user)
    kind = kind_row_or_none(code)
    if kind is None:
        raise ServiceError("没有这个名单类型")
    township = user.township
    before = _township_snapshot(township, kind.code)
    _lengthen(township, "kind_notice_days", kind.code, notice_days, county_days(kind))
    _apply_amounts(township, kind, standards)
    _require(township, kind.code, is_required)
    audit.record(user, "catalogue.township_kind", "township", township.id, before=before,
                 after=_township_snapshot(township, kind.code))


def kind_row_or_none(code: str) -> CatalogueKind | None:
    return db.session.execute(select(CatalogueKind).where(CatalogueKind.code == code)).scalar_one_or_none()


def save_category(user: User, code: str, *, notice_days: int | None, frequency: str) -> None:
    """The county admin sets a category's minimum notice period and frequency for the whole county."""
    _require_county(user)
    row = db.session.execute(select(CatalogueCategory).where(CatalogueCategory.code == code)).scalar_one_or_none()
    if row is None:
        raise ServiceError("没有这个公开类别")
    if frequency not in FREQUENCY_NAMES:
        raise ServiceError("请选择公开频次", "frequency")
    if notice_days is None or not 1 <= notice_days <= MAX_NOTICE_DAYS:
        raise ServiceError(f"请填写县级最少公示天数（1至{MAX_NOTICE_DAYS}天）", "notice_days")
    before = {"category": code, "min_notice_days": row.min_notice_days, "frequency": row.frequency}
    row.min_notice_days, row.frequency = notice_days, frequency
    db.session.flush()
    audit.record(user, "catalogue.category_update", "catalogue_category", row.id, before=before,
                 after={"category": code, "min_notice_days": notice_days, "frequency": frequency})
    catalogue.forget()


def lengthen_category(user: User, code: str, *, notice_days: int | None) -> None:
    """A township admin's own notice period for a category: at least the county's."""
    _require_township(user)
    category = catalogue.CATEGORIES.get(code)
    if category is None:
        raise ServiceError("没有这个公开类别")
    township = user.township
    before = (township.settings or {}).get("notice_days", {}).get(code)
    _lengthen(township, "notice_days", code, notice_days, category.min_notice_days, f"{category.name}的")
    audit.record(user, "catalogue.township_category", "township", township.id,
                 before={"category": code, "notice_days": before},
                 after={"category": code, "notice_days": township.settings.get("notice_days", {}).get(code)})
