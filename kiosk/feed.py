"""An Atom feed of a village's new notices (/feed/<village_code>.atom), from
the public view objects; every text is escaped by ElementTree."""

from __future__ import annotations

from flask import Response, abort, url_for

from disclosure import clock
from disclosure.public import opendata

from . import public_bp
from .common import public_base


def _absolute(path: str) -> str:
    return public_base() + path


@public_bp.get("/feed/<village_code>.atom")
def feed(village_code: str):
    village = opendata.village_or_none(village_code)
    if village is None:
        abort(404)
    body = opendata.atom_feed(
        village, self_url=_absolute(url_for("public.feed", village_code=village.code)),
        notice_url=lambda notice_id: _absolute(url_for("mobile.notice", notice_id=notice_id)),
        today=clock.china_today(), chain_url=_absolute(url_for("api.village_chain", code=village.code)),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
