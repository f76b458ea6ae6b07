"""Content hashes, the per-village hash chain and short verification codes.

Hash formats (``Notice.hash_format``, fixed when a version is sealed):

1. the version's text and lines (every version sealed before format 2);
2. format 1 plus the SHA-256 of every receipt photo's bytes on each ledger
   line, and the format number itself, so a version cannot be passed off as
   format 1 to hide a swapped photo.
3. format 2, but each roster line is exactly the cells the public download
   shows (:data:`PUBLIC_ROSTER`: masked name, group, amounts …) plus a keyed
   commitment (:func:`roster_commitment`, HMAC with a key of the ring in
   disclosure/keys.py) over its private fields (full name, ID fingerprint,
   the staff-only masked ID, account and phone).
   Anyone can recompute the hash from the download alone
   (tools/verify_board.py); the private fields still cannot change silently,
   as the board recomputes the commitment from them when it checks the chain.

Independent of the format: a roster line with a grade (等级, ``RosterLine.grade``)
has it as one more cell at the end of its hashed row; a line without one has
no such cell, so every version sealed before grades existed hashes as it did,
and a grade slipped into an old version afterwards breaks its hash. The bulk
download's roster.csv has the column ``grade`` (empty: no cell).

Independent of the format: a version with attachments (附件) has the key
``attachments``, one ``[sha256, is_public, [page picture sha256, ...]]`` per
attachment in its order (the pictures the kiosk shows of a PDF's pages); a
version without any has no such key, so every hash sealed before attachments
existed is unchanged.

A version is always checked under the format it was sealed with: old chains
stay verifiable and their printed codes stay valid.

A decision notice's decision (its matter, 四议 meetings and votes, 一事一议
figures) is hashed under the key ``decision`` in any format; the key is
present only where a decision is, so versions without one hash as before.

The chain head (the newest link of a village's chain) is anchored outside the
database: every printed notice carries its own link's :func:`head_code`, and
the Atom feed and the API publish a :func:`daily_digest`. Anyone holding an
older paper or feed can check it with ``flask verify-chain --anchor``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import clock, keys
from ..extensions import db
from ..models import PUBLIC_STATUSES, AuditEntry, Notice, RosterLine, Village

#: The format every new seal uses.
HASH_FORMAT = 3

#: Format 3: a roster line's hashed cells, as the bulk download's roster.csv
#: names them (the commitment last). tools/verify_board.py lists the same.
PUBLIC_ROSTER = ("seq", "kind", "public_name", "group_no", "household_size", "quantity_milli", "rate_fen",
                 "amount_fen", "paid_on", "reason")


def _d(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def notice_content(notice: Notice, hash_format: int | None = None) -> dict[str, Any]:
    """Everything a published version says, in a canonical structure. The
    status is not content: superseding or withdrawing does not change what
    the version said; nor is a photo's public/private switch."""
    hash_format = hash_format or notice.hash_format or 1
    project = notice.project
    content = {
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
        "roster": _roster(notice, hash_format),
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
    if notice.decision is not None:
        # Present only on decision notices: every version sealed before decisions existed hashes as it did.
        content["decision"] = decision_content(notice.decision)
    if hash_format >= 2:
        content["format"] = hash_format
        # One list per ledger line, in the lines' order: the photos' own bytes hashes.
        content["vouchers"] = [sorted(v.sha256 for v in line.vouchers) for line in notice.ledger_lines]
    if notice.attachments:  # only then: versions without attachments hash as they always did
        content["attachments"] = [[a.sha256, a.is_public, a.page_digests.split()] for a in notice.attachments]
    return content


def _roster(notice: Notice, hash_format: int) -> list[list[Any]]:
    if hash_format >= 3:
        key = commitment_key(notice)
        rows = [[_d(v) if isinstance(v, dt.date) else v for v in (getattr(r, c) for c in PUBLIC_ROSTER)]
                + [roster_commitment(notice, line_no, r, key)]
                for line_no, r in enumerate(notice.roster_lines, start=1)]
    else:
        rows = [[r.seq, r.kind, r.name, r.public_name, r.group_no, r.sealed_fingerprint[0], r.household_size,
                 r.quantity_milli, r.rate_fen, r.amount_fen, _d(r.paid_on), r.reason]
                for r in notice.roster_lines]
    return [row + optional_cells(r) for row, r in zip(rows, notice.roster_lines, strict=True)]


#: Cells a roster line has in its hashed row only when filled (any format), last, in this order.
OPTIONAL_ROSTER = ("grade",)


def optional_cells(line: RosterLine) -> list[Any]:
    return [getattr(line, c) for c in OPTIONAL_ROSTER if getattr(line, c)]


def commitment_key(notice: Notice) -> bytes:
    """The key of a format-3 version's roster commitments (its own key version)."""
    return keys.ring().commitment_key(notice.commit_key)


def roster_commitment(notice: Notice, line_no: int, line: RosterLine, key: bytes | None = None) -> str:
    """The keyed commitment (hex) over a roster line's private fields, bound
    to its version and line number: only the board (holding the key) can
    make or check it; the public cannot test a guessed name against it, nor
    link one person's lines across rosters."""
    fingerprint, version = line.sealed_fingerprint
    private = json.dumps([notice.id, line_no, line.name, fingerprint, version, line.id_masked, line.account_masked,
                          line.phone_masked], ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key or commitment_key(notice), private.encode(), hashlib.sha256).hexdigest()


def decision_content(d: Any) -> dict[str, Any]:
    """A decision (四议两公开, 一事一议) as hashed content."""
    return {
        "key": d.decision_key, "stage": d.stage, "subject": d.subject, "proposal": d.proposal,
        "comment_closes_on": _d(d.comment_closes_on), "adopted": d.adopted, "not_adopted": d.not_adopted,
        "result": d.result, "yishi": [d.is_yishi, d.levy_per_person_fen, d.labour_days_per_worker, d.households,
                                      d.raised_fen, d.spent_fen],
        "meetings": [[m.step, _d(m.held_on), m.expected, m.attendance, m.votes_for, m.votes_against,
                      m.votes_abstain, m.outcome] for m in d.meetings],
    }


def content_hash(notice: Notice, hash_format: int | None = None) -> str:
    canonical = json.dumps(notice_content(notice, hash_format), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
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
    notice.hash_format = HASH_FORMAT
    notice.commit_key = keys.ring().current
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
        if notice.status not in PUBLIC_STATUSES or notice.published_at is None:
            problem(f"已公布的版本被改回“{notice.status.label}”状态")
        actual = content_hash(notice)
        if actual != notice.content_hash:
            problem("公布后的内容被改动（内容哈希不符）")
        for message in photo_problems(notice) + fingerprint_problems(notice):
            problem(message)
        if link_hash(notice.prev_chain_hash, notice.content_hash) != notice.chain_hash:
            problem("链条哈希不符")
        if notice.verify_code != verify_code(notice.content_hash or "00"):
            problem("核验码与内容哈希不符")
        prev = notice.chain_hash
        expected_seq = (notice.chain_seq or 0) + 1
    return problems


def photo_problems(notice: Notice) -> list[str]:
    """A receipt photo or an attachment whose file no longer hashes to the
    name it was sealed under."""
    from ..attachments import file_problems
    from ..vouchers import photo

    messages = file_problems(notice)
    for line in notice.ledger_lines:
        for voucher in line.vouchers:
            data = photo(voucher.sha256)
            if data is None:
                messages.append(f"凭证照片文件丢失（{line.summary}）")
            elif hashlib.sha256(data).hexdigest() != voucher.sha256:
                messages.append(f"凭证照片被替换（{line.summary}）")
    return messages


def fingerprint_problems(notice: Notice) -> list[str]:
    """A roster line whose live (re-keyed) ID fingerprint no longer derives
    from the one its version was sealed with."""
    ring = keys.ring()
    return [f"名单第{line.seq}行的身份证指纹被改动" for line in notice.roster_lines
            if line.sealed_id_hash is not None and line.id_hash is not None
            and ring.lift(line.sealed_id_hash, line.sealed_id_key or 1, line.id_key or 1) != line.id_hash]


def is_intact(notice: Notice) -> bool:
    """A sealed version still says what it said when published: its content
    (photos' bytes included) hashes as sealed and its verify code matches."""
    return (notice.content_hash == content_hash(notice)
            and notice.verify_code == verify_code(notice.content_hash or "")
            and not photo_problems(notice) and not fingerprint_problems(notice))


def _unchained_public(village: Village) -> list[ChainProblem]:
    """A public version that was never sealed (or whose seal was removed)."""
    rows = db.session.execute(
        select(Notice).where(Notice.village_id == village.id, Notice.status.in_(PUBLIC_STATUSES),
                             Notice.chain_seq.is_(None)).order_by(Notice.id)
    ).scalars()
    return [ChainProblem(village.code, n.id, n.title, "公开的版本不在哈希链中") for n in rows]


def _vanished() -> list[ChainProblem]:
    """Versions the audit log saw published that the chain no longer holds
    (e.g. the newest notice of a village deleted: nothing after it to notice
    the gap)."""
    problems = []
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "notice.publish", AuditEntry.entity == "notice")
        .order_by(AuditEntry.id)
    ).scalars()
    for entry in entries:
        after = entry.after or {}
        notice = db.session.get(Notice, entry.entity_id) if entry.entity_id is not None else None
        if notice is None or notice.chain_seq is None:
            village = after.get("village") or (notice.village.code if notice is not None else "?")
            problems.append(ChainProblem(village, entry.entity_id or 0, after.get("title", ""),
                                         "已公布的版本从哈希链中消失（审计日志有发布记录）"))
        elif after.get("chain_code") and after["chain_code"] != notice_head_code(notice):
            problems.append(ChainProblem(notice.village.code, notice.id, notice.title,
                                         "链条哈希与发布时登记的不一致"))
    return problems


def verify_all() -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    for village in db.session.execute(select(Village).order_by(Village.code)).scalars():
        problems += verify_village(village)
        problems += _unchained_public(village)
    seen = {(p.village, p.notice_id, p.message) for p in problems}
    problems += [p for p in _vanished() if (p.village, p.notice_id, p.message) not in seen]
    return problems


# Chain heads anchored outside the database ----------------------------------

@dataclass(frozen=True)
class ChainHead:
    """A village's chain head: the newest link on ``day`` (China date)."""

    village: str
    seq: int
    chain_hash: str
    day: dt.date

    @property
    def code(self) -> str:
        return head_code(self.seq, self.chain_hash)

    def as_dict(self) -> dict[str, Any]:
        return {"village": self.village, "date": self.day.isoformat(), "seq": self.seq, "code": self.code,
                "chain_hash": self.chain_hash}


def head_code(seq: int, chain_hash: str) -> str:
    """The 链头 code printed on paper: the link's number and 40 bits of its
    chain hash, e.g. ``17-K3F9-QX2M``. The chain hash covers every earlier
    link, so a rewrite of the chain changes the code."""
    letters = base64.b32encode(bytes.fromhex(chain_hash)).decode()[:8]
    return f"{seq}-{letters[:4]}-{letters[4:]}"


def notice_head_code(notice: Notice) -> str | None:
    """The 链头 code of a sealed version (its own link), or None for a draft."""
    if notice.chain_seq is None or not notice.chain_hash:
        return None
    return head_code(notice.chain_seq, notice.chain_hash)


_HEAD_CODE = re.compile(r"(\d+)-([A-Z0-9]{4})-?([A-Z0-9]{4})")
_CODE_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B", "-": None, " ": None})


def normalize_code(text: str) -> str:
    """A code as a villager reads it aloud or types it (verify codes, 链头):
    case, spaces and 0/O, 1/I, 8/B do not matter."""
    return (text or "").strip().upper().translate(_CODE_FIXES)[:32]


def check_head_code(village: Village, code: str) -> str | None:
    """Why a 链头 code held on paper or in an old feed does not match the
    village's chain today (in Chinese), or None when it matches."""
    match = _HEAD_CODE.fullmatch(re.sub(r"[\s·]", "", code or "").upper())
    if match is None:
        return f"链头码格式不对：{code}（应如 17-K3F9-QX2M）"
    seq, letters = int(match.group(1)), normalize_code(match.group(2) + match.group(3))
    notice = db.session.execute(
        select(Notice).where(Notice.village_id == village.id, Notice.chain_seq == seq)
    ).scalar_one_or_none()
    if notice is None or not notice.chain_hash:
        return f"{village.code} 链头码 {code}：本村哈希链中已没有第{seq}条记录（链条被删改）"
    if head_code(seq, notice.chain_hash) != f"{seq}-{letters[:4]}-{letters[4:]}":
        return f"{village.code} 链头码 {code}：与本村现在第{seq}条记录不符（链条被改写）"
    return None


def daily_digest(village: Village, days: int = 30) -> list[ChainHead]:
    """The village's chain head at the end of each China date on which the
    chain grew, newest first, at most ``days`` dates."""
    rows = db.session.execute(
        select(Notice.chain_seq, Notice.chain_hash, Notice.published_at)
        .where(Notice.village_id == village.id, Notice.chain_seq.is_not(None))
        .order_by(Notice.chain_seq)
    ).all()
    newest: dict[dt.date, tuple[int, str]] = {}
    for seq, chain_hash, published_at in rows:
        day = clock.china_time(published_at).date() if published_at else dt.date(2000, 1, 1)
        newest[day] = max(newest.get(day, (0, "")), (seq, chain_hash))
    heads: list[ChainHead] = []
    head = (0, "")
    for day in sorted(newest):  # the head at the end of a day is the newest link up to that day
        head = max(head, newest[day])
        heads.append(ChainHead(village.code, head[0], head[1], day))
    return heads[::-1][:days]
