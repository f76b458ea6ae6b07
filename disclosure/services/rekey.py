"""Re-keying stored ID fingerprints into the current version of the key ring
(``flask keys rotate`` / ``flask keys rekey``; the scheme is in
disclosure/keys.py).

The board never keeps an ID number, so a fingerprint cannot be made afresh
under a new key; it is *lifted* instead (``HMAC(new key, old fingerprint)``),
which gives exactly what the new version computes from the number, so the
same person still matches across the change: roster lines, the cadre
register, the lookup log, and the keys of duplicate-payment flags raised
before (not raised twice). A roster line of a published version first keeps
the fingerprint it was sealed with (``sealed_id_hash``): hash formats 1 and 2
and the format-3 commitment cover it, and a published version never changes.
Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, update

from ..extensions import db
from ..keys import KeyRing
from ..models import CadreRelative, LookupLog, Notice, RedFlag, RosterLine
from . import audit
from .oversight import duplicate_key

BATCH = 2000


@dataclass(frozen=True)
class Rekeyed:
    roster: int
    sealed_kept: int
    cadre: int
    lookups: int
    flags: int

    def __str__(self) -> str:
        return (f"名单行 {self.roster} 条（其中已公布版本保留封存指纹 {self.sealed_kept} 条），"
                f"干部亲属登记 {self.cadre} 条，自助查询记录 {self.lookups} 条，重复领取预警 {self.flags} 条")


def _flag_keys(ring: KeyRing) -> dict[int, str]:
    """New keys of duplicate-payment flags whose lines are about to be lifted.
    A flag's key holds the fingerprint in the version current when it was
    raised, which may be any version up to the new one."""
    changes: dict[int, str] = {}
    for flag in db.session.execute(select(RedFlag).where(RedFlag.kind == "duplicate_payment")).scalars():
        ids = [int(i) for i in flag.roster_line_ids or []]
        line = db.session.execute(
            select(RosterLine.kind, RosterLine.id_hash, RosterLine.id_key).where(RosterLine.id.in_(ids or [0]),
                                                                                 RosterLine.id_hash.is_not(None))
            .limit(1)).first()
        if line is None:
            continue
        version = line.id_key or 1
        new = duplicate_key(line.kind, ring.lift(line.id_hash, version), ids)
        for then in range(version, ring.current):
            if flag.fingerprint == duplicate_key(line.kind, ring.lift(line.id_hash, version, then), ids):
                changes[flag.id] = new
                break
    return changes


def _lift_roster(ring: KeyRing) -> tuple[int, int]:
    lifted = kept = 0
    query = (select(RosterLine.id, RosterLine.id_hash, RosterLine.id_key, RosterLine.sealed_id_hash,
                    Notice.chain_seq)
             .join(Notice, RosterLine.notice_id == Notice.id)
             .where(RosterLine.id_hash.is_not(None),
                    (RosterLine.id_key.is_(None)) | (RosterLine.id_key < ring.current))
             .order_by(RosterLine.id))
    rows = db.session.execute(query).all()
    for start in range(0, len(rows), BATCH):
        changes = []
        for row in rows[start:start + BATCH]:
            version = row.id_key or 1
            change = {"id": row.id, "id_hash": ring.lift(row.id_hash, version), "id_key": ring.current}
            if row.chain_seq is not None and row.sealed_id_hash is None:
                change |= {"sealed_id_hash": row.id_hash, "sealed_id_key": version}
                kept += 1
            changes.append(change)
        db.session.execute(update(RosterLine), changes)
        lifted += len(changes)
    return lifted, kept


def _lift(model: type[CadreRelative] | type[LookupLog], ring: KeyRing) -> int:
    rows = db.session.execute(
        select(model.id, model.id_hash, model.id_key).where(
            model.id_hash.is_not(None), (model.id_key.is_(None)) | (model.id_key < ring.current))).all()
    for start in range(0, len(rows), BATCH):
        db.session.execute(update(model), [
            {"id": r.id, "id_hash": ring.lift(r.id_hash, r.id_key or 1), "id_key": ring.current}
            for r in rows[start:start + BATCH]])
    return len(rows)


def rekey(ring: KeyRing) -> Rekeyed:
    """Lift every stored fingerprint below ``ring.current`` into it."""
    db.session.flush()
    flag_keys = _flag_keys(ring)
    roster, kept = _lift_roster(ring)
    cadre = _lift(CadreRelative, ring)
    lookups = _lift(LookupLog, ring)
    if flag_keys:
        db.session.execute(update(RedFlag), [{"id": i, "fingerprint": fp} for i, fp in flag_keys.items()])
    done = Rekeyed(roster, kept, cadre, lookups, len(flag_keys))
    audit.record(None, "keys.rekey", "key_ring", ring.current,
                 after={"version": ring.current, "roster": roster, "sealed_kept": kept, "cadre": cadre,
                        "lookups": lookups, "flags": len(flag_keys)})
    db.session.expire_all()
    return done


def versions_in_use() -> dict[str, Counter[int]]:
    """How many stored fingerprints each key version has, per table (``flask keys status``)."""
    counts: dict[str, Counter[int]] = {}
    for name, model in (("roster_lines", RosterLine), ("cadre_relatives", CadreRelative),
                        ("lookup_log", LookupLog)):
        rows = db.session.execute(select(model.id_key, db.func.count()).where(model.id_hash.is_not(None))
                                  .group_by(model.id_key)).all()
        counts[name] = Counter({(version or 1): n for version, n in rows})
    return counts
