"""services.notices: the lifecycle of a notice, who may do what, refusals in
Chinese, corrections, withdrawals, and nothing half-written on failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask

from disclosure import periods
from disclosure.extensions import db
from disclosure.models import AuditEntry, LedgerLine, Notice, Role, RosterLine, Status, User, Village
from disclosure.services import ServiceError, chain, intake, notices

Q3 = periods.quarter(2025, 3)
START = dt.date(2025, 10, 15)


@pytest.fixture
def people(make_user: Callable[..., int]) -> dict[str, int]:
    return {
        "clerk": make_user(Role.CLERK, "v1"),
        "clerk2": make_user(Role.CLERK, "v1"),
        "supervisor": make_user(Role.SUPERVISOR, "v1"),
        "other_supervisor": make_user(Role.SUPERVISOR, "v2"),
        "other_clerk": make_user(Role.CLERK, "v2"),
        "admin": make_user(Role.TOWNSHIP_ADMIN, None),
    }


def row(day: int = 5, amount: int = 120_000, direction: str = "expense", subject: str = "management_expense",
        summary: str = "村部电费") -> SimpleNamespace:
    return SimpleNamespace(occurred_on=dt.date(2025, 8, day), voucher_no=f"记{day:03d}", summary=summary,
                           direction=direction, subject=subject, amount_fen=amount, handler="王会计", note="")


def u(people: dict[str, int], who: str) -> User:
    return db.session.get(User, people[who])


def draft(place: dict[str, int], people: dict[str, int], who: str = "clerk", category: str = "finance") -> Notice:
    village = db.session.get(Village, place["v1"])
    notice = notices.create_draft(village, u(people, who), category=category, title="一村2025年第三季度财务收支公示",
                                  period=Q3, body="现将本村本期财务收支情况公示如下。")
    if category == "finance":
        intake.add_ledger_rows(notice, u(people, who), [
            row(3, 5_000_000, "income", "subsidy_income", "镇财政拨付村级运转经费"), row(5), row(20, 80_000)])
    return notice


def published(place: dict[str, int], people: dict[str, int]) -> Notice:
    notice = draft(place, people)
    notices.submit(notice, u(people, "clerk"))
    notices.approve(notice, u(people, "supervisor"))
    notices.publish(notice, u(people, "clerk"), START, periods.notice_end(START, 7), today=START)
    return notice


def refused(message: str, call: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(ServiceError) as err:
        call(*args, **kwargs)
    assert err.value.message == message


def test_full_path_draft_to_archived(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = draft(place, people)
        assert notice.status == Status.DRAFT and notice.series_id == notice.id and notice.version == 1
        notices.submit(notice, u(people, "clerk"))
        assert notice.status == Status.SUBMITTED and notice.submitted_at is not None
        notices.approve(notice, u(people, "supervisor"), "已核对凭证")
        assert notice.status == Status.APPROVED and notice.approved_by_id == people["supervisor"]
        assert notice.review_comment == "已核对凭证"
        end = periods.notice_end(START, 7)
        notices.publish(notice, u(people, "clerk"), START, end, today=START)
        assert notice.status == Status.PUBLISHED
        assert (notice.notice_start, notice.notice_end) == (START, end)
        assert notice.chain_seq == 1 and notice.prev_chain_hash is None
        assert notice.content_hash == chain.content_hash(notice) and len(notice.verify_code) == 10
        refused("公示期尚未结束，不能归档", notices.archive, notice, u(people, "clerk"), end)
        notices.archive(notice, u(people, "clerk"), end + dt.timedelta(days=1))
        assert notice.status == Status.ARCHIVED
        db.session.commit()
        notice_id = notice.id
    with app.app_context():  # all of it reached the database, with an audit trail
        notice = db.session.get(Notice, notice_id)
        assert notice.status == Status.ARCHIVED and len(notice.ledger_lines) == 3
        actions = db.session.execute(sa.select(AuditEntry.action).where(
            AuditEntry.entity == "notice", AuditEntry.entity_id == notice_id).order_by(AuditEntry.id)).scalars().all()
        assert [a for a in actions if a.startswith("notice.")] == [
            "notice.create", "notice.submit", "notice.approve", "notice.publish", "notice.archive"]
        assert chain.verify_all() == []


def test_steps_out_of_order_are_refused(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = draft(place, people)
        refused("只有待审核的公示可以审核通过", notices.approve, notice, u(people, "supervisor"))
        refused("公示须经村务监督委员会审核通过后才能发布", notices.publish, notice, u(people, "clerk"), START,
                periods.notice_end(START, 7))
        notices.submit(notice, u(people, "clerk"))
        refused("只有草稿可以提交审核", notices.submit, notice, u(people, "clerk"))
        refused("已提交或已公布的公示不能修改；已公布的请发起更正", intake.add_ledger_rows, notice, u(people, "clerk"),
                [row()])
        refused("只有已公布的公示可以撤回", notices.withdraw, notice, u(people, "clerk"), "误发")


def test_empty_draft_cannot_be_submitted(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = notices.create_draft(db.session.get(Village, place["v1"]), u(people, "clerk"), category="finance",
                                      title="空公示", period=Q3)
        refused("公示没有内容，请先录入或导入数据", notices.submit, notice, u(people, "clerk"))


def test_only_a_supervisor_of_the_village_approves(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = draft(place, people)
        notices.submit(notice, u(people, "clerk"))
        for who in ("clerk", "clerk2", "admin", "other_supervisor", "other_clerk"):
            refused("只有本村村务监督委员会成员可以审核", notices.approve, notice, u(people, who))
        assert notice.status == Status.SUBMITTED and notice.approved_by_id is None


def test_supervisor_cannot_approve_own_notice(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        # A clerk drafts, then becomes the village's supervisor (a new committee).
        notice = draft(place, people, who="clerk2")
        notices.submit(notice, u(people, "clerk2"))
        u(people, "clerk2").role = Role.SUPERVISOR
        refused("不能审核自己起草的公示", notices.approve, notice, u(people, "clerk2"))
        notices.approve(notice, u(people, "supervisor"))  # another member can
        assert notice.approved_by_id == people["supervisor"]


def test_supervisors_cannot_draft_and_outsiders_cannot_touch(app: Flask, place: dict[str, int],
                                                            people: dict[str, int]) -> None:
    with app.app_context():
        village = db.session.get(Village, place["v1"])
        refused("您无权为该村起草公示", notices.create_draft, village, u(people, "supervisor"), category="finance",
                title="x", period=Q3)
        refused("您无权为该村起草公示", notices.create_draft, village, u(people, "other_clerk"), category="finance",
                title="x", period=Q3)
        notice = draft(place, people)
        refused("您无权提交该公示", notices.submit, notice, u(people, "other_clerk"))
        # the township admin may draft for any village of the township
        notices.create_draft(village, u(people, "admin"), category="major", title="重大事项", period=Q3)


def test_reject_needs_a_comment_and_returns_to_draft(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = draft(place, people)
        notices.submit(notice, u(people, "clerk"))
        refused("退回时请写明原因", notices.reject, notice, u(people, "supervisor"), "  ")
        notices.reject(notice, u(people, "supervisor"), "缺8月电费凭证")
        assert notice.status == Status.DRAFT and notice.review_comment == "缺8月电费凭证"


@pytest.mark.parametrize(
    ("category", "days", "message"),
    [
        ("finance", 6, "公示期不得少于7天（现为6天）"),
        ("finance", 1, "公示期不得少于7天（现为1天）"),
        ("project", 9, "公示期不得少于10天（现为9天）"),
        ("major", 0, "公示期结束日期早于开始日期"),
    ],
)
def test_notice_period_too_short_is_refused(app: Flask, place: dict[str, int], people: dict[str, int],
                                           category: str, days: int, message: str) -> None:
    with app.app_context():
        notice = draft(place, people, category=category)
        if category != "finance":
            notice.body = "公示内容"
        notices.submit(notice, u(people, "clerk"))
        notices.approve(notice, u(people, "supervisor"))
        refused(message, notices.publish, notice, u(people, "clerk"), START, START + dt.timedelta(days=days - 1))
        assert notice.status == Status.APPROVED and notice.content_hash is None and notice.chain_seq is None


def test_township_may_lengthen_but_not_shorten(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = draft(place, people)
        notice.village.township.settings = {"notice_days": {"finance": 10}}
        notices.submit(notice, u(people, "clerk"))
        notices.approve(notice, u(people, "supervisor"))
        refused("公示期不得少于10天（现为7天）", notices.publish, notice, u(people, "clerk"), START,
                periods.notice_end(START, 7))
        notice.village.township.settings = {"notice_days": {"finance": 3}}
        refused("公示期不得少于7天（现为5天）", notices.publish, notice, u(people, "clerk"), START,
                periods.notice_end(START, 5))


@pytest.mark.parametrize("category", ["finances", "", "财务收支"])
def test_unknown_category_is_refused(app: Flask, place: dict[str, int], people: dict[str, int], category: str) -> None:
    with app.app_context():
        refused(f"未知的公开类别：{category}", notices.create_draft, db.session.get(Village, place["v1"]),
                u(people, "clerk"), category=category, title="标题", period=Q3)
        refused("未知的名单类型：money", notices.create_draft, db.session.get(Village, place["v1"]),
                u(people, "clerk"), category="subsidy", roster_kind="money", title="标题", period=Q3)
        assert db.session.execute(sa.select(sa.func.count()).select_from(Notice)).scalar_one() == 0


def test_bad_ledger_rows_are_refused(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = draft(place, people)
        clerk = u(people, "clerk")
        refused("金额必须大于零", intake.add_ledger_rows, notice, clerk, [row(amount=0)])
        refused("金额必须大于零", intake.add_ledger_rows, notice, clerk, [row(amount=-500)])
        refused("收支方向只能是收入或支出", intake.add_ledger_rows, notice, clerk, [row(direction="out")])
        refused("未知的收支科目", intake.add_ledger_rows, notice, clerk, [row(subject="subsidy_income")])
        refused("缺少摘要", intake.add_ledger_rows, notice, clerk, [row(summary=" ")])
        refused("日期2025-10-01不在本公示期间（2025年第三季度）内", intake.add_ledger_rows, notice, clerk,
                [SimpleNamespace(**{**vars(row()), "occurred_on": dt.date(2025, 10, 1)})])


def test_roster_line_without_a_name_is_refused(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        notice = notices.create_draft(db.session.get(Village, place["v1"]), u(people, "clerk"), category="assistance",
                                      roster_kind="dibao", title="低保名单", period=Q3)
        good = SimpleNamespace(name="张三明", group_no=1, id_hash=None, id_masked="", account_masked="", phone_masked="",
                               household_size=2, quantity=None, rate_fen=None, amount_fen=41_000, paid_on=None,
                               reason="")
        refused("名单中有一行没有姓名", intake.add_roster_rows, notice, u(people, "clerk"),
                [good, SimpleNamespace(**{**vars(good), "name": "　"})])
        db.session.rollback()
        assert db.session.execute(sa.select(sa.func.count()).select_from(RosterLine)).scalar_one() == 0


def test_correction_supersedes_the_old_version(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        old = published(place, people)
        old_hash, old_amounts = old.content_hash, [l.amount_fen for l in old.ledger_lines]
        refused("更正必须写明原因", notices.start_correction, old, u(people, "clerk"), " ")
        new = notices.start_correction(old, u(people, "clerk"), "8月20日电费金额录入有误，应为700元。")
        assert (new.version, new.supersedes_id, new.series_id) == (2, old.id, old.series_id)
        assert new.correction_reason == "8月20日电费金额录入有误，应为700元。"
        assert new.status == Status.DRAFT and old.status == Status.PUBLISHED  # old stays until the new one is out
        refused(f"该公示已有更正版本（#{new.id}），请在那里修改", notices.start_correction, old, u(people, "clerk"), "再改")
        new.ledger_lines[2].amount_fen = 70_000
        notices.submit(new, u(people, "clerk"))
        notices.approve(new, u(people, "supervisor"))
        notices.publish(new, u(people, "clerk"), START + dt.timedelta(days=3), periods.notice_end(START, 10),
                        today=START)
        db.session.commit()
        assert old.status == Status.SUPERSEDED and new.status == Status.PUBLISHED
        # The old version's content never changed and both stay in the chain.
        assert [l.amount_fen for l in old.ledger_lines] == old_amounts and chain.content_hash(old) == old_hash
        assert new.chain_seq == old.chain_seq + 1 and new.prev_chain_hash == old.chain_hash
        assert notices.latest_version(old).id == new.id
        assert notices.public_state(old, START).code == "superseded"
        assert chain.verify_all() == []


def test_withdrawal_needs_a_reason_and_stays_on_record(app: Flask, place: dict[str, int],
                                                      people: dict[str, int]) -> None:
    with app.app_context():
        notice = published(place, people)
        refused("撤回必须写明原因", notices.withdraw, notice, u(people, "clerk"), "")
        refused("撤回必须写明原因", notices.withdraw, notice, u(people, "clerk"), "   ")
        assert notice.status == Status.PUBLISHED
        notices.withdraw(notice, u(people, "clerk"), "名单未经村民代表会议确认")
        db.session.commit()
        notice_id = notice.id
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        assert notice.status == Status.WITHDRAWN and notice.withdrawal_reason == "名单未经村民代表会议确认"
        assert notice.withdrawn_at is not None and len(notice.ledger_lines) == 3  # kept on record
        assert notices.public_state(notice, START).label == "已撤回"
        assert chain.verify_all() == []


def _counts() -> tuple[int, ...]:
    return tuple(db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
                 for m in (Notice, LedgerLine, RosterLine, AuditEntry))


def test_nothing_half_written(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        before = _counts()
        with pytest.raises(ServiceError, match="金额必须大于零"):
            # The draft, an audit entry and two good lines exist in the session when the bad line fails.
            notice = notices.create_draft(db.session.get(Village, place["v1"]), u(people, "clerk"),
                                          category="finance", title="半截公示", period=Q3)
            intake.add_ledger_rows(notice, u(people, "clerk"), [row(3), row(4), row(5, amount=0), row(6)])
        db.session.rollback()
        assert _counts() == before
    with app.app_context():  # and seen from a fresh session too
        assert _counts() == before


def test_services_leave_the_commit_to_the_caller(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    with app.app_context():
        before = _counts()
        draft(place, people)
        assert _counts() != before  # visible inside the transaction ...
        db.session.rollback()
        assert _counts() == before  # ... and gone: no service committed on its own


def test_a_correction_keeps_the_voucher_photos_of_its_lines(app, place, people):
    from disclosure.models import VoucherImage

    with app.app_context():
        old = published(place, people)
        line = old.ledger_lines[1]
        line.vouchers.append(VoucherImage(sha256="a" * 64, width=800, height=600, is_public=False,
                                          uploaded_by_id=people["clerk"]))
        db.session.flush()
        new = notices.start_correction(old, u(people, "clerk"), "金额录错")
        copied = [v for l in new.ledger_lines for v in l.vouchers]
        assert [(v.sha256, v.is_public) for v in copied] == [("a" * 64, False)]
        assert copied[0].line.summary == line.summary and copied[0].id != line.vouchers[0].id


def test_next_actions_follow_the_workflow(app: Flask, place: dict[str, int], people: dict[str, int]) -> None:
    """The service says what each user may do now; each action it offers is one the workflow accepts."""
    def codes(notice: Notice, who: str, today: dt.date = START) -> list[str]:
        return [a.code for a in notices.next_actions(notice, u(people, who), today)]

    with app.app_context():
        notice = draft(place, people)
        assert codes(notice, "clerk") == ["submit", "import", "delete"]
        assert codes(notice, "supervisor") == codes(notice, "other_clerk") == []
        assert codes(draft(place, people, category="major"), "clerk") == ["submit", "delete"]  # no lines to import
        notices.submit(notice, u(people, "clerk"))
        assert codes(notice, "supervisor") == ["review"] and codes(notice, "clerk") == []
        assert codes(notice, "other_supervisor") == []
        notices.approve(notice, u(people, "supervisor"))
        assert codes(notice, "clerk") == ["publish"] and codes(notice, "supervisor") == []
        end = periods.notice_end(START, 7)
        notices.publish(notice, u(people, "clerk"), START, end, today=START)
        assert codes(notice, "clerk", end) == ["correct", "withdraw"]  # still on the board
        after = end + dt.timedelta(days=1)
        assert codes(notice, "clerk", after) == ["correct", "withdraw", "archive"]
        notices.archive(notice, u(people, "clerk"), after)
        assert codes(notice, "clerk", after) == ["correct", "withdraw"]
        db.session.rollback()
