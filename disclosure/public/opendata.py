"""Open data (part of the read side): JSON documents, CSV/XLSX tables and Atom entries of published
data, built only from the public view objects of :mod:`disclosure.public`
(which hold no private field), and the OpenAPI 3 document describing the API.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import re
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import select

from .. import clock, periods
from ..catalogue import CATEGORIES
from ..exporting import rows_to_xlsx, safe_text
from ..extensions import db
from ..models import Notice, Village
from ..money import format_yuan
from ..services import chain, feedback, finance, places
from . import views as public
from .attachments import attachment_views
from .decisions import decision_view
from .figures import notice_figures
from .tables import Column, Table, cell_text, notice_tables

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
#: Days of chain-head digest in the feed.
DIGEST_DAYS = 30
#: Rows of a notice's table an Atom entry lists before pointing to the notice page.
FEED_TABLE_ROWS = 20


def jsonable(value: Any) -> Any:
    """Dataclasses, dates and tuples → plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime):
        return clock.rfc3339(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


# What the API accepts: one definition, published in the OpenAPI document and
# checked by the views with the same JSON Schema semantics (re.search).
CODE_PATTERN = f"^{places._CODE.pattern}$"  # village and township codes, as places.py admits them
PERIOD_PATTERN = r"^20[0-9]{2}(Q[1-4]|-(0[1-9]|1[0-2]))?$"
BULK_PERIOD_PATTERN = r"^20[0-9]{2}(-(0[1-9]|1[0-2]))?$"
MAX_ID = 2_147_483_647  # the id columns are 32-bit integers on PostgreSQL
QUERY_PARAMS: dict[str, dict[str, Any]] = {
    "category": {"schema": {"type": "string", "enum": list(CATEGORIES)},
                 "description": "公开类别；缺省为全部", "problem": "未知的公开类别"},
    "period": {"schema": {"type": "string", "pattern": PERIOD_PATTERN},
               "description": "2025Q3、2025-10 或 2025（2000–2099 年）；缺省为上一季度",
               "problem": "期间格式应为 2025Q3、2025-10 或 2025"},
}


def query_problem(name: str, value: str) -> str | None:
    """The Chinese refusal for a query value its published schema does not accept."""
    spec = QUERY_PARAMS[name]
    schema = spec["schema"]
    if "enum" in schema and value not in schema["enum"]:
        return spec["problem"]
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return spec["problem"]
    return None


def finance_period(key: str | None, today: dt.date) -> periods.Period:
    """The period a finance request names (already checked), else the last full quarter."""
    if key:
        return periods.parse_period(key)
    return periods.quarter_of(periods.quarter_of(today).start - dt.timedelta(days=1))


def matches_code(code: str) -> bool:
    return re.search(CODE_PATTERN, code) is not None


def matches_bulk_period(key: str) -> bool:
    return re.search(BULK_PERIOD_PATTERN, key) is not None


def village_or_none(code: str) -> Village | None:
    if not matches_code(code):
        return None
    return public.village_by_code(code)


def public_notice_or_none(notice_id: int) -> Notice | None:
    return public.public_notice_or_none(notice_id) if 1 <= notice_id <= MAX_ID else None


def villages() -> list[dict[str, Any]]:
    rows = db.session.execute(select(Village).order_by(Village.code)).scalars()
    return [{"code": v.code, "name": v.name, "township": v.township.name, "county": v.township.county,
             "supervision_phone": v.supervision_phone, "township_phone": v.township.phone} for v in rows]


def _view_dict(view: public.PublicNotice) -> dict[str, Any]:
    """A public notice view as JSON: times RFC 3339 in China time, dates as dates."""
    data = view.as_dict()
    data["published_at"] = jsonable(view.published_at)
    data["phones"] = jsonable(view.phones)
    return data


def notice_summary(notice: Notice, today: dt.date) -> dict[str, Any]:
    return _summary(public.notice_view(notice, today))


def _summary(view: public.PublicNotice) -> dict[str, Any]:
    data = _view_dict(view)
    data.pop("body", None)
    return data


def village_notices(village: Village, category: str | None, today: dt.date) -> list[dict[str, Any]]:
    return [_summary(view) for view in public.notice_views(public.published_notices(village, category), today)]


def attachment_documents(notice: Notice, url: Callable[[str], str]) -> list[dict[str, Any]]:
    """The notice's public attachments (a private one never appears), each
    with the addresses of its file and page pictures (``url`` makes a path
    absolute; the paths are the kiosk's own, kiosk/views.py)."""
    return [{"number": a.number, "name": a.title, "media_type": a.media_type, "pages": a.page_count,
             "size_bytes": a.byte_size, "sha256": a.sha256,
             "file_url": url(f"/kiosk/attachment/{a.id}/file"),
             "page_urls": [url(f"/kiosk/attachment/{a.id}/page/{n}.jpg") for n in range(1, a.page_count + 1)]}
            for a in attachment_views(notice)]


def notice_document(notice: Notice, today: dt.date, url: Callable[[str], str] = str) -> dict[str, Any]:
    """One public notice with everything it discloses; ``url`` makes a path absolute."""
    data = _view_dict(public.notice_view(notice, today))
    data["ledger"] = jsonable(public.ledger_lines(list(notice.ledger_lines)))
    data["roster"] = jsonable(public.roster_lines(notice))
    data["assets"] = jsonable(public.asset_views(notice))
    project = public.project_view(notice)
    data["project"] = jsonable(project)
    data["decision"] = jsonable(decision_view(notice))
    data["tables"] = [{"caption": t.caption, "columns": t.headers, "totals": jsonable(t.totals)}
                      for t in notice_tables(notice)]
    data["finance"] = None
    if notice.category == "finance" and notice.ledger_lines:
        f = notice_figures(notice)
        data["finance"] = {"opening_fen": f.opening_fen, "income_fen": f.income_fen, "expense_fen": f.expense_fen,
                           "closing_fen": f.closing_fen, "sentence": f.sentence}
    data["answers"] = [
        {k: v for k, v in jsonable(q).items() if k != "due_on"} for q in feedback.public_answers(notice.id)
    ]
    data["attachments"] = attachment_documents(notice, url)
    return data


def finance_document(village: Village, period: periods.Period) -> dict[str, Any]:
    summary = finance.summarize(village, period)
    return {
        "village": village.code,
        "period": {"key": periods.period_key(period), "label": period.label,
                   "start": period.start.isoformat(), "end": period.end.isoformat()},
        "opening_fen": summary.opening_fen,
        "income_fen": summary.income_fen,
        "expense_fen": summary.expense_fen,
        "closing_fen": summary.closing_fen,
        "line_count": summary.line_count,
        "by_subject": [{"subject": code, "amount_fen": fen} for code, fen in sorted(summary.by_subject.items())],
        "lines": jsonable(public.ledger_lines(finance.lines(village, period))),
    }


# Tables (CSV / XLSX) -------------------------------------------------------------

def notice_table(notice: Notice) -> Table:
    """The table a public notice discloses: the same definition the kiosk and the
    PDF show (disclosure.public.tables), with its 合计 row and, for finance, the balances."""
    tables = notice_tables(notice)
    if not tables:
        return Table(notice.title, (Column("标题"), Column("内容")), ((notice.title, notice.body),))
    funds = "资金来源及规模"
    table = next((t for t in tables if t.caption != funds), tables[0])  # a project's roster before its funds
    return dataclasses.replace(table, caption=f"{notice.title}（{funds}）" if table.caption == funds else notice.title)


def _file_rows(table: Table) -> list[tuple[object, ...]]:
    """Rows, then the 合计 row and the balances: what a villager's download ends with."""
    return [*table.rows, *([table.totals] if table.totals else []), *table.balance_rows()]


def table_csv(table: Table) -> bytes:
    """UTF-8 with a BOM (Excel then reads the Chinese), money in yuan, every
    text cell guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(table.caption)])
    writer.writerow(table.headers)
    money = table.money_columns
    for row in _file_rows(table):
        cells = []
        for index, value in enumerate(row):
            if value is None:
                cells.append("")
            elif index in money and isinstance(value, int):
                cells.append(format_yuan(value).replace(",", ""))
            elif isinstance(value, dt.date):
                cells.append(value.isoformat())
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(safe_text(str(value)))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    rows = [[None if i in table.money_columns and not isinstance(v, int) else v for i, v in enumerate(row)]
            for row in _file_rows(table)]
    return rows_to_xlsx(table.caption, table.headers, rows, money_columns=set(table.money_columns),
                        sheet_name="公示")


# Atom feed -----------------------------------------------------------------------

def atom_feed(village: Village, *, self_url: str, notice_url, today: dt.date,  # noqa: ANN001
              chain_url: str | None = None) -> bytes:
    """An Atom 1.0 feed of the village's newest public notices and the daily
    digest of its chain head. ``notice_url`` maps a notice id to its public
    page; ``chain_url`` is the digest in the API. ElementTree escapes every text."""
    ET.register_namespace("", ATOM_NS)
    notices = public.published_notices(village, limit=FEED_SIZE, with_lines=True)

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    def stamp(value: dt.datetime | None) -> str:
        return clock.rfc3339(value or dt.datetime(2000, 1, 1))

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    el(feed, "id", f"{self_url}")
    el(feed, "title", f"{village.township.name}{village.name}村务公开")
    el(feed, "updated", stamp(max((n.published_at for n in notices if n.published_at), default=None)))
    el(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    author = el(feed, "author")
    el(author, "name", f"{village.township.name}{village.name}村民委员会")
    for notice, view in zip(notices, public.notice_views(notices, today), strict=True):
        entry = el(feed, "entry")
        el(entry, "id", f"{self_url}#notice-{view.id}")
        el(entry, "title", f"{view.title}（{view.state.label}）" if view.state.code in ("superseded", "withdrawn",
                                                                                       "on_hold") else view.title)
        el(entry, "updated", stamp(view.published_at))
        el(entry, "published", stamp(view.published_at))
        el(entry, "link", rel="alternate", href=notice_url(view.id), type="text/html")
        el(entry, "category", term=view.category, label=CATEGORIES[view.category].name)
        summary = f"{view.category_name}·{view.period_label}。{view.state.detail}"
        if view.correction_reason:
            summary += f" 更正原因：{view.correction_reason}"
        el(entry, "summary", summary, type="text")
        content = entry_html(notice)
        if content:
            el(entry, "content", content, type="html")
    for head in chain.daily_digest(village, DIGEST_DAYS):  # the chain head, anchored in every reader's copy
        entry = el(feed, "entry")
        el(entry, "id", f"{self_url}#chain-head-{head.day.isoformat()}")
        el(entry, "title", f"哈希链链头 {head.day.isoformat()}")
        el(entry, "updated", stamp(dt.datetime.combine(head.day, dt.time(15, 59, 59))))  # China's end of day
        el(entry, "link", rel="alternate", href=chain_url or self_url, type="application/json")
        el(entry, "summary", f"{village.name}截至{head.day.isoformat()}（北京时间）共{head.seq}条公布记录，"
                             f"链头码 {head.code}", type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def table_html(table: Table, start: dt.date, end: dt.date, *, max_rows: int | None = None) -> str:
    """A notice's table as escaped HTML for an Atom entry's content: the one
    column definition, the first ``max_rows`` rows, the 合计 row and the balances."""
    def row(cells: tuple[object, ...], tag: str = "td") -> str:
        text = (cell_text(c, v, start, end) for c, v in zip(table.columns, cells, strict=False))
        return "<tr>" + "".join(f"<{tag}>{html.escape(t)}</{tag}>" for t in text) + "</tr>"

    shown = table.rows if max_rows is None else table.rows[:max_rows]
    head = "".join(f"<th>{html.escape(c.label)}</th>" for c in table.columns)
    foot = "".join(row(r) for r in ([table.totals] if table.totals else []) + table.balance_rows())
    more = "" if len(shown) == len(table.rows) else \
        f"<p>共{len(table.rows)}行，这里列出前{len(shown)}行，全部见公示页。</p>"
    return (f"<table><caption>{html.escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(row(r) for r in shown)}</tbody><tfoot>{foot}</tfoot></table>{more}")


def entry_html(notice: Notice) -> str:
    """What an Atom entry's content shows of a notice: for finance its plain
    sentence, then every table it discloses (disclosure.public.tables)."""
    parts = []
    if notice.category == "finance" and notice.ledger_lines:
        parts.append(f"<p>{html.escape(notice_figures(notice).sentence)}</p>")
    parts += [table_html(t, notice.period_start, notice.period_end, max_rows=FEED_TABLE_ROWS)
              for t in notice_tables(notice)]
    return "".join(parts)


# OpenAPI ----------------------------------------------------------------------------

def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_STR, _INT, _DATE = {"type": "string"}, {"type": "integer"}, {"type": "string", "format": "date"}
_NSTR = {"type": ["string", "null"]}
_NDATE = {"type": ["string", "null"], "format": "date"}
_DATETIME = {"type": "string", "format": "date-time", "description": "RFC 3339，中国时间（+08:00）"}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _responses(ok: dict[str, Any], *, not_found: bool = True, bad_query: bool = False) -> dict[str, Any]:
    """Every status an operation can answer: its success, the refusals that
    apply to it, and a server error; every refusal is an ``Error``."""
    responses = {"200": ok}
    if bad_query:
        responses["400"] = _error("查询参数不符合本文档的约定")
    if not_found:
        responses["404"] = _error("不存在或未公开")
    responses["500"] = _error("服务器出错")
    return responses


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 description of /api (hand-written; schemathesis checks
    that the API keeps it: tests/test_api_contract.py)."""
    code_param = {"name": "code", "in": "path", "required": True, "description": "村代码",
                  "schema": {"type": "string", "pattern": CODE_PATTERN}}
    township_param = {"name": "township", "in": "path", "required": True, "description": "乡镇代码",
                      "schema": {"type": "string", "pattern": CODE_PATTERN}}
    id_param = {"name": "notice_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}

    def query(name: str) -> dict[str, Any]:
        spec = QUERY_PARAMS[name]
        return {"name": name, "in": "query", "required": False, "description": spec["description"],
                "schema": spec["schema"]}

    schemas = {
        "Error": {"type": "object", "required": ["error", "message"], "properties": {
            "error": {"type": "string", "description": "错误代码（英文，供程序判断）",
                      "examples": ["not_found", "invalid_period"]},
            "message": {"type": "string", "description": "错误说明（中文）"}}},
        "Village": {"type": "object", "required": ["code", "name", "township"], "properties": {
            "code": _STR, "name": _STR, "township": _STR, "county": _STR, "supervision_phone": _STR,
            "township_phone": _STR}},
        "State": {"type": "object", "properties": {"code": {"type": "string", "enum": [
            "active", "ended", "superseded", "withdrawn", "on_hold"]}, "label": _STR, "detail": _STR}},
        "NoticeSummary": {"type": "object", "required": ["id", "title", "category", "state"], "properties": {
            "id": _INT, "village_code": _STR, "village_name": _STR, "township_name": _STR,
            "category": {"type": "string", "enum": list(CATEGORIES)}, "category_name": _STR,
            "roster_kind": _NSTR, "kind_name": _STR, "title": _STR, "period_label": _STR,
            "period_start": _DATE, "period_end": _DATE, "notice_start": _NDATE, "notice_end": _NDATE,
            "published_at": {**_DATETIME, "type": ["string", "null"]}, "version": _INT,
            "supersedes_id": {"type": ["integer", "null"]}, "successor_id": {"type": ["integer", "null"]},
            "correction_reason": _STR, "withdrawal_reason": _STR, "verify_code": _NSTR,
            "chain_code": {"type": ["string", "null"], "description": "链头码：本版本在本村哈希链中的链接"},
            "state": _ref("State"),
            "phones": {"type": "object"}}},
        "LedgerLine": {"type": "object", "properties": {
            "id": _INT, "occurred_on": _DATE, "voucher_no": _STR, "summary": _STR,
            "direction": {"type": "string", "enum": ["income", "expense"]}, "subject": _STR, "subject_name": _STR,
            "amount_fen": {"type": "integer", "description": "金额，单位：分"},
            "voucher_ids": {"type": "array", "items": _INT}}},
        "RosterLine": {"type": "object", "description": "姓名已按规则遮蔽；不含身份证号、账号、电话", "properties": {
            "seq": _INT, "name": _STR, "group": _STR, "kind": _STR, "kind_name": _STR,
            "household_size": {"type": ["integer", "null"]}, "basis": _STR, "amount_fen": _INT,
            "paid_on": _NDATE, "reason": _STR, "quantity": _STR, "rate_fen": {"type": ["integer", "null"]},
            "grade": {"type": "string", "description": "等级（保障类别、供养方式、补贴类别等）；没有则为空"}}},
        "Answer": {"type": "object", "properties": {
            "ticket_no": _STR, "notice_id": _INT, "kind": _STR, "concern": _STR, "text": _STR,
            "asked_on": _DATE, "answer": _STR, "answered_on": _NDATE}},
        "Attachment": {"type": "object", "description": "公开的附件（审核时由村务监督委员会设为公开的；不公开的不列出）",
                       "required": ["number", "name", "media_type", "pages", "size_bytes", "sha256", "file_url",
                                    "page_urls"], "properties": {
            "number": {"type": "integer", "minimum": 1, "description": "附件序号（只数公开的附件）"},
            "name": _STR, "media_type": {"type": "string", "enum": ["application/pdf", "image/jpeg"]},
            "pages": {"type": "integer", "minimum": 1, "description": "页数；图片为 1"},
            "size_bytes": {"type": "integer", "minimum": 0, "description": "文件大小，单位：字节"},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                       "description": "文件的 SHA-256，与批量下载 attachments.csv 及内容哈希中的相同"},
            "file_url": {"type": "string", "format": "uri", "description": "文件（PDF 原件或去除元数据后的 JPEG）"},
            "page_urls": {"type": "array", "items": {"type": "string", "format": "uri"},
                          "description": "各页图片（JPEG，按页序），即查询机上显示的"}}},
        "Notice": {"allOf": [_ref("NoticeSummary"), {"type": "object", "properties": {
            "body": _STR, "ledger": {"type": "array", "items": _ref("LedgerLine")},
            "roster": {"type": "array", "items": _ref("RosterLine")},
            "assets": {"type": "array", "items": {"type": "object"}},
            "project": {"type": ["object", "null"]},
            "decision": {"type": ["object", "null"], "description": "重大事项决策（四议两公开）：议题、四次会议的日期、"
                         "应到实到人数和表决票数；一事一议筹资筹劳（金额单位：分）"},
            "answers": {"type": "array", "items": _ref("Answer")},
            "attachments": {"type": "array", "items": _ref("Attachment")},
            "tables": {"type": "array", "description": "公示表格：与展板、手机、PDF 和下载文件同一列定义",
                       "items": {"type": "object", "properties": {
                           "caption": _STR, "columns": {"type": "array", "items": _STR},
                           "totals": {"type": ["array", "null"], "description": "合计行；金额列单位：分"}}}},
            "finance": {"type": ["object", "null"], "description": "财务公开：按本公示自己的明细计算，单位：分",
                        "properties": {"opening_fen": _INT, "income_fen": _INT, "expense_fen": _INT,
                                       "closing_fen": _INT, "sentence": _STR}}}}]},
        "ChainHead": {"type": "object", "required": ["village", "date", "seq", "code", "chain_hash"], "properties": {
            "village": _STR, "date": _DATE, "seq": _INT, "code": {"type": "string", "description": "链头码，印在公示上"},
            "chain_hash": {"type": "string", "description": "SHA-256，覆盖此前全部链接"}}},
        "ChainDigest": {"type": "object", "required": ["village", "head", "daily"], "properties": {
            "village": _STR, "head": {"oneOf": [_ref("ChainHead"), {"type": "null"}]},
            "daily": {"type": "array", "items": _ref("ChainHead")}}},
        "Finance": {"type": "object", "required": ["village", "period", "opening_fen", "closing_fen"], "properties": {
            "village": _STR, "period": {"type": "object"}, "opening_fen": _INT, "income_fen": _INT,
            "expense_fen": _INT, "closing_fen": _INT, "line_count": _INT,
            "by_subject": {"type": "array", "items": {"type": "object"}},
            "lines": {"type": "array", "items": _ref("LedgerLine")}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "村务公开开放数据接口", "version": "1.0",
                 "description": "只读；只含已公布的公开内容。金额单位为分（整数）。名单姓名已遮蔽，"
                                "不含身份证号、银行账号和电话号码。"},
        "servers": [{"url": server_url}],
        "paths": {
            "/api/villages": {"get": {"summary": "村列表", "operationId": "listVillages", "responses": _responses(
                _json({"type": "array", "items": _ref("Village")}), not_found=False)}},
            "/api/villages/{code}/notices": {"get": {
                "summary": "一个村已公布的公示", "operationId": "listNotices",
                "parameters": [code_param, query("category")],
                "responses": _responses(_json({"type": "array", "items": _ref("NoticeSummary")}), bad_query=True)}},
            "/api/villages/{code}/finance": {"get": {
                "summary": "一个村某期间的财务收支汇总和明细", "operationId": "getFinance",
                "parameters": [code_param, query("period")],
                "responses": _responses(_json(_ref("Finance")), bad_query=True)}},
            "/api/villages/{code}/chain": {"get": {
                "summary": "一个村的哈希链链头及每日摘要（保存旧摘要者可发现链条被整体改写）",
                "operationId": "getChainDigest", "parameters": [code_param],
                "responses": _responses(_json(_ref("ChainDigest")))}},
            "/api/notices/{notice_id}": {"get": {
                "summary": "一条公示及其明细、名单、公开的附件和答复", "operationId": "getNotice", "parameters": [id_param],
                "responses": _responses(_json(_ref("Notice")))}},
            "/api/notices/{notice_id}.csv": {"get": {
                "summary": "公示表格（CSV，UTF-8 带 BOM）", "operationId": "getNoticeCsv", "parameters": [id_param],
                "responses": _responses({"description": "CSV", "content": {"text/csv": {"schema": _STR}}})}},
            "/api/notices/{notice_id}.xlsx": {"get": {
                "summary": "公示表格（Excel）", "operationId": "getNoticeXlsx", "parameters": [id_param],
                "responses": _responses({"description": "XLSX", "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}})}},
            "/api/townships/{township}/bulk/{period}.zip": {"get": {
                "summary": "乡镇批量下载：一个月或一年内公布的全部公示（CSV、JSON、数据字典、SHA-256 校验和、链头）",
                "operationId": "getTownshipBulk",
                "parameters": [township_param, {
                    "name": "period", "in": "path", "required": True, "description": "2025-10（月）或 2025（年）",
                    "schema": {"type": "string", "pattern": BULK_PERIOD_PATTERN}}],
                "responses": _responses({"description": "ZIP", "content": {
                    "application/zip": {"schema": {"type": "string", "format": "binary"}}}})}},
            "/feed/{code}.atom": {"get": {
                "summary": "一个村新公示的 Atom 订阅", "operationId": "getFeed", "parameters": [code_param],
                "responses": {"200": {"description": "Atom", "content": {"application/atom+xml": {"schema": _STR}}},
                              "404": {"description": "没有这个村", "content": {"text/html": {"schema": _STR}}}}}},
            "/api/openapi.json": {"get": {"summary": "本文档", "operationId": "getOpenApi", "responses": _responses(
                _json({"type": "object"}), not_found=False)}},
        },
        "components": {"schemas": schemas},
    }
