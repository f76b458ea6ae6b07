"""Open data (/api): read-only JSON of published data, CSV/XLSX downloads of
published tables, township bulk downloads and the OpenAPI 3 document that
describes them. Everything comes from the public view objects
(disclosure.public and its opendata serialisers); nothing here can reach a private
column. Every refusal is JSON ``{"error": code, "message": 中文}`` and is
documented in the OpenAPI document; parameters are checked against the very
patterns and enums that document publishes."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Response, abort, g, request, send_file

from disclosure import clock
from disclosure.extensions import csrf
from disclosure.public import Notice, opendata
from disclosure.services import bulk, catalog, chain

from . import api_bp, public_bp
from .common import public_base

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
csrf.exempt(api_bp)  # GET only; nothing to forge


@api_bp.after_request
def _open(response: Response) -> Response:
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response


@api_bp.after_app_request
def _link_to_data(response: Response) -> Response:
    """Every public HTML page points machines at the data: the DCAT catalogue,
    and on a village's pages that village's notices (JSON) and feed (Atom)."""
    if response.mimetype != "text/html" or request.path.startswith("/admin") or "Link" in response.headers:
        return response  # (a page from the page cache keeps the links it was rendered with)
    links = ['</catalog.jsonld>; rel="describedby"; type="application/ld+json"']
    village = g.get("village")
    if village is not None and getattr(village, "code", None):
        links += [f'</api/villages/{village.code}/notices>; rel="alternate"; type="application/json"',
                  f'</feed/{village.code}.atom>; rel="alternate"; type="application/atom+xml"']
    response.headers.add("Link", ", ".join(links))
    return response


def _absolute(path: str) -> str:
    return public_base() + path


def _json(data: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype=mimetype)


def _error(status: int, code: str, message: str) -> Response:
    return _json({"error": code, "message": message}, status)


def _notice_or_404(notice_id: int) -> Notice:
    notice = opendata.public_notice_or_none(notice_id)
    if notice is None:
        abort(_error(404, "not_found", "公示不存在或未公开"))
    return notice


def _village_or_404(code: str):  # noqa: ANN202
    village = opendata.village_or_none(code)
    if village is None:
        abort(_error(404, "not_found", "没有这个村"))
    return village


def _query(name: str) -> str | None:
    """A query parameter checked against its published schema (None when absent)."""
    value = request.args.get(name)
    if value is None:
        return None
    message = opendata.query_problem(name, value)
    if message:
        abort(_error(400, f"invalid_{name}", message))
    return value


@api_bp.get("/openapi.json")
def openapi():
    return _json(opendata.openapi_document(_absolute("/")))


@public_bp.get("/catalog.jsonld")
def catalog_jsonld():
    """The DCAT catalogue of every village's datasets (JSON-LD), for open-data portals."""
    response = _json(catalog.catalog(_absolute), mimetype="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


public_bp.add_url_rule("/.well-known/dcat", "catalog_well_known", catalog_jsonld)  # the same document


@api_bp.get("/villages")
def villages():
    return _json(opendata.villages())


@api_bp.get("/villages/<code>/notices")
def village_notices(code: str):
    village = _village_or_404(code)
    category = _query("category")
    return _json(opendata.village_notices(village, category, clock.china_today()))


@api_bp.get("/villages/<code>/finance")
def village_finance(code: str):
    village = _village_or_404(code)
    period = opendata.finance_period(_query("period"), clock.china_today())
    return _json(opendata.finance_document(village, period))


@api_bp.get("/villages/<code>/chain")
def village_chain(code: str):
    """The chain head and its daily digest: keep a copy, compare it later."""
    village = _village_or_404(code)
    daily = chain.daily_digest(village)
    return _json({"village": village.code, "head": daily[0].as_dict() if daily else None,
                  "daily": [head.as_dict() for head in daily]})


@api_bp.get("/notices/<int:notice_id>")
def notice(notice_id: int):
    return _json(opendata.notice_document(_notice_or_404(notice_id), clock.china_today(), _absolute))


def _download(notice: Notice, data: bytes, ext: str, mimetype: str):  # noqa: ANN202
    name = f"{notice.village.name}-{notice.title}"[:80].replace("/", "-").replace("\\", "-")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{name}.{ext}")


@api_bp.get("/notices/<int:notice_id>.csv")
def notice_csv(notice_id: int):
    notice = _notice_or_404(notice_id)
    return _download(notice, opendata.table_csv(opendata.notice_table(notice)), "csv", "text/csv; charset=utf-8")


@api_bp.get("/notices/<int:notice_id>.xlsx")
def notice_xlsx(notice_id: int):
    notice = _notice_or_404(notice_id)
    return _download(notice, opendata.table_xlsx(opendata.notice_table(notice)), "xlsx", XLSX)


@api_bp.get("/townships/<township>/bulk/<period>.zip")
def township_bulk(township: str, period: str):
    found = bulk.township_or_none(township) if opendata.matches_code(township) else None
    if found is None or not opendata.matches_bulk_period(period):
        abort(_error(404, "not_found", "没有这个乡镇或期间（期间写作 2025-10 或 2025）"))
    chosen = bulk.bulk_period(period)
    return send_file(io.BytesIO(bulk.bulk_zip(found, chosen)), mimetype="application/zip", as_attachment=True,
                     download_name=f"{bulk.bulk_name(found, chosen)}.zip")
