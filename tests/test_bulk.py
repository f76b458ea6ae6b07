"""The township bulk download: one ZIP per township and month or year with
every published version as CSV and JSON, a data dictionary, SHA-256 sums and
the chain; stable names and bytes; times RFC 3339 in China time."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile

from flask import Flask

from disclosure import clock

RFC3339_CHINA = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
FILES = {"notices.csv", "notices.json", "ledger.csv", "roster.csv", "assets.csv", "projects.csv", "funds.csv",
         "attachments.csv", "decisions.csv", "meetings.csv",
         "chain.csv", "chain_heads.csv", "chain_heads.json", "data_dictionary.csv", "SHA256SUMS"}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_year_zip_holds_every_file_described_and_summed(demo_app: Flask) -> None:
    client = demo_app.test_client()
    year = clock.china_today().year
    response = client.get(f"/api/townships/qingshan/bulk/{year}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"qingshan-{year}.zip" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    files = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    assert set(files) == FILES
    assert all(name.startswith(f"qingshan-{year}/") for name in archive.namelist())

    sums = dict(reversed(line.split("  ")) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(sums) == FILES - {"SHA256SUMS"}
    assert all(hashlib.sha256(files[name]).hexdigest() == digest for name, digest in sums.items())

    dictionary = _rows(files["data_dictionary.csv"])
    assert list(dictionary[0]) == ["file", "column", "meaning", "unit", "type"]
    described = {(d["file"], d["column"]) for d in dictionary}
    for name in FILES:
        if name.endswith(".csv") and name != "data_dictionary.csv":
            header = next(csv.reader(io.StringIO(files[name].decode("utf-8"))))
            assert {(name, column) for column in header} <= described, name
    assert {d["unit"] for d in dictionary if d["column"].endswith("_fen")} == {"分"}

    notices = _rows(files["notices.csv"])
    documents = json.loads(files["notices.json"])
    assert len(notices) == len(documents) >= 20
    assert [n["id"] for n in notices] == [str(d["id"]) for d in documents]
    assert all(RFC3339_CHINA.match(n["published_at"]) for n in notices)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", n["period_start"]) for n in notices)
    assert {n["village"] for n in notices} == {h["village"] for h in _rows(files["chain_heads.csv"])}
    assert any(d["ledger"] for d in documents) and any(d["roster"] for d in documents)
    assert all("name" not in line and "id_hash" not in line for d in documents for line in d["roster"])
    # hash format 3: each roster line carries the keyed commitment over its private fields, in CSV and JSON
    assert all(re.fullmatch(r"[0-9a-f]{64}", line["commitment"]) for d in documents for line in d["roster"])
    assert {n["withheld"] for n in notices} == {""} and {n["hash_format"] for n in notices} == {"3"}
    assert ("roster.csv", "commitment") in described

    again = client.get(f"/api/townships/qingshan/bulk/{year}.zip")
    assert again.data == response.data  # stable bytes: a mirror can compare downloads


def test_a_month_holds_only_that_months_versions(demo_app: Flask) -> None:
    client = demo_app.test_client()
    today = clock.china_today()
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/townships/qingshan/bulk/{today:%Y-%m}.zip").data))
    notices = _rows(archive.read(f"qingshan-{today:%Y-%m}/notices.csv"))
    assert all(n["published_at"].startswith(f"{today:%Y-%m}-") for n in notices)


def test_unknown_township_or_period_is_a_json_404(demo_app: Flask) -> None:
    client = demo_app.test_client()
    for url in ("/api/townships/nowhere/bulk/2026.zip", "/api/townships/qingshan/bulk/2026Q1.zip",
                "/api/townships/qingshan/bulk/2026-13.zip", "/api/townships/QINGSHAN/bulk/2026.zip"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"] == "not_found" and response.get_json()["message"]
