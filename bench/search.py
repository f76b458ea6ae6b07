"""Search at county scale: 1,000,000 roster lines (a county's years of
rosters). The kiosk keypad search inside one roster and the red-flag lookup
of one person across the county, each as a ratio to a primary-key lookup;
and the keyword search (services/search.py, the bigram index) over the text
of 100,000 published notices of one village."""

from __future__ import annotations

import random

from sqlalchemy import insert, select

from disclosure.extensions import db
from disclosure.models import Notice, RosterKey, RosterLine, Status, Township, User, Village
from disclosure.models.roster import key_rows
from disclosure.pinyin import initials
from disclosure.public import roster_search
from disclosure.services import search as keyword_search

from .common import Figure, best_of, sqlite_app

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕单解"
GIVEN = "建国华明英秀兰玉芳桂珍志强文军平红梅海霞永福生德祥成林春燕丽娟云峰刚勇涛家学富贵"


def _place() -> tuple[Village, User]:
    """The bench township, its village and a clerk."""
    township = Township(code="bench", name="基准镇", settings={})
    village = Village(code="benchv", name="基准村", township=township)
    db.session.add_all([township, village])
    db.session.flush()
    user = User(username="bench", display_name="b", password_hash="x", role="clerk", township_id=township.id,
                village_id=village.id)
    db.session.add(user)
    db.session.flush()
    return village, user


def _fill(total: int, per_notice: int) -> tuple[int, str, int]:
    """Insert ``total`` roster lines in notices of ``per_notice``; return a
    notice id, an id_hash that occurs twice and a line id."""
    rng = random.Random(11)
    village, user = _place()
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


PLACES = "东西南北中上下前后新老大小"
THINGS = ("道路", "水渠", "路灯", "村部", "茶园", "林地", "鱼塘", "门面", "学校", "桥梁", "堰塘", "广场", "厕所", "饮水管道")
DOINGS = ("维修", "硬化", "安装", "改造", "清淤", "修缮", "租赁", "承包", "验收", "招标", "拨付", "结算")
TAILS = ("公示", "情况公开", "资金使用情况", "实施方案", "结果公告", "费用明细", "补助发放", "决议公开")


def _notices_text(total: int, village_id: int, author_id: int) -> None:
    """``total`` archived notices with varied titles and bodies, then the index built as `flask search-reindex` does."""
    import datetime as dt

    rng = random.Random(7)
    for start in range(0, total, 5000):
        rows = []
        for n in range(start, min(start + 5000, total)):
            year = 2016 + n % 10
            thing = rng.choice(PLACES) + rng.choice(THINGS)
            title = f"{year}年{thing}{rng.choice(DOINGS)}{rng.choice(TAILS)}"
            body = (f"经村民代表会议决议，{thing}{rng.choice(DOINGS)}，{rng.choice(THINGS)}{rng.choice(DOINGS)}，"
                    f"共计{rng.randrange(1000, 99999)}元，公示期内如有异议请向村务监督委员会反映。")
            rows.append({"village_id": village_id, "category": "other", "title": title, "body": body,
                         "period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31),
                         "period_label": f"{year}年", "status": Status.ARCHIVED, "author_id": author_id,
                         "published_at": dt.datetime(year, 12, 31, 9)})
        db.session.execute(insert(Notice), rows)
    keyword_search.rebuild()
    db.session.commit()


def text_search(quick: bool) -> list[Figure]:
    """Keyword search over 100,000 notices' titles and text, against a primary-key lookup."""
    total = 20_000 if quick else 100_000
    app = sqlite_app("text")
    with app.app_context():
        village, user = _place()
        _notices_text(total, village.id, user.id)
        notice_id = db.session.execute(select(Notice.id).order_by(Notice.id.desc()).limit(1)).scalar_one()
        pk = best_of(lambda: (db.session.expire_all(), db.session.get(Notice, notice_id)), 50)
        word = "东茶园清淤"  # a place, a thing and a doing: about one notice in 2,000
        rare = best_of(lambda: keyword_search.find(village, word), 10)
        common = best_of(lambda: keyword_search.find(village, "路灯安装"), 10)
        found, many = keyword_search.find(village, word)[1], keyword_search.find(village, "路灯安装")[1]
        assert found > 0 and many > found
    return [
        Figure("search", f"keyword '{word}' in {total:,} notices' text ({found} found)", rare * 1000, "ms", rare / pk,
               "primary-key lookup"),
        Figure("search", f"keyword '路灯安装' in {total:,} notices' text ({many:,} found)", common * 1000, "ms",
               common / pk, "primary-key lookup"),
    ]


def figures(quick: bool = False) -> list[Figure]:
    total = 100_000 if quick else 1_000_000
    app = sqlite_app("search")
    with app.app_context():
        notice_id, twice, line_id = _fill(total, 3000)
        notice = db.session.get(Notice, notice_id)
        pk = best_of(lambda: (db.session.expire_all(), db.session.get(RosterLine, line_id)), 50)
        keypad = best_of(lambda: roster_search(notice, "ZJ"), 10)
        person = best_of(lambda: db.session.execute(
            select(RosterLine.id).where(RosterLine.id_hash == twice)).all(), 50)
        found = roster_search(notice, "ZJ")
        assert found.found > 0 and len(db.session.execute(select(RosterLine.id).where(RosterLine.id_hash == twice)).all()) == 2
    return text_search(quick) + [
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
