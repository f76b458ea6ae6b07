"""Walk every public door of the board from a test client: pages, phone
pages, API answers, downloads, feeds and PDFs, following the links each one
gives. Used by the privacy sweeps."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from urllib.parse import urljoin, urlparse

from openpyxl import load_workbook

START = ["/kiosk/", "/m/", "/api/villages", "/api/openapi.json", "/v/"]
SKIP = ("/static/", "/admin", "/sw.js")


def response_text(response) -> str:  # noqa: ANN001
    """What a reader gets out of a response: HTML/JSON/CSV/XML as text, a PDF
    through pdftotext, a workbook cell by cell, nothing from an image."""
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


#: A SHA-256 digest (content and chain hashes, roster commitments) as the public sees it.
DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


def without_digests(text: str) -> str:
    """``text`` with every SHA-256 digest masked, before looking for private numbers:
    64 hex characters can hold eleven digits in a row that look like a mobile number."""
    return DIGEST.sub("<sha256>", text)


def links(path: str, text: str) -> list[str]:
    found = re.findall(r'(?:href|src)="([^"#]+)"', text) + re.findall(r'"(/(?:api|kiosk|m|p|v|feed|card)/[^"\s]*)"', text)
    result = []
    for href in found:
        target = urlparse(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
        if target.netloc in ("", "localhost") and not target.path.startswith(SKIP):
            result.append(target.path + (f"?{target.query}" if target.query else ""))
    return result


def crawl(client, start: list[str] | None = None, *, line_pages: int = 25) -> Iterator[tuple[str, object, str]]:  # noqa: ANN001
    """(path, response, text) of every public page reachable from ``start``.
    One page per roster search/page query and ``line_pages`` ledger-line pages
    per face are plenty (every line page has the same shape): the walk is finite."""
    queue, seen = list(start or START), set()
    while queue:
        path = queue.pop()
        key = re.sub(r"([?&](q|page|g|p|view|no|typed)=)[^&]*", r"\1", path)
        key = re.sub(r"/line/(\d+)", lambda m: f"/line/{int(m.group(1)) % line_pages}", key)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200:
            continue
        text = response_text(response)
        yield path, response, text
        kind = response.headers.get("Content-Type", "")
        if "html" in kind or "json" in kind or "xml" in kind:
            queue.extend(links(path, text))
