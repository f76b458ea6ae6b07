"""The privacy sweep: crawl every public page, phone page, API response,
export, feed and PDF of the demo (whose rosters went in with ID-card numbers,
bank accounts and phones in their real formats) and fail on anything shaped
like an 18-digit ID, a 16–19-digit account or an 11-digit mobile number, on
any stored private value, and on any of them in the log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from disclosure.extensions import db
from disclosure.models import Question, RosterLine
from disclosure.privacy import ACCOUNT_PATTERN, ID_PATTERN, MOBILE_PATTERN
from tests.helpers.public_crawl import crawl, without_digests


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
    kinds: set[str] = set()
    seen = 0
    leaks: list[str] = []
    for path, response, text in crawl(client):
        seen += 1
        kinds.add(response.headers.get("Content-Type", "").split(";")[0])
        for pattern, what in ((ID_PATTERN, "ID number"), (ACCOUNT_PATTERN, "account"), (MOBILE_PATTERN, "mobile")):
            if match := pattern.search(without_digests(text)):
                leaks.append(f"{path}: {what} {match.group()}")
        hits = [v for v in private if v in text]
        if hits:
            leaks.append(f"{path}: private values {hits[:3]}")
    assert not leaks, leaks[:10]
    assert {"text/html", "application/pdf", "application/json", "text/csv"} <= kinds, kinds
    assert any("spreadsheetml" in k for k in kinds) and any("atom" in k for k in kinds), kinds
    assert seen > 150
    log = caplog.text
    assert not ID_PATTERN.search(log) and not MOBILE_PATTERN.search(log) and not ACCOUNT_PATTERN.search(log)
