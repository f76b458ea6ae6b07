"""Open data (/api): read-only JSON of published data, CSV/XLSX downloads of
published tables, and the OpenAPI 3 document that describes them. Everything
comes from the public view objects (disclosure.public via
services.opendata); nothing here can reach a private column."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from flask import Response, abort, current_app, request, send_file

from disclosure import periods, public
from disclosure.catalogue import CATEGORIES
from disclosure.clock import china_today
from disclosure.extensions import csrf
from disclosure.models import Notice
from disclosure.services import chain, opendata

from . import api_bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
csrf.exempt(api_bp)  # GET only; nothing to forge


@api_bp.after_request
def _open(response: Response) -> Response:
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


def _notice_or_404(notice_id: int) -> Notice:
    notice = public.public_notice_or_none(notice_id)
    if notice is None:
        abort(_error(404, "公示不存在或未公开"))
    return notice


def _village_or_404(code: str):  # noqa: ANN202
    village = opendata.village_or_none(code)
    if village is None:
        abort(_error(404, "没有这个村"))
    return village


@api_bp.get("/openapi.json")
def openapi():
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")
    return _json(opendata.openapi_document(base + "/"))


@api_bp.get("/villages")
def villages():
    return _json(opendata.villages())


@api_bp.get("/villages/<code>/notices")
def village_notices(code: str):
    village = _village_or_404(code)
    category = request.args.get("category") or None
    if category is not None and category not in CATEGORIES:
        return _error(400, "未知的公开类别")
    return _json(opendata.village_notices(village, category, china_today()))


@api_bp.get("/villages/<code>/finance")
def village_finance(code: str):
    village = _village_or_404(code)
    key = request.args.get("period")
    if key:
        try:
            period = periods.parse_period(key)
        except ValueError:
            return _error(400, "期间格式应为 2025Q3、2025-10 或 2025")
    else:
        period = periods.quarter_of(periods.quarter_of(china_today()).start - dt.timedelta(days=1))
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
    return _json(opendata.notice_document(_notice_or_404(notice_id), china_today()))


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
