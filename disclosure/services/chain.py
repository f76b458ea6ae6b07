"""Content hashes, the per-village hash chain and short verification codes."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Notice, Village


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def notice_content(notice: Notice) -> dict[str, Any]:
    """Everything a published version says, in a canonical structure. The
    status is not content: superseding or withdrawing does not change what
    the version said."""
    project = notice.project
    return {
        "id": notice.id,
        "village": notice.village.code,
        "category": notice.category,
        "roster_kind": notice.roster_kind,
        "title": notice.title,
        "body": notice.body,
        "period": [_d(notice.period_start), _d(notice.period_end), notice.period_label],
        "notice_period": [_d(notice.notice_start), _d(notice.notice_end)],
        "version": notice.version,
        "supersedes": notice.supersedes_id,
        "correction_reason": notice.correction_reason,
        "ledger": [
            [_d(l.occurred_on), l.voucher_no, l.summary, l.direction, l.subject, l.amount_fen, l.handler, l.note]
            for l in notice.ledger_lines
        ],
        "roster": [
            [r.seq, r.kind, r.name, r.public_name, r.group_no, r.id_hash, r.household_size,
             r.quantity_milli, r.rate_fen, r.amount_fen, _d(r.paid_on), r.reason]
            for r in notice.roster_lines
        ],
        "assets": [
            [a.seq, a.name, a.kind, a.location, a.size, a.lessee, _d(a.contract_start), _d(a.contract_end),
             a.annual_income_fen]
            for a in notice.asset_lines
        ],
        "project": None
        if project is None
        else {
            "key": project.project_key, "name": project.name, "location": project.location,
            "content": project.content, "standard": project.subsidy_standard,
            "term": [_d(project.starts_on), _d(project.ends_on)], "implementer": project.implementer,
            "responsible": project.responsible, "goal": project.performance_goal,
            "households": project.households_benefiting, "persons": project.persons_benefiting,
            "mechanism": project.benefit_mechanism, "procurement": project.procurement,
            "result": project.result, "stage": project.stage,
            "funds": [[f.source, f.allocated_fen, f.spent_fen] for f in project.funds],
        },
    }


def content_hash(notice: Notice) -> str:
    canonical = json.dumps(notice_content(notice), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_hash(prev_chain_hash: str | None, content: str) -> str:
    return hashlib.sha256(f"{prev_chain_hash or 'GENESIS'}|{content}".encode()).hexdigest()


def verify_code(content: str) -> str:
    """Ten characters (50 bits) of the content hash, readable aloud: no 0/O/1/I confusion."""
    return base64.b32encode(bytes.fromhex(content)).decode()[:10]


def seal(notice: Notice) -> None:
    """Hash a version and append it to its village's chain (at publication)."""
    last = db.session.execute(
        select(Notice)
        .where(Notice.village_id == notice.village_id, Notice.chain_seq.is_not(None))
        .order_by(Notice.chain_seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    notice.chain_seq = (last.chain_seq + 1) if last else 1
    notice.prev_chain_hash = last.chain_hash if last else None
    notice.content_hash = content_hash(notice)
    notice.chain_hash = link_hash(notice.prev_chain_hash, notice.content_hash)
    notice.verify_code = verify_code(notice.content_hash)


@dataclass(frozen=True)
class ChainProblem:
    village: str
    notice_id: int
    title: str
    message: str

    def __str__(self) -> str:
        return f"{self.village} 公示 #{self.notice_id}《{self.title}》：{self.message}"


def verify_village(village: Village) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    notices = db.session.execute(
        select(Notice).where(Notice.village_id == village.id, Notice.chain_seq.is_not(None)).order_by(Notice.chain_seq)
    ).scalars()
    prev: str | None = None
    expected_seq = 1
    for notice in notices:
        def problem(message: str, n: Notice = notice) -> None:
            problems.append(ChainProblem(village.code, n.id, n.title, message))

        if notice.chain_seq != expected_seq:
            problem(f"链条序号不连续（应为{expected_seq}，实为{notice.chain_seq}）")
        if notice.prev_chain_hash != prev:
            problem("与前一条公示的链接被改动")
        actual = content_hash(notice)
        if actual != notice.content_hash:
            problem("公布后的内容被改动（内容哈希不符）")
        if link_hash(notice.prev_chain_hash, notice.content_hash) != notice.chain_hash:
            problem("链条哈希不符")
        if notice.verify_code != verify_code(notice.content_hash or "00"):
            problem("核验码与内容哈希不符")
        prev = notice.chain_hash
        expected_seq = (notice.chain_seq or 0) + 1
    return problems


def verify_all() -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    for village in db.session.execute(select(Village).order_by(Village.code)).scalars():
        problems += verify_village(village)
    return problems
