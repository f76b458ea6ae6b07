"""Township bulk downloads: one ZIP per township and month or year with every
notice version published then (CSV and JSON), a data dictionary, a SHA-256
checksum file, every village's whole hash chain (chain.csv, all periods) and
its head, so a county, a journalist or an
auditor can mirror the board and check it with tools/verify_board.py.

The CSV/JSON columns carry every field the version's content hash covers
(services/chain.notice_content). From hash format 3 on, a roster line's hash
covers only its published cells and ``commitment``, the board's keyed
commitment over the cells that never leave it (full name, ID fingerprint),
so every version can be recomputed from the download alone. A roster notice
sealed under format 1 or 2 hashed those private cells themselves: it is
marked ``withheld``, and only its chain link can be checked outside.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock, periods
from . import chain
from ..extensions import db
from ..models import PUBLIC_STATUSES, Notice, Township, Village

ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed member times: the same data gives the same bytes
WITHHELD_ROSTER = "roster.name,roster.id_hash"


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    unit: str
    type: str  # text, text|null, integer, integer|null, date, date|null, date-time, boolean
    get: Callable[[Any], Any]


def _c(name: str, meaning: str, type_: str, get: Callable[[Any], Any], unit: str = "") -> Column:
    return Column(name, meaning, unit, type_, get)


NOTICE_COLUMNS = [
    _c("id", "公示编号（每个版本一个）", "integer", lambda n: n.id),
    _c("village", "村代码", "text", lambda n: n.village.code),
    _c("village_name", "村名", "text", lambda n: n.village.name),
    _c("category", "公开类别代码", "text", lambda n: n.category),
    _c("roster_kind", "名单类别代码（非名单为空）", "text|null", lambda n: n.roster_kind),
    _c("title", "标题", "text", lambda n: n.title),
    _c("body", "正文", "text", lambda n: n.body),
    _c("period_start", "所属期间起", "date", lambda n: n.period_start),
    _c("period_end", "所属期间止", "date", lambda n: n.period_end),
    _c("period_label", "所属期间", "text", lambda n: n.period_label),
    _c("notice_start", "公示期起", "date|null", lambda n: n.notice_start),
    _c("notice_end", "公示期止", "date|null", lambda n: n.notice_end),
    _c("version", "版本号", "integer", lambda n: n.version),
    _c("supersedes", "更正的上一版本编号", "integer|null", lambda n: n.supersedes_id),
    _c("correction_reason", "更正原因", "text", lambda n: n.correction_reason),
    _c("status", "状态（不属于哈希内容）", "text", lambda n: n.status.value),
    _c("published_at", "公布时间（RFC 3339，中国时间）", "date-time", lambda n: n.published_at),
    _c("chain_seq", "本村链条序号", "integer", lambda n: n.chain_seq),
    _c("prev_chain_hash", "前一环链条哈希（第一环为空）", "text|null", lambda n: n.prev_chain_hash),
    _c("content_hash", "内容哈希 SHA-256（十六进制）", "text", lambda n: n.content_hash),
    _c("chain_hash", "链条哈希 SHA-256(前一环|内容哈希)", "text", lambda n: n.chain_hash),
    _c("verify_code", "核验码（内容哈希的 Base32 前 10 位）", "text", lambda n: n.verify_code),
    _c("hash_format", "内容哈希格式版本（2 起含凭证照片的 SHA-256；3 起名单只含公开字段和承诺值）", "integer",
       lambda n: getattr(n, "hash_format", None) or 1),
    _c("withheld", "未公开因而无法在外复算哈希的字段（为空表示可完整复算）", "text",
       lambda n: WITHHELD_ROSTER if n.roster_lines and (n.hash_format or 1) < 3 else ""),
]
LEDGER_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("line_no", "行号（从 1 起，哈希内容中的顺序）", "integer", lambda r: r[1]),
    _c("occurred_on", "日期", "date", lambda r: r[2].occurred_on),
    _c("voucher_no", "凭证号", "text", lambda r: r[2].voucher_no),
    _c("summary", "摘要", "text", lambda r: r[2].summary),
    _c("direction", "收支方向（income 收入 / expense 支出）", "text", lambda r: r[2].direction),
    _c("subject", "科目代码", "text", lambda r: r[2].subject),
    _c("amount_fen", "金额", "integer", lambda r: r[2].amount_fen, "分"),
    _c("handler", "经手人", "text", lambda r: r[2].handler),
    _c("note", "备注", "text", lambda r: r[2].note),
    _c("voucher_sha256", "凭证照片文件的 SHA-256（空格分隔，已排序；照片本身未必公开）", "text",
       lambda r: " ".join(sorted(v.sha256 for v in r[2].vouchers))),
]
ROSTER_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("line_no", "行号", "integer", lambda r: r[1]),
    _c("seq", "序号", "integer", lambda r: r[2].seq),
    _c("kind", "类别代码", "text", lambda r: r[2].kind),
    _c("public_name", "姓名（已遮蔽）", "text", lambda r: r[2].public_name),
    _c("group_no", "村民小组号", "integer|null", lambda r: r[2].group_no),
    _c("household_size", "户人数", "integer|null", lambda r: r[2].household_size, "人"),
    _c("quantity_milli", "数量（千分之一单位）", "integer|null", lambda r: r[2].quantity_milli, "0.001"),
    _c("rate_fen", "标准", "integer|null", lambda r: r[2].rate_fen, "分"),
    _c("amount_fen", "金额", "integer", lambda r: r[2].amount_fen, "分"),
    _c("paid_on", "发放日期", "date|null", lambda r: r[2].paid_on),
    _c("reason", "原因类别", "text", lambda r: r[2].reason),
    _c("grade", "等级（保障类别、供养方式、补贴类别等）；有等级时作为本行哈希内容的最后一格，为空则不计入", "text|null",
       lambda r: r[2].grade or None),
    _c("commitment", "承诺值：平台用密钥对本行不公开字段（全名、身份证指纹、仅工作人员可见的遮蔽证号账号电话）计算的 HMAC-SHA256（十六进制），"
       "计入内容哈希（格式 3 起；之前的版本为空），不可反推姓名", "text",
       lambda r: chain.roster_commitment(r[0], r[1], r[2]) if (r[0].hash_format or 1) >= 3 else ""),
]
ASSET_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("line_no", "行号", "integer", lambda r: r[1]),
    _c("seq", "序号", "integer", lambda r: r[2].seq),
    _c("name", "资产名称", "text", lambda r: r[2].name),
    _c("kind", "类别", "text", lambda r: r[2].kind),
    _c("location", "位置", "text", lambda r: r[2].location),
    _c("size", "面积/数量（原文）", "text", lambda r: r[2].size),
    _c("lessee", "承租方", "text", lambda r: r[2].lessee),
    _c("contract_start", "合同起", "date|null", lambda r: r[2].contract_start),
    _c("contract_end", "合同止", "date|null", lambda r: r[2].contract_end),
    _c("annual_income_fen", "年收益", "integer", lambda r: r[2].annual_income_fen, "分"),
]
PROJECT_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("key", "项目编号", "text", lambda r: r[2].project_key),
    _c("name", "项目名称", "text", lambda r: r[2].name),
    _c("location", "实施地点", "text", lambda r: r[2].location),
    _c("content", "建设内容", "text", lambda r: r[2].content),
    _c("standard", "补助标准", "text", lambda r: r[2].subsidy_standard),
    _c("starts_on", "实施期限起", "date", lambda r: r[2].starts_on),
    _c("ends_on", "实施期限止", "date", lambda r: r[2].ends_on),
    _c("implementer", "实施单位", "text", lambda r: r[2].implementer),
    _c("responsible", "责任人", "text", lambda r: r[2].responsible),
    _c("goal", "绩效目标", "text", lambda r: r[2].performance_goal),
    _c("households", "受益户数", "integer", lambda r: r[2].households_benefiting, "户"),
    _c("persons", "受益人数", "integer", lambda r: r[2].persons_benefiting, "人"),
    _c("mechanism", "利益联结机制", "text", lambda r: r[2].benefit_mechanism),
    _c("procurement", "招标与采购情况", "text", lambda r: r[2].procurement),
    _c("result", "实施结果", "text", lambda r: r[2].result),
    _c("stage", "阶段代码", "text", lambda r: r[2].stage),
]
FUND_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("line_no", "行号", "integer", lambda r: r[1]),
    _c("source", "资金来源", "text", lambda r: r[2].source),
    _c("allocated_fen", "安排资金", "integer", lambda r: r[2].allocated_fen, "分"),
    _c("spent_fen", "已支出", "integer", lambda r: r[2].spent_fen, "分"),
]
ATTACHMENT_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("line_no", "附件序号（从 1 起，哈希内容中的顺序）", "integer", lambda r: r[1]),
    _c("sha256", "附件文件的 SHA-256（PDF 原文件或去除元数据后的 JPEG；文件本身未必公开）", "text",
       lambda r: r[2].sha256),
    _c("is_public", "是否向村民公开（审核时由监督委员会决定，属于哈希内容）", "boolean", lambda r: r[2].is_public),
    _c("page_sha256", "PDF 各页图片（查询机显示的）的 SHA-256，按页序，空格分隔；图片附件为空", "text",
       lambda r: r[2].page_digests),
]
DECISION_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("key", "事项编号（同一事项各阶段的公示相同）", "text", lambda r: r[2].decision_key),
    _c("stage", "公开阶段代码（comment 意见征集，resolution 决议公开，result 实施结果公开）", "text",
       lambda r: r[2].stage),
    _c("subject", "议题", "text", lambda r: r[2].subject),
    _c("proposal", "提议内容", "text", lambda r: r[2].proposal),
    _c("comment_closes_on", "意见征集截止日期", "date|null", lambda r: r[2].comment_closes_on),
    _c("adopted", "采纳的意见", "text", lambda r: r[2].adopted),
    _c("not_adopted", "未采纳的意见及理由", "text", lambda r: r[2].not_adopted),
    _c("result", "实施结果", "text", lambda r: r[2].result),
    _c("is_yishi", "是否一事一议", "boolean", lambda r: r[2].is_yishi),
    _c("levy_per_person_fen", "筹资标准（每人每年）", "integer|null", lambda r: r[2].levy_per_person_fen, "分"),
    _c("labour_days_per_worker", "筹劳标准（每个劳动力每年）", "integer|null", lambda r: r[2].labour_days_per_worker,
       "天"),
    _c("households", "参与户数", "integer|null", lambda r: r[2].households, "户"),
    _c("raised_fen", "实际筹资总额", "integer|null", lambda r: r[2].raised_fen, "分"),
    _c("spent_fen", "已支出", "integer|null", lambda r: r[2].spent_fen, "分"),
]
MEETING_COLUMNS = [
    _c("notice_id", "公示编号", "integer", lambda r: r[0].id),
    _c("line_no", "行号（哈希内容中的顺序）", "integer", lambda r: r[1]),
    _c("step", "会议代码（四议：proposal 村党组织提议，deliberation 两委会议商议，review 党员大会审议，"
               "resolution 村民代表会议决议）", "text", lambda r: r[2].step),
    _c("held_on", "会议日期", "date", lambda r: r[2].held_on),
    _c("expected", "应到人数", "integer|null", lambda r: r[2].expected, "人"),
    _c("attendance", "实到人数", "integer", lambda r: r[2].attendance, "人"),
    _c("votes_for", "赞成", "integer", lambda r: r[2].votes_for, "票"),
    _c("votes_against", "反对", "integer", lambda r: r[2].votes_against, "票"),
    _c("votes_abstain", "弃权", "integer", lambda r: r[2].votes_abstain, "票"),
    _c("outcome", "会议意见或结论", "text", lambda r: r[2].outcome),
]
CHAIN_COLUMNS = [
    _c("village", "村代码", "text", lambda n: n.village.code),
    _c("chain_seq", "本村链条序号（从 1 起，不论期间，全部列出）", "integer", lambda n: n.chain_seq),
    _c("notice_id", "公示编号", "integer", lambda n: n.id),
    _c("published_at", "公布时间（RFC 3339，中国时间）", "date-time", lambda n: n.published_at),
    _c("prev_chain_hash", "前一环链条哈希（第一环为空）", "text|null", lambda n: n.prev_chain_hash),
    _c("content_hash", "内容哈希", "text", lambda n: n.content_hash),
    _c("chain_hash", "链条哈希", "text", lambda n: n.chain_hash),
]
HEAD_COLUMNS = [
    _c("village", "村代码", "text", lambda h: h[0].code),
    _c("chain_seq", "下载时本村链头的序号", "integer|null", lambda h: h[1].chain_seq if h[1] else None),
    _c("chain_hash", "下载时本村链头的链条哈希", "text|null", lambda h: h[1].chain_hash if h[1] else None),
]


def _lines(notice: Notice, rows: list[Any]) -> list[tuple[Notice, int, Any]]:
    return [(notice, index, row) for index, row in enumerate(rows, start=1)]


# file name → (columns, rows of one notice)
TABLES: dict[str, tuple[list[Column], Callable[[Notice], list[Any]]]] = {
    "notices.csv": (NOTICE_COLUMNS, lambda n: [n]),
    "ledger.csv": (LEDGER_COLUMNS, lambda n: _lines(n, list(n.ledger_lines))),
    "roster.csv": (ROSTER_COLUMNS, lambda n: _lines(n, list(n.roster_lines))),
    "assets.csv": (ASSET_COLUMNS, lambda n: _lines(n, list(n.asset_lines))),
    "projects.csv": (PROJECT_COLUMNS, lambda n: [(n, 1, n.project)] if n.project else []),
    "funds.csv": (FUND_COLUMNS, lambda n: _lines(n, list(n.project.funds)) if n.project else []),
    "attachments.csv": (ATTACHMENT_COLUMNS, lambda n: _lines(n, list(n.attachments))),
    "decisions.csv": (DECISION_COLUMNS, lambda n: [(n, 1, n.decision)] if n.decision else []),
    "meetings.csv": (MEETING_COLUMNS, lambda n: _lines(n, list(n.decision.meetings)) if n.decision else []),
}


def township_or_none(code: str) -> Township | None:
    return db.session.execute(select(Township).where(Township.code == code)).scalar_one_or_none()


def bulk_period(key: str) -> periods.Period:
    """'2025-10' or '2025' (already checked against the published pattern)."""
    return periods.parse_period(key)


def _cell(value: Any, *, for_csv: bool) -> Any:
    if isinstance(value, dt.datetime):
        return clock.rfc3339(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "" if for_csv else None
    return str(value) if for_csv else value


def _notices(township: Township, period: periods.Period) -> list[Notice]:
    """Versions published in the period (China dates), by village and chain order."""
    start = dt.datetime.combine(period.start, dt.time(), clock.CHINA_TZ).astimezone(dt.UTC).replace(tzinfo=None)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), clock.CHINA_TZ)
    end = end.astimezone(dt.UTC).replace(tzinfo=None)
    # Lines and photos come with the notices: a few queries for the whole archive, however long the notices.
    lines = (selectinload(Notice.ledger_lines), selectinload(Notice.roster_lines),
             selectinload(Notice.asset_lines), selectinload(Notice.project))
    return list(db.session.execute(
        select(Notice).join(Village).where(
            Village.township_id == township.id, Notice.status.in_(PUBLIC_STATUSES),
            Notice.chain_seq.is_not(None), Notice.published_at >= start, Notice.published_at < end)
        .options(*lines).order_by(Village.code, Notice.chain_seq)).scalars())


def _chain(township: Township) -> list[Notice]:
    """Every link of every village's chain (all periods): the period's notices
    are checked against it, and it is checked up to the head."""
    return list(db.session.execute(
        select(Notice).join(Village).where(Village.township_id == township.id, Notice.chain_seq.is_not(None))
        .order_by(Village.code, Notice.chain_seq)).scalars())


def _heads(township: Township) -> list[tuple[Village, Notice | None]]:
    heads = []
    for village in township.villages:
        head = db.session.execute(
            select(Notice).where(Notice.village_id == village.id, Notice.chain_seq.is_not(None))
            .order_by(Notice.chain_seq.desc()).limit(1)).scalar_one_or_none()
        heads.append((village, head))
    return heads


def _csv(columns: list[Column], rows: list[Any]) -> bytes:
    """Plain UTF-8 (no BOM, no formula guard: this is data for programs,
    read back cell for cell by the verifier), CRLF lines, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(c.get(row), for_csv=True) for c in columns])
    return out.getvalue().encode("utf-8")


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _dictionary() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["file", "column", "meaning", "unit", "type"])
    for name, (columns, _rows) in {**TABLES, "chain.csv": (CHAIN_COLUMNS, None),
                                                     "chain_heads.csv": (HEAD_COLUMNS, None)}.items():
        for c in columns:
            writer.writerow([name, c.name, c.meaning, c.unit, c.type])
    writer.writerow(["notices.json", "*", "与 notices.csv 同列，另含 ledger、roster、assets、project、funds、attachments 数组", "",
                     "object"])
    return out.getvalue().encode("utf-8")


def bulk_name(township: Township, period: periods.Period) -> str:
    return f"{township.code}-{periods.period_key(period)}"


def bulk_zip(township: Township, period: periods.Period) -> bytes:
    """The ZIP of one township and period; stable member names and times."""
    notices = _notices(township, period)
    files: dict[str, bytes] = {}
    for name, (columns, rows_of) in TABLES.items():
        files[name] = _csv(columns, [row for n in notices for row in rows_of(n)])
    documents = []
    for notice in notices:
        document = {c.name: _cell(c.get(notice), for_csv=False) for c in NOTICE_COLUMNS}
        for name, key in (("ledger.csv", "ledger"), ("roster.csv", "roster"), ("assets.csv", "assets"),
                          ("projects.csv", "project"), ("funds.csv", "funds"), ("attachments.csv", "attachments"),
                          ("decisions.csv", "decision"), ("meetings.csv", "meetings")):
            columns, rows_of = TABLES[name]
            document[key] = [{c.name: _cell(c.get(r), for_csv=False) for c in columns[1:]} for r in rows_of(notice)]
        document["project"] = document["project"][0] if document["project"] else None
        document["decision"] = document["decision"][0] if document["decision"] else None
        documents.append(document)
    files["notices.json"] = _json_bytes(documents)
    files["chain.csv"] = _csv(CHAIN_COLUMNS, _chain(township))
    heads = _heads(township)
    files["chain_heads.csv"] = _csv(HEAD_COLUMNS, heads)
    files["chain_heads.json"] = _json_bytes([{c.name: _cell(c.get(h), for_csv=False) for c in HEAD_COLUMNS}
                                             for h in heads])
    files["data_dictionary.csv"] = _dictionary()
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                                  for name, data in sorted(files.items())).encode()
    prefix = bulk_name(township, period)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(f"{prefix}/{name}", ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
