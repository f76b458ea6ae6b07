#!/usr/bin/env python3
"""Check a village affairs board without trusting it: recompute every
published version's content hash and the per-village hash chain from a
township bulk download, using only the Python standard library.

    python3 verify_board.py qingshan-2026.zip
    python3 verify_board.py --api https://board.example.cn qingshan 2026-11

Exit status 0 and "链条完整" when everything matches; 1 with one line per
problem, naming the village, the notice's number and title, otherwise.

What this reimplements (keep in step with disclosure/services/chain.py):
  * the content of a version (``chain.notice_content``, hash format 1): the
    dictionary built by :func:`content` from the layout in ``CONTENT`` below,
    serialised as JSON with sorted keys, no spaces, UTF-8, not ASCII-escaped;
  * ``content_hash`` = SHA-256 hex of that JSON;
  * ``chain_hash`` = SHA-256 hex of ``"<prev_chain_hash or GENESIS>|<content_hash>"``;
  * ``verify_code`` = the first 10 characters of Base32(content_hash bytes);
  * hash format 2 (``CONTENT_FORMAT_2``, when notices.csv says hash_format 2
    or more): the keys ``format`` and ``vouchers`` are added to the content;
  * hash format 3 (``CONTENT_FORMAT_3``): a roster line is only its published
    cells (masked name, group, amounts …) and ``commitment``, the board's
    keyed commitment over the private ones, an opaque hex taken as it is;
  * a roster line with a grade (等级; roster.csv column ``grade``, absent from
    older downloads) has it as one more cell at the end of its row, whatever
    the format; an empty cell adds nothing (``OPTIONAL_ROSTER``);
  * a version with attachments (附件; attachments.csv, absent from older
    downloads) adds the key ``attachments``: one ``[sha256, is_public,
    [page_sha256 words]]`` per attachment in line_no order (``CONTENT_ATTACHMENTS``), whatever the format;
  * a decision notice (四议两公开, 一事一议; decisions.csv and meetings.csv, absent
    from older downloads) adds the key ``decision`` (``CONTENT_DECISION``), whatever the format;
  * the 链头码 ``head_code`` printed for each village, to compare with paper.
The bulk download never holds a roster line's full name or ID fingerprint, so
a roster notice sealed before format 3 (``withheld`` not empty) gets its chain
link checked but not its content hash; the report counts them.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import sys
import urllib.request
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

# -- The hashed content, in one place ------------------------------------------
# Each entry: content key -> where its value comes from. Strings name a column
# of notices.csv; ("list", file, columns) is a list, one row per line of that
# file in line_no order, each row the listed columns in order; ("pair", a, b) a
# two-item list of columns; ("project", ...) the project object or null.
CONTENT: dict[str, Any] = {
    "id": "id",
    "village": "village",
    "category": "category",
    "roster_kind": "roster_kind",
    "title": "title",
    "body": "body",
    "period": ("triple", "period_start", "period_end", "period_label"),
    "notice_period": ("pair", "notice_start", "notice_end"),
    "version": "version",
    "supersedes": "supersedes",
    "correction_reason": "correction_reason",
    "ledger": ("list", "ledger.csv", ["occurred_on", "voucher_no", "summary", "direction", "subject",
                                      "amount_fen", "handler", "note"]),
    "roster": ("list", "roster.csv", ["seq", "kind", "name", "public_name", "group_no", "id_hash",
                                      "household_size", "quantity_milli", "rate_fen", "amount_fen", "paid_on",
                                      "reason"]),
    "assets": ("list", "assets.csv", ["seq", "name", "kind", "location", "size", "lessee", "contract_start",
                                      "contract_end", "annual_income_fen"]),
    "project": ("project", {
        "key": "key", "name": "name", "location": "location", "content": "content", "standard": "standard",
        "term": ("pair", "starts_on", "ends_on"), "implementer": "implementer", "responsible": "responsible",
        "goal": "goal", "households": "households", "persons": "persons", "mechanism": "mechanism",
        "procurement": "procurement", "result": "result", "stage": "stage",
        "funds": ("list", "funds.csv", ["source", "allocated_fen", "spent_fen"]),
    }),
}
# Hash format 2 and later (notices.csv column hash_format) add these keys: the
# format number and, per ledger line, the sorted SHA-256 of its receipt photos.
CONTENT_FORMAT_2: dict[str, Any] = {
    "format": "hash_format",
    "vouchers": ("words", "ledger.csv", "voucher_sha256"),
}
# Hash format 3 and later: a roster line is the cells roster.csv shows, the commitment last.
CONTENT_FORMAT_3: dict[str, Any] = {
    "roster": ("list", "roster.csv", ["seq", "kind", "public_name", "group_no", "household_size", "quantity_milli",
                                      "rate_fen", "amount_fen", "paid_on", "reason", "commitment"]),
}
# Cells a roster row has at its end only when filled (any format), in this order.
OPTIONAL_ROSTER = ["grade"]
# Only for a version with at least one row in attachments.csv: the key is absent otherwise.
CONTENT_ATTACHMENTS: dict[str, Any] = {
    "attachments": ("list", "attachments.csv", ["sha256", "is_public", "page_sha256"]),
}
# Only for a version with a row in decisions.csv (四议两公开, 一事一议): the key is absent otherwise.
CONTENT_DECISION: dict[str, Any] = {
    "decision": ("decision", {
        "key": "key", "stage": "stage", "subject": "subject", "proposal": "proposal",
        "comment_closes_on": "comment_closes_on", "adopted": "adopted", "not_adopted": "not_adopted",
        "result": "result",
        "yishi": ("row", "is_yishi", "levy_per_person_fen", "labour_days_per_worker", "households", "raised_fen",
                  "spent_fen"),
        "meetings": ("list", "meetings.csv", ["step", "held_on", "expected", "attendance", "votes_for",
                                              "votes_against", "votes_abstain", "outcome"]),
    }),
}
# Column types in the CSV files: integers, and the columns whose empty cell means null.
INTEGER = {"id", "hash_format", "version", "supersedes", "chain_seq", "notice_id", "line_no", "amount_fen", "seq", "group_no",
           "household_size", "quantity_milli", "rate_fen", "annual_income_fen", "households", "persons",
           "allocated_fen", "spent_fen", "levy_per_person_fen", "labour_days_per_worker", "raised_fen", "expected",
           "attendance", "votes_for", "votes_against", "votes_abstain"}
NULLABLE = {"roster_kind", "notice_start", "notice_end", "supersedes", "prev_chain_hash", "group_no",
            "household_size", "quantity_milli", "rate_fen", "paid_on", "contract_start", "contract_end",
            "chain_seq", "chain_hash", "comment_closes_on", "grade", "levy_per_person_fen", "labour_days_per_worker",
            "households", "raised_fen", "spent_fen", "expected"}
BOOLEAN = {"is_public", "is_yishi"}
WORD_LISTS = {"page_sha256"}  # space-separated in the CSV, a list in the hashed content
LINE_FILES = ("ledger.csv", "roster.csv", "assets.csv", "projects.csv", "funds.csv")
#: Downloads made before attachments (or decisions) existed lack these.
OPTIONAL_LINE_FILES = ("attachments.csv", "decisions.csv", "meetings.csv")


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(prev_chain_hash: str | None, content: str) -> str:
    return hashlib.sha256(f"{prev_chain_hash or 'GENESIS'}|{content}".encode()).hexdigest()


def verify_code(content: str) -> str:
    return base64.b32encode(bytes.fromhex(content)).decode()[:10]


def head_code(seq: int, chain_hash: str) -> str:
    """The 链头码 printed on notices and given in the feed: link number and 40
    bits of the chain hash, e.g. 17-K3F9-QX2M; compare it with an old paper."""
    letters = base64.b32encode(bytes.fromhex(chain_hash)).decode()[:8]
    return f"{seq}-{letters[:4]}-{letters[4:]}"


# -- Reading a download -----------------------------------------------------------

def typed(column: str, cell: str) -> Any:
    """A CSV cell as the value the board hashed."""
    if cell == "" and column in NULLABLE:
        return None
    if column in INTEGER and cell != "":
        return int(cell)
    if column in BOOLEAN:
        return cell == "True"
    if column in WORD_LISTS:
        return cell.split()
    return cell


@dataclass
class Download:
    files: dict[str, bytes]
    notices: list[dict[str, Any]] = field(default_factory=list)
    lines: dict[str, dict[int, list[dict[str, Any]]]] = field(default_factory=dict)

    def table(self, name: str) -> list[dict[str, Any]]:
        text = self.files[name].decode("utf-8-sig")
        return [{k: typed(k, v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def read_zip(data: bytes) -> Download:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name.rsplit("/", 1)[-1]: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    missing = [name for name in ("notices.csv", *LINE_FILES, "chain.csv", "chain_heads.csv") if name not in files]
    if missing:
        raise ValueError(f"这不是完整的批量下载，缺少文件：{'、'.join(missing)}")
    download = Download(files)
    download.notices = download.table("notices.csv")
    for name in (*LINE_FILES, *(n for n in OPTIONAL_LINE_FILES if n in files)):
        by_notice: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in download.table(name):
            by_notice[row["notice_id"]].append(row)
        for rows in by_notice.values():
            rows.sort(key=lambda r: r.get("line_no") or 0)
        download.lines[name] = by_notice
    return download


def build(spec: Any, row: dict[str, Any], lines: dict[str, dict[int, list[dict[str, Any]]]], notice_id: int) -> Any:
    """One value of the hashed content, following its entry in ``CONTENT``."""
    if isinstance(spec, str):
        return row[spec]
    kind = spec[0]
    if kind in ("pair", "triple", "row"):
        return [row[c] for c in spec[1:]]
    if kind == "list":
        optional = OPTIONAL_ROSTER if spec[1] == "roster.csv" else []
        return [[line[c] for c in spec[2]] + [line[c] for c in optional if line.get(c)]
                for line in lines[spec[1]].get(notice_id, [])]
    if kind == "words":
        return [sorted((line[spec[2]] or "").split()) for line in lines[spec[1]].get(notice_id, [])]
    if kind == "project":
        projects = lines["projects.csv"].get(notice_id, [])
        if not projects:
            return None
        return {key: build(sub, projects[0], lines, notice_id) for key, sub in spec[1].items()}
    if kind == "decision":
        [decision] = lines["decisions.csv"][notice_id]
        return {key: build(sub, decision, lines, notice_id) for key, sub in spec[1].items()}
    raise ValueError(spec)


def content(row: dict[str, Any], lines: dict[str, dict[int, list[dict[str, Any]]]]) -> dict[str, Any]:
    layout = dict(CONTENT)
    if (row.get("hash_format") or 1) >= 2:
        layout.update(CONTENT_FORMAT_2)
    if (row.get("hash_format") or 1) >= 3:
        layout.update(CONTENT_FORMAT_3)
    if lines.get("attachments.csv", {}).get(row["id"]):
        layout.update(CONTENT_ATTACHMENTS)
    if lines.get("decisions.csv", {}).get(row["id"]):
        layout.update(CONTENT_DECISION)
    return {key: build(spec, row, lines, row["id"]) for key, spec in layout.items()}


# -- Checking -----------------------------------------------------------------------

@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checked: int = 0
    links_only: int = 0
    heads: dict[str, str] = field(default_factory=dict)

    def add(self, row: dict[str, Any] | None, message: str) -> None:
        where = f"{row['village']} 公示 #{row['id']}《{row['title']}》：" if row else ""
        self.problems.append(where + message)


def check_sums(download: Download, report: Report) -> None:
    sums = download.files.get("SHA256SUMS")
    if sums is None:
        report.add(None, "缺少校验和文件 SHA256SUMS")
        return
    for line in sums.decode().splitlines():
        digest, name = line.split("  ", 1)
        data = download.files.get(name)
        if data is None:
            report.add(None, f"缺少文件 {name}")
        elif hashlib.sha256(data).hexdigest() != digest:
            report.add(None, f"文件 {name} 与校验和不符")


def check_chain(download: Download, by_village: dict[str, list[dict[str, Any]]], report: Report) -> None:
    """The whole chain of every village (chain.csv) link by link up to its
    head, and each notice of the download against its link."""
    links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in download.table("chain.csv"):
        links[link["village"]].append(link)
    heads = {h["village"]: h for h in download.table("chain_heads.csv")}
    for village, chain in links.items():
        chain.sort(key=lambda r: r["chain_seq"])
        titles = {r["id"]: r for r in by_village.get(village, [])}

        def named(link: dict[str, Any]) -> dict[str, Any]:
            return titles.get(link["notice_id"]) or {"village": village, "id": link["notice_id"], "title": "（不在本期）"}

        prev = None
        for expected, link in enumerate(chain, start=1):
            if link["chain_seq"] != expected:
                report.add(named(link), f"链条序号不连续（应为 {expected}，实为 {link['chain_seq']}）")
            if link["prev_chain_hash"] != prev:
                report.add(named(link), "与前一条公示的链接被改动")
            if link["chain_hash"] != link_hash(link["prev_chain_hash"], link["content_hash"]):
                report.add(named(link), "链条哈希不符")
            prev = link["chain_hash"]
        if prev is not None:
            report.heads[village] = head_code(len(chain), prev)
        head = heads.get(village)
        if head is None or head["chain_seq"] != len(chain) or head["chain_hash"] != prev:
            report.add(None, f"{village} 的链头与链条不符")
        by_id = {link["notice_id"]: link for link in chain}
        for row in by_village.get(village, []):
            link = by_id.get(row["id"])
            if link is None or (link["content_hash"], link["chain_hash"], link["chain_seq"]) != (
                    row["content_hash"], row["chain_hash"], row["chain_seq"]):
                report.add(row, "不在本村链条中，或与链条记录不符")
    for village in set(by_village) - set(links):
        report.add(by_village[village][0], "本村链条缺失")


def verify(download: Download) -> Report:
    report = Report()
    check_sums(download, report)
    by_village: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in download.notices:
        by_village[row["village"]].append(row)
        if row["withheld"]:
            report.links_only += 1
        else:
            report.checked += 1
            actual = content_hash(content(row, download.lines))
            if actual != row["content_hash"]:
                report.add(row, "内容与内容哈希不符（公布后被改动，或下载文件被改动）")
        if row["content_hash"] and row["verify_code"] != verify_code(row["content_hash"]):
            report.add(row, "核验码与内容哈希不符")
    check_chain(download, by_village, report)
    return report


def fetch(base: str, township: str, period: str) -> bytes:
    url = f"{base.rstrip('/')}/api/townships/{township}/bulk/{period}.zip"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the user names the board)
        return response.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="独立核验村务公开批量下载的内容哈希和哈希链")
    parser.add_argument("source", nargs="+", help="ZIP 文件；或与 --api 一起：乡镇代码 期间（2025-10 或 2025）")
    parser.add_argument("--api", metavar="BASE_URL", help="从公开平台下载，例如 https://board.example.cn")
    args = parser.parse_args(argv)
    if args.api:
        if len(args.source) != 2:
            parser.error("--api 需要乡镇代码和期间两个参数")
        data = fetch(args.api, *args.source)
    else:
        with open(args.source[0], "rb") as handle:
            data = handle.read()
    try:
        report = verify(read_zip(data))
    except (ValueError, KeyError, zipfile.BadZipFile) as error:
        print(f"无法核验：{error}")
        return 2
    for problem in report.problems:
        print(problem)
    if report.problems:
        print(f"发现 {len(report.problems)} 处问题。")
        return 1
    for village, code in sorted(report.heads.items()):
        print(f"{village} 链头码 {code}")
    print(f"链条完整：{report.checked} 条公示的内容哈希已复算，{report.links_only} 条早期名单公示含不公开字段，"
          f"只核验了链接。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
