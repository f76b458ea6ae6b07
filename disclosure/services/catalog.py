"""The open-data catalogue: every village's datasets and every township's
bulk downloads described in DCAT (W3C Data Catalog Vocabulary) as JSON-LD,
the form national open-data portals harvest (/catalog.jsonld)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from .. import clock, periods
from ..catalogue import CATEGORIES
from ..extensions import db
from ..models import PUBLIC_STATUSES, Notice, Township, Village

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
MEDIA = "https://www.iana.org/assignments/media-types/"
JSON, ATOM, CSV, XLSX, ZIP = ("application/json", "application/atom+xml", "text/csv",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip")


def _zh(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "zh-CN"}


def _time(value: dt.datetime | None) -> dict[str, str] | None:
    return {"@value": clock.rfc3339(value), "@type": "xsd:dateTime"} if value else None


def _distribution(url: str, media: str, title: str, *, download: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "dcat:Distribution", "dct:title": _zh(title), "dcat:accessURL": {"@id": url},
                            "dcat:mediaType": {"@id": MEDIA + media}}
    if download:
        node["dcat:downloadURL"] = {"@id": url}
    return node


def _publisher(name: str) -> dict[str, Any]:
    return {"@type": "foaf:Agent", "foaf:name": _zh(name)}


def _last_published() -> dict[int, dt.datetime]:
    """When each village last published a version, in one query: village id -> time."""
    rows = db.session.execute(select(Notice.village_id, func.max(Notice.published_at)).where(
        Notice.status.in_(PUBLIC_STATUSES), Notice.published_at.is_not(None)).group_by(Notice.village_id))
    return {village_id: stamp for village_id, stamp in rows}


def _bulk_periods(township: Township) -> list[periods.Period]:
    """Every year, and every month, in which the township published a version (China dates)."""
    stamps = db.session.execute(select(Notice.published_at).join(Village).where(
        Village.township_id == township.id, Notice.status.in_(PUBLIC_STATUSES),
        Notice.chain_seq.is_not(None), Notice.published_at.is_not(None))).scalars()
    days = {clock.china_time(stamp).date() for stamp in stamps}
    years = {periods.year(d.year) for d in days}
    months = {periods.month_of(d) for d in days}
    return sorted(years | months, key=lambda p: (p.start, -p.end.toordinal()))


def village_datasets(village: Village, url: Callable[[str], str],
                     last_published: dt.datetime | None) -> list[dict[str, Any]]:
    """A village's datasets: its notices (JSON, Atom) and its finance (JSON)."""
    place = f"{village.township.name}{village.name}"
    code = village.code
    publisher = _publisher(f"{place}村民委员会")
    notices = {
        "@id": url(f"/api/villages/{code}/notices") + "#dataset", "@type": "dcat:Dataset",
        "dct:identifier": f"{code}/notices", "dct:title": _zh(f"{place}村务公开公示"),
        "dct:description": _zh("已公布的村务、财务、名单、资产和项目公示，含更正与撤回的版本；姓名已遮蔽。"),
        "dcat:keyword": [_zh(c.name) for c in CATEGORIES.values()], "dct:publisher": publisher,
        "dct:spatial": _zh(place), "dct:language": {"@id": "http://id.loc.gov/vocabulary/iso639-1/zh"},
        "dcat:landingPage": {"@id": url(f"/m/{code}")},
        "dcat:distribution": [
            _distribution(url(f"/api/villages/{code}/notices"), JSON, "公示列表（JSON）"),
            _distribution(url(f"/feed/{code}.atom"), ATOM, "新公示订阅（Atom）"),
        ],
    }
    modified = _time(last_published)
    if modified:
        notices["dct:modified"] = modified
    finance = {
        "@id": url(f"/api/villages/{code}/finance") + "#dataset", "@type": "dcat:Dataset",
        "dct:identifier": f"{code}/finance", "dct:title": _zh(f"{place}财务收支"),
        "dct:description": _zh("按月、季度或年汇总的收支和明细，金额单位为分。"),
        "dcat:keyword": [_zh("财务公开")], "dct:publisher": publisher, "dct:spatial": _zh(place),
        "dcat:distribution": [_distribution(url(f"/api/villages/{code}/finance"), JSON, "财务收支（JSON）")],
    }
    return [notices, finance]


def township_dataset(township: Township, url: Callable[[str], str],
                     last_published: dt.datetime | None) -> dict[str, Any]:
    """A township's bulk downloads: one ZIP per month and per year."""
    distributions = []
    for period in _bulk_periods(township):
        key = periods.period_key(period)
        distributions.append(_distribution(url(f"/api/townships/{township.code}/bulk/{key}.zip"), ZIP,
                                           f"{period.label}批量下载（CSV、JSON、数据字典、校验和、哈希链）",
                                           download=True))
    dataset = {
        "@id": url(f"/api/townships/{township.code}/bulk") + "#dataset", "@type": "dcat:Dataset",
        "dct:identifier": f"{township.code}/bulk", "dct:title": _zh(f"{township.name}村务公开批量下载"),
        "dct:description": _zh("全镇各村已公布的全部公示版本，可用 tools/verify_board.py 独立核验哈希链。"),
        "dct:publisher": _publisher(f"{township.name}人民政府"), "dct:spatial": _zh(township.name),
        "dcat:distribution": distributions,
    }
    modified = _time(last_published)
    if modified:
        dataset["dct:modified"] = modified
    return dataset


def catalog(url: Callable[[str], str]) -> dict[str, Any]:
    """The DCAT catalogue as JSON-LD; ``url`` makes a path absolute."""
    datasets: list[dict[str, Any]] = []
    last = _last_published()
    for township in db.session.execute(select(Township).order_by(Township.code)).scalars():
        stamps = [last[v.id] for v in township.villages if v.id in last]
        datasets.append(township_dataset(township, url, max(stamps, default=None)))
        for village in township.villages:
            datasets += village_datasets(village, url, last.get(village.id))
    return {
        "@context": CONTEXT,
        "@id": url("/catalog.jsonld"), "@type": "dcat:Catalog",
        "dct:title": _zh("村务公开开放数据目录"),
        "dct:description": _zh("只含已公布的公开内容；接口说明见 OpenAPI 文档。"),
        "dct:language": {"@id": "http://id.loc.gov/vocabulary/iso639-1/zh"},
        "foaf:homepage": {"@id": url("/api/openapi.json")},
        "dcat:dataset": datasets,
    }
