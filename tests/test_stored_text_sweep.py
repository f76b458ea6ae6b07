"""`flask privacy sweep`: private numbers stored before intake masked them.

Rows are written "the old way" (straight to the table, past the scrubbing
services), then the sweep must find them without printing them, mend what
is not sealed, leave sealed versions untouched (their hash chain still
holds) and start a masked correction of each published one."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Flask

from disclosure import clock, periods
from disclosure.extensions import db
from disclosure.models import AuditEntry, Document, LedgerLine, Notice, Question, Role, RosterLine, Status, User, Village
from disclosure.services import chain, feedback, intake, library, notices, search
from disclosure.services.privacy_sweep import CORRECTION_REASON
from tests.helpers.admin_world import LedgerIn

PHONE = "+86 138 1234 5678"
RAW_TEXT = f"联系电话{PHONE}，卡号6222 0212 3456 7890 123"
RAW_DIGITS = ("13812345678", "6222021234567890123")


def _digits(text: str) -> str:
    return re.sub(r"(?<=\d)[ \-]+(?=\d)", "", text)


def _assert_clean(text: str, where: str) -> None:
    for raw in RAW_DIGITS:
        assert raw not in _digits(text), f"{where} still holds {raw}"


def _old_world(app: Flask, place: dict[str, int], make_user) -> dict[str, int]:  # noqa: ANN001
    """A published notice, a draft, a question, a library document and an
    audit entry, each holding a full phone and account number."""
    clerk_id, sup_id = make_user(Role.CLERK), make_user(Role.SUPERVISOR)
    admin_id = make_user(Role.TOWNSHIP_ADMIN, village=None)
    with app.app_context():
        clerk, sup, admin = (db.session.get(User, i) for i in (clerk_id, sup_id, admin_id))
        village = db.session.get(Village, place["v1"])
        today = clock.china_today()
        month = periods.month_of(today)
        published = notices.create_draft(village, clerk, category="major", period=month, title="修路决定", body="x")
        db.session.flush()
        db.session.execute(sa.update(Notice).where(Notice.id == published.id).values(body=RAW_TEXT))
        db.session.refresh(published)
        notices.submit(published, clerk)
        notices.approve(published, sup)
        notices.publish(published, clerk, today, periods.notice_end(today, 7), today=today)

        draft = notices.create_draft(village, clerk, category="finance", period=month, title="本月收支", body="")
        intake.add_ledger_rows(draft, clerk, [LedgerIn(today, "村部电费", "expense", "management_expense", 12_345, "记-01")])
        db.session.flush()
        db.session.execute(sa.update(Notice).where(Notice.id == draft.id).values(body=RAW_TEXT))
        db.session.execute(sa.update(LedgerLine).where(LedgerLine.notice_id == draft.id).values(summary=RAW_TEXT))

        question = feedback.ask(published, channel="phone", text="请问修路什么时候开始？")
        feedback.answer(question, clerk, "下月开工。")
        doc = library.create(admin, village.township, village, kind=library_kind(), title="村规民约", body="第一条",
                             effective_on=today)
        db.session.flush()
        search.index_document(doc)
        db.session.execute(sa.update(Question).where(Question.id == question.id).values(answer=RAW_TEXT))
        db.session.execute(sa.update(Document).where(Document.id == doc.id).values(body=RAW_TEXT))
        db.session.add(AuditEntry(action="notice.update", entity="notice", entity_id=draft.id,
                                  after={"body": RAW_TEXT}))
        db.session.commit()
        search.index_document(db.session.get(Document, doc.id))
        db.session.commit()
        return {"published": published.id, "draft": draft.id, "question": question.id, "doc": doc.id,
                "clerk": clerk_id, "village": village.id}


def library_kind() -> str:
    from disclosure.models import DOCUMENT_KINDS

    return next(iter(DOCUMENT_KINDS))


def sweep(app: Flask, *options: str):  # noqa: ANN201
    return app.test_cli_runner().invoke(args=["privacy", "sweep", *options])


def test_the_sweep_finds_old_numbers_mends_the_unsealed_and_corrects_the_published(app, place, make_user) -> None:  # noqa: ANN001
    ids = _old_world(app, place, make_user)

    looked = sweep(app)
    assert looked.exit_code == 1, looked.output
    _assert_clean(looked.output, "the report")
    for where in (f"notices#{ids['published']}", f"notices#{ids['draft']}", f"questions#{ids['question']}",
                  f"documents#{ids['doc']}"):
        assert f"{where} " in looked.output, where
    assert "未封存的文字：加 --fix 遮盖" in looked.output and "已公布的公示须更正" in looked.output
    with app.app_context():  # looking changes nothing
        assert PHONE in db.session.get(Notice, ids["draft"]).body

    fixed = sweep(app, "--fix")
    assert fixed.exit_code == 1, fixed.output  # the published notice still needs a correction
    _assert_clean(fixed.output, "the report")
    assert "已公布的公示须更正" in fixed.output
    with app.app_context():
        draft = db.session.get(Notice, ids["draft"])
        _assert_clean(draft.body, "draft body")
        assert draft.body.startswith("联系电话+86 138****5678")
        for line in draft.ledger_lines:
            _assert_clean(line.summary, "ledger line")
        _assert_clean(db.session.get(Question, ids["question"]).answer, "public answer")
        _assert_clean(db.session.get(Document, ids["doc"]).body, "library document")
        for entry in db.session.execute(sa.select(AuditEntry)).scalars():
            _assert_clean(str(entry.after), "audit log")
        village = db.session.get(Village, ids["village"])
        hits, _ = search.find(village, "13812345678")
        assert hits == []  # the index no longer holds the number
        published = db.session.get(Notice, ids["published"])
        assert PHONE in published.body  # sealed: never edited in place
        assert chain.verify_village(village) == []
        actions = {e.entity for e in db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "privacy.sweep")).scalars()}
        assert {"notices", "ledger_lines", "questions", "documents", "audit_log"} <= actions

    with app.app_context():
        username = db.session.get(User, ids["clerk"]).username
    corrected = sweep(app, "--correct-as", username)
    assert corrected.exit_code == 0, corrected.output
    assert "已发起更正草稿" in corrected.output
    with app.app_context():
        new = db.session.execute(sa.select(Notice).where(Notice.supersedes_id == ids["published"])).scalar_one()
        assert new.status == Status.DRAFT and new.correction_reason == CORRECTION_REASON
        _assert_clean(new.body, "correction draft")
        assert PHONE in db.session.get(Notice, ids["published"]).body  # shown until the correction is published
        assert chain.verify_village(db.session.get(Village, ids["village"])) == []

    again = sweep(app)
    assert again.exit_code == 0, again.output  # the correction is under way: nothing left for a person


def test_a_correct_as_name_that_does_not_exist_is_refused(app, place) -> None:  # noqa: ANN001
    result = sweep(app, "--correct-as", "nobody")
    assert result.exit_code != 0 and "没有用户名为 nobody 的账号" in result.output


def test_a_clean_board_passes(app, place, make_user) -> None:  # noqa: ANN001
    clerk_id = make_user(Role.CLERK)
    with app.app_context():
        clerk = db.session.get(User, clerk_id)
        notices.create_draft(db.session.get(Village, place["v1"]), clerk, category="major",
                             period=periods.month_of(clock.china_today()), title="通知", body=RAW_TEXT)
        db.session.commit()  # through the service: masked on the way in
    result = sweep(app)
    assert result.exit_code == 0, result.output
    assert "发现0处" in result.output


def test_a_roster_name_whose_mask_was_defeated_is_masked_or_corrected(app, place) -> None:  # noqa: ANN001
    """An old row kept 张\u200b三丰 in full: the zero-width space once hid it from the mask."""
    from tests.helpers.feedback_data import Person, publish, staff

    with app.app_context():
        village = db.session.get(Village, place["v1"])
        month = periods.month_of(clock.china_today() - dt.timedelta(days=40))
        clerk, _ = staff(village)
        drafts = []
        for title, person, full in (("低保名单", "张三丰", "张\u200b三丰"), ("低保名单（草稿）", "李四光", "李\u200b四光")):
            draft = notices.create_draft(village, clerk, category="assistance", roster_kind="dibao", period=month,
                                         title=title)
            intake.add_roster_rows(draft, clerk, [Person(person, 40_000)])
            db.session.flush()
            db.session.execute(sa.update(RosterLine).where(RosterLine.notice_id == draft.id).values(public_name=full))
            db.session.refresh(draft)
            drafts.append(draft)
        published = publish(drafts[0], clock.china_today())  # sealed with the full name, as an old board did
        db.session.commit()
        ids, username = (published.id, drafts[1].id), clerk.username

    looked = sweep(app)
    assert looked.exit_code == 1 and looked.output.count("未遮盖的姓名") == 2, looked.output
    result = sweep(app, "--fix", "--correct-as", username)
    assert result.exit_code == 0, result.output
    with app.app_context():
        published, draft = (db.session.get(Notice, i) for i in ids)
        assert [line.public_name for line in draft.roster_lines] == ["李*光"]
        assert [line.public_name for line in published.roster_lines] == ["张\u200b三丰"]  # sealed, untouched
        new = db.session.execute(sa.select(Notice).where(Notice.supersedes_id == published.id)).scalar_one()
        assert [line.public_name for line in new.roster_lines] == ["张*丰"]
        assert chain.verify_village(published.village) == []
