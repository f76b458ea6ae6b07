"""The open-data API keeps its published contract: schemathesis (the same
engine as ``st run /api/openapi.json --checks all``) generates requests from
the OpenAPI document, valid and invalid ones, for every operation, plus
unsupported methods and stateful sequences, and runs every check it has
against the live app on the demo database (WSGI, no network). A fixed seed and
a bounded number of examples keep it fast and repeatable; it runs on SQLite
and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import re
from xml.etree import ElementTree as ET

import schemathesis
from flask import Flask
from openpyxl import load_workbook
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

from disclosure.exporting import rows_to_xlsx

SEED = 20261129
MAX_EXAMPLES = 15


def _config() -> SchemathesisConfig:
    load_all_checks()
    checks = "\n".join(f"[checks.{name}]\nenabled = true" for name in CHECKS.get_all_names()
                       if name != "max_response_time")  # timing on a shared two-core machine is not a contract
    return SchemathesisConfig.from_str(f"""
seed = {SEED}
[generation]
mode = "all"
max-examples = {MAX_EXAMPLES}
database = "none"
{checks}
""")


def test_api_keeps_its_contract(demo_app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app, config=_config())
    failures: list[str] = []
    errors: list[str] = []
    checks_run: set[str] = set()
    scenarios = 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            scenarios += 1
            for case_id, nodes in event.recorder.checks.items():
                for node in nodes:
                    checks_run.add(node.name)
                    if node.failure_info is not None:
                        case = event.recorder.cases[case_id].value
                        failures.append(f"{node.name}: {case.operation.label} {case.path_parameters} "
                                        f"{case.query} -> {node.failure_info.failure.title}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "value", event)))
    assert not errors, errors
    assert not failures, "\n".join(sorted(set(failures)))
    assert scenarios >= 9  # every operation was exercised
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance",
            "negative_data_rejection", "positive_data_acceptance", "content_type_conformance"} <= checks_run


ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339_CHINA = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def test_every_machine_time_is_rfc3339_in_china_time(demo_app: Flask) -> None:
    """API, Atom feed and XLSX: times carry the +08:00 offset; dates stay dates."""
    client = demo_app.test_client()
    listed = client.get("/api/villages/dongfeng/notices").get_json()
    assert listed and all(RFC3339_CHINA.match(n["published_at"]) for n in listed)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", n["period_start"]) for n in listed)
    one = client.get(f"/api/notices/{listed[0]['id']}").get_json()
    assert RFC3339_CHINA.match(one["published_at"])
    feed = ET.fromstring(client.get("/feed/dongfeng.atom").data)
    stamps = [e.text for e in feed.iter() if e.tag in (ATOM + "updated", ATOM + "published")]
    assert len(stamps) > 2 and all(RFC3339_CHINA.match(s) for s in stamps)
    when = dt.datetime(2026, 11, 29, 20, 38, 42, 709681)  # stored naive UTC
    sheet = load_workbook(io.BytesIO(rows_to_xlsx("t", ["时间"], [[when]]))).active
    assert sheet.cell(row=3, column=1).value == "2026-11-30T04:38:42+08:00"


def test_the_views_accept_exactly_what_the_document_publishes(demo_app: Flask) -> None:
    client = demo_app.test_client()
    for url, status, code in (
            ("/api/villages/dongfeng/notices?category=AAA", 400, "invalid_category"),
            ("/api/villages/dongfeng/notices?category=", 400, "invalid_category"),
            ("/api/villages/dongfeng/notices?category=finance", 200, None),
            ("/api/villages/dongfeng/finance?period=2025q3", 400, "invalid_period"),
            ("/api/villages/dongfeng/finance?period=", 400, "invalid_period"),
            ("/api/villages/dongfeng/finance?period=2025Q3", 200, None),
            ("/api/villages/dongfeng/finance?period=2025-10", 200, None),
            ("/api/villages/Dongfeng/notices", 404, "not_found"),
            ("/api/notices/0", 404, "not_found"),
            ("/api/notices/99999999999", 404, "not_found"),
            ("/api/no/such/path", 404, "not_found")):
        response = client.get(url)
        assert response.status_code == status, url
        if code:
            assert response.get_json()["error"] == code and response.get_json()["message"], url
    refused = client.post("/api/villages")
    assert refused.status_code == 405 and refused.get_json()["error"] == "method_not_allowed"
    assert "GET" in refused.headers["Allow"]
