"""The privacy sweep: crawl every public page, phone page, API response,
export, feed and PDF of the demo (whose rosters went in with ID-card numbers,
bank accounts and phones in their real formats) and fail on anything shaped
like an 18-digit ID, a 16–19-digit account or an 11-digit mobile number, on
any stored private value, and on any of them in the log."""

from __future__ import annotations

import io
import logging
import re
import subprocess
from urllib.parse import urljoin, urlparse

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Question, RosterLine
from disclosure.privacy import ACCOUNT_PATTERN, ID_PATTERN, MOBILE_PATTERN

START = ["/kiosk/", "/m/", "/api/villages", "/api/openapi.json", "/v/"]
SKIP = ("/static/", "/admin", "/sw.js")


def _text(response) -> str:  # noqa: ANN001
    kind = response.headers.get("Content-Type", "")
    body = response.get_data()
    if "pdf" in kind:
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True).stdout.decode()
    if "spreadsheetml" in kind:
        wb = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(" ".join("" if c is None else str(c) for c in row) for ws in wb for row in ws.iter_rows(values_only=True))
    if kind.startswith("image/"):
        return ""
    return body.decode("utf-8", "replace")


def _links(path: str, text: str) -> list[str]:
    found = re.findall(r'(?:href|src)="([^"#]+)"', text) + re.findall(r'"(/(?:api|kiosk|m|p|v|feed|card)/[^"\s]*)"', text)
    result = []
    for href in found:
        target = urlparse(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
        if target.netloc in ("", "localhost") and not target.path.startswith(SKIP):
            result.append(target.path + (f"?{target.query}" if target.query else ""))
    return result


def _private_values(app) -> set[str]:  # noqa: ANN001
    with app.app_context():
        values: set[str] = set()
        for line in db.session.execute(select(RosterLine)).scalars():
            values |= {line.id_masked, line.account_masked, line.phone_masked}
            if line.name != line.public_name:
                values.add(line.name)
        values |= {q.contact for q in db.session.execute(select(Question)).scalars()}
        return {v for v in values if v and len(v) >= 2}


@pytest.mark.slow
def test_nothing_private_leaves_through_any_public_door(demo_app, caplog):
    caplog.set_level(logging.DEBUG)
    client = demo_app.test_client()
    private = _private_values(demo_app)
    assert len(private) > 500  # the demo really holds private data to leak
    queue, seen, kinds = list(START), set(), set()
    leaks: list[str] = []
    while queue:
        path = queue.pop()
        # One page per roster search/page query and 25 ledger-line pages per
        # face are plenty (every line page has the same shape); keep the walk finite.
        key = re.sub(r"([?&](q|page|g|p|view|no|typed)=)[^&]*", r"\1", path)
        key = re.sub(r"/line/(\d+)", lambda m: f"/line/{int(m.group(1)) % 25}", key)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200:
            continue
        text = _text(response)
        kinds.add(response.headers.get("Content-Type", "").split(";")[0])
        for pattern, what in ((ID_PATTERN, "ID number"), (ACCOUNT_PATTERN, "account"), (MOBILE_PATTERN, "mobile")):
            if match := pattern.search(text):
                leaks.append(f"{path}: {what} {match.group()}")
        hits = [v for v in private if v in text]
        if hits:
            leaks.append(f"{path}: private values {hits[:3]}")
        if "html" in response.headers.get("Content-Type", "") or "json" in response.headers.get("Content-Type", "") \
                or "xml" in response.headers.get("Content-Type", ""):
            queue.extend(_links(path, text))
    assert not leaks, leaks[:10]
    assert {"text/html", "application/pdf", "application/json", "text/csv"} <= kinds, kinds
    assert any("spreadsheetml" in k for k in kinds) and any("atom" in k for k in kinds), kinds
    assert len(seen) > 150
    log = caplog.text
    assert not ID_PATTERN.search(log) and not MOBILE_PATTERN.search(log) and not ACCOUNT_PATTERN.search(log)
