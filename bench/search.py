"""Search at county scale: 1,000,000 roster lines (a county's years of
rosters). The kiosk keypad search inside one roster and the red-flag lookup
of one person across the county, each as a ratio to a primary-key lookup."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from sqlalchemy import insert, select

from disclosure import create_app
from disclosure.extensions import db
from disclosure.models import Notice, RosterKey, RosterLine, Status, Township, User, Village
from disclosure.models.roster import key_rows
from disclosure.pinyin import initials
from disclosure.public import roster_search

from .common import Figure, best_of

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕单解"
GIVEN = "建国华明英秀兰玉芳桂珍志强文军平红梅海霞永福生德祥成林春燕丽娟云峰刚勇涛家学富贵"


def _fill(total: int, per_notice: int) -> tuple[int, str, int]:
    """Insert ``total`` roster lines in notices of ``per_notice``; return a
    notice id, an id_hash that occurs twice and a line id."""
    rng = random.Random(11)
    township = Township(code="bench", name="基准镇", settings={})
    village = Village(code="benchv", name="基准村", township=township)
    db.session.add_all([township, village])
    db.session.flush()
    user = User(username="bench", display_name="b", password_hash="x", role="clerk", township_id=township.id,
                village_id=village.id)
    db.session.add(user)
    db.session.flush()
    import datetime as dt

    names = [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(5000)]
    index = {n: initials(n) for n in names}
    notice_ids = []
    for n in range(total // per_notice):
        notice = Notice(village_id=village.id, category="subsidy", roster_kind="gengdi", title=f"名单{n}",
                        period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31), period_label="2020年",
                        status=Status.ARCHIVED, author_id=user.id, content_hash=f"{n:064x}")
        db.session.add(notice)
        db.session.flush()
        notice_ids.append(notice.id)
        rows = []
        for seq in range(1, per_notice + 1):
            name = names[rng.randrange(len(names))]
            rows.append({"notice_id": notice.id, "village_id": village.id, "seq": seq, "kind": "gengdi", "name": name,
                         "public_name": name[0] + "*" + name[2:], "initials": index[name], "group_no": seq % 9 + 1,
                         "id_hash": f"{rng.getrandbits(256):064x}", "amount_fen": rng.randrange(1000, 200000)})
        rows[5]["id_hash"] = "f" * 64 if n in (3, 7) else rows[5]["id_hash"]
        db.session.execute(insert(RosterLine), rows)
        lines = db.session.execute(select(RosterLine.id, RosterLine.initials).where(RosterLine.notice_id == notice.id))
        db.session.execute(insert(RosterKey), [k for line_id, i in lines for k in key_rows(line_id, notice.id, i)])
    db.session.commit()
    line_id = db.session.execute(select(RosterLine.id).order_by(RosterLine.id.desc()).limit(1)).scalar_one()
    return notice_ids[len(notice_ids) // 2], "f" * 64, line_id


def figures(quick: bool = False) -> list[Figure]:
    total = 100_000 if quick else 1_000_000
    folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder), "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'search.sqlite'}"})
    with app.app_context():
        db.create_all()
        notice_id, twice, line_id = _fill(total, 3000)
        notice = db.session.get(Notice, notice_id)
        pk = best_of(lambda: (db.session.expire_all(), db.session.get(RosterLine, line_id)), 50)
        keypad = best_of(lambda: roster_search(notice, "ZJ"), 10)
        person = best_of(lambda: db.session.execute(
            select(RosterLine.id).where(RosterLine.id_hash == twice)).all(), 50)
        found = roster_search(notice, "ZJ")
        assert found.found > 0 and len(db.session.execute(select(RosterLine.id).where(RosterLine.id_hash == twice)).all()) == 2
    return [
        Figure("search", f"keypad search 'ZJ' in a 3,000-line roster among {total:,}", keypad * 1000, "ms", keypad / pk,
               "primary-key lookup"),
        Figure("search", f"one person by ID fingerprint among {total:,} lines", person * 1000, "ms", person / pk,
               "primary-key lookup"),
    ]


def main(quick: bool = False) -> None:
    from .common import print_table

    print_table(figures(quick))


if __name__ == "__main__":
    main()
