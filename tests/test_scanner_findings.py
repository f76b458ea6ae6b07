"""Regressions for what tools/scan.py (wapiti, sqlmap) found on 127.0.0.1."""

from __future__ import annotations

from flask import Flask

from tests.conftest import login_as
from tests.helpers.admin_world import build_world


def test_a_forged_roster_kind_is_a_field_error_not_a_500(app: Flask, client, place) -> None:  # noqa: ANN001
    # wapiti's crlf module posted roster_kind="http://www.google.fr\r\nwapiti: 3.2.3 version": KeyError, 500.
    login_as(client, build_world(app, place)["clerk1"])
    r = client.post("/admin/notices/new", data={
        "village": place["v1"], "category": "subsidy", "roster_kind": "http://example.org\r\nX-Injected: 1",
        "period_type": "month", "year": "2025", "month": "10", "quarter": "4", "title": "一村十月补贴"})
    assert r.status_code == 200
    assert 'id="roster_kind-error"' in r.text
    assert "X-Injected" not in r.headers
