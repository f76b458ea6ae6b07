"""The open-data API keeps its published contract: schemathesis (the same
engine as ``st run /api/openapi.json --checks all``) generates requests from
the OpenAPI document, valid and invalid ones, for every operation, plus
unsupported methods and stateful sequences, and runs every check it has
against the live app on the demo database (WSGI, no network). A fixed seed and
a bounded number of examples keep it fast and repeatable; it runs on SQLite
and on PostgreSQL."""

from __future__ import annotations

import schemathesis
from flask import Flask
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

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
