"""Villagers' questions and objections (疑问/异议) and information requests
(依申请公开): tickets, deadlines in working days, answers, the notice hold
(暂停公示) an objection may cause, and the public view of the answers.

The asker's contact is kept for staff only: the public view objects here
(:class:`PublicQuestion`) never carry it.

Township settings read here (all optional):
``answer_days`` (default 10 working days), ``objection_hold``: ``"auto"`` puts
a notice on hold as soon as an objection arrives during its notice period;
anything else leaves it to staff.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from ..clock import china_today
from .. import periods, privacy
from ..clock import china_time
from ..extensions import db
from ..models import CONCERNS, InfoRequest, Notice, Question, Status, User, Village, utcnow
from . import ServiceError, access, audit

ANSWER_DAYS = 10
REQUEST_DAYS = 20
MAX_EXTENSION_DAYS = 20
TEXT_MAX = 500
CONTACT_MAX = 64
ANSWER_MAX = 2000
#: Notices a villager may ask about: the versions in force.
ASKABLE_STATUSES = (Status.PUBLISHED, Status.ARCHIVED)

_TAG = re.compile(r"<[^>]{0,200}>")


# Tickets -------------------------------------------------------------------

def _new_ticket(prefix: str, model: type, today: dt.date) -> str:
    """``Q2510-483920``: letter, year and month, six random digits (digits only,
    so the kiosk keypad can type it; a million per month, not enumerable
    behind the rate limit)."""
    for _ in range(50):
        ticket = f"{prefix}{today:%y%m}-{secrets.randbelow(10**6):06d}"
        taken = db.session.execute(select(func.count()).where(model.ticket_no == ticket)).scalar_one()
        if not taken:
            return ticket
    raise RuntimeError("could not allot a ticket number")


def normalize_ticket(text: str | None, prefix: str = "Q") -> str:
    """'q2510 483920', '2510483920', 'Q2510-483920' → 'Q2510-483920' ('' if not a ticket)."""
    digits = re.sub(r"[^0-9]", "", privacy.normalize(text))
    if len(digits) != 10:
        return ""
    return f"{prefix}{digits[:4]}-{digits[4:]}"


def plain_text(text: str | None, limit: int) -> str:
    """Plain text from a form, as typed (Chinese punctuation ，。？ kept): no
    invisible or control characters, no markup, numbers that look like IDs,
    accounts or mobiles masked (privacy.scrub), trimmed."""
    text = _TAG.sub("", privacy.clean_text(text))
    return privacy.scrub_text(re.sub(r"\n{3,}", "\n\n", text), limit)


def contact_text(text: str | None) -> str:
    """An asker's contact as given (staff only): full-width digits folded, no
    invisible or control characters, no markup."""
    return _TAG.sub("", privacy.clean_text(unicodedata.normalize("NFKC", text or ""))).strip()[:CONTACT_MAX]


# Settings --------------------------------------------------------------------

def answer_days(village: Village) -> int:
    value = (village.township.settings or {}).get("answer_days")
    return int(value) if value else ANSWER_DAYS


def auto_hold(village: Village) -> bool:
    return (village.township.settings or {}).get("objection_hold") == "auto"


def in_notice_period(notice: Notice, today: dt.date) -> bool:
    return (notice.status == Status.PUBLISHED and notice.notice_start is not None
            and notice.notice_end is not None and notice.notice_start <= today <= notice.notice_end)


# Asking -----------------------------------------------------------------------

def ask(
    notice: Notice, *, channel: str, concern: str = "其他", text: str = "", contact: str = "",
    is_objection: bool = False, today: dt.date | None = None,
) -> Question:
    """A villager's question or objection on a public notice. The caller
    commits. An objection during the notice period puts the notice on hold
    when the township says so (``objection_hold: auto``)."""
    today = today or china_today()
    if notice.status not in ASKABLE_STATUSES:
        raise ServiceError("该公示已更正或撤回，请对最新的公示提问")
    if channel not in ("kiosk", "phone"):
        raise ServiceError("unknown channel")
    if concern not in CONCERNS:
        raise ServiceError("请选择问题类型", "concern")
    text = plain_text(text, TEXT_MAX)
    # On the phone a free-text question must say something; a kiosk button says it.
    if channel == "phone" and not text and concern == "其他":
        raise ServiceError("请写下您的问题", "text")
    question = Question(
        ticket_no=_new_ticket("Q", Question, today), notice_id=notice.id, village_id=notice.village_id,
        is_objection=is_objection, concern=concern, text=text, channel=channel,
        due_on=periods.add_working_days(today, answer_days(notice.village)),
    )
    set_contact(question, contact)
    db.session.add(question)
    db.session.flush()
    if is_objection and auto_hold(notice.village) and in_notice_period(notice, today) and notice.on_hold_since is None:
        notice.on_hold_since = utcnow()
        audit.record(None, "notice.hold", "notice", notice.id, township_id=notice.village.township_id,
                     after={"ticket_no": question.ticket_no, "automatic": True})
    return question


def ask_village(village: Village, *, channel: str, text: str, contact: str = "", is_public: bool = True,
                today: dt.date | None = None) -> Question:
    """村务信箱: a question to the village, not about one notice. Same ticket,
    deadline and public answer; the asker chooses whether it is shown in
    public (its answer is, whenever the question is). The caller commits."""
    today = today or china_today()
    if channel not in ("kiosk", "phone"):
        raise ServiceError("unknown channel")
    text = plain_text(text, TEXT_MAX)
    if not text:
        raise ServiceError("请写下您想问村里的事", "text")
    question = Question(
        ticket_no=_new_ticket("Q", Question, today), notice_id=None, village_id=village.id, concern="其他",
        text=text, channel=channel, is_public=is_public, due_on=periods.add_working_days(today, answer_days(village)),
    )
    set_contact(question, contact)
    db.session.add(question)
    db.session.flush()
    return question


def set_contact(question: Question, contact: str) -> None:
    """The asker's contact as given: a staff-only column (the one place a
    villager's own number is wanted), plain text, never shown in public."""
    question.contact = contact_text(contact)


def find_ticket(ticket_no: str) -> Question | None:
    ticket = normalize_ticket(ticket_no)
    if not ticket:
        return None
    return db.session.execute(select(Question).where(Question.ticket_no == ticket)).scalar_one_or_none()


# Answering --------------------------------------------------------------------

def can_answer(user: User, question: Question) -> bool:
    return access.can_see_village(user, question.village)


def answer(question: Question, user: User, text: str) -> None:
    if not can_answer(user, question):
        raise ServiceError("您无权答复该村的问题")
    if question.is_hidden:
        raise ServiceError("该问题已被隐藏")
    text = plain_text(text, ANSWER_MAX)
    if not text:
        raise ServiceError("请填写答复内容", "answer")
    before = {"answer": question.answer}
    question.answer, question.answered_at, question.answered_by_id = text, utcnow(), user.id
    audit.record(user, "question.answer", "question", question.id, township_id=question.village.township_id,
                 before=before, after={"ticket_no": question.ticket_no, "answer": text})
    if question.notice is not None:
        _release_if_clear(question.notice, user)


def hide(question: Question, user: User, reason: str) -> None:
    """Keep spam or abuse off the public side; the reason is kept."""
    if not can_answer(user, question):
        raise ServiceError("您无权处理该村的问题")
    reason = plain_text(reason, 500)
    if not reason:
        raise ServiceError("隐藏问题必须写明原因", "reason")
    question.is_hidden, question.hidden_reason = True, reason
    audit.record(user, "question.hide", "question", question.id, township_id=question.village.township_id,
                 after={"ticket_no": question.ticket_no, "reason": reason})
    if question.notice is not None:
        _release_if_clear(question.notice, user)


def open_objections(notice: Notice) -> int:
    return db.session.execute(
        select(func.count()).where(Question.notice_id == notice.id, Question.is_objection.is_(True),
                                   Question.answered_at.is_(None), Question.is_hidden.is_(False))
    ).scalar_one()


def _release_if_clear(notice: Notice, user: User) -> None:
    db.session.flush()
    if notice.on_hold_since is not None and open_objections(notice) == 0:
        release(notice, user)


def hold(notice: Notice, user: User, today: dt.date | None = None) -> None:
    """暂停公示 by staff decision, while an objection is open."""
    today = today or china_today()
    if not access.can_see_village(user, notice.village):
        raise ServiceError("您无权处理该公示")
    if notice.on_hold_since is not None:
        raise ServiceError("该公示已暂停")
    if notice.status != Status.PUBLISHED:
        raise ServiceError("只有公示中的公示可以暂停")
    if open_objections(notice) == 0:
        raise ServiceError("没有未答复的异议，不能暂停公示")
    notice.on_hold_since = utcnow()
    audit.record(user, "notice.hold", "notice", notice.id, township_id=notice.village.township_id,
                 after={"automatic": False})


def release(notice: Notice, user: User | None) -> None:
    if user is not None and not access.can_see_village(user, notice.village):
        raise ServiceError("您无权处理该公示")
    if notice.on_hold_since is None:
        return
    notice.on_hold_since = None
    audit.record(user, "notice.release", "notice", notice.id, township_id=notice.village.township_id, after={})


def is_overdue(question: Question, today: dt.date) -> bool:
    return question.answered_at is None and not question.is_hidden and today > question.due_on


def questions_for(user: User, *, village: Village | None = None, state: str = "open",
                  today: dt.date | None = None) -> list[Question]:
    """Questions of the villages the user may see. state: open | overdue | answered | all."""
    today = today or china_today()
    query = access.in_scope(select(Question).join(Village, Question.village_id == Village.id), user,
                            Question.village_id, village)
    if state in ("open", "overdue"):
        query = query.where(Question.answered_at.is_(None), Question.is_hidden.is_(False))
    if state == "overdue":
        query = query.where(Question.due_on < today)
    if state == "answered":
        query = query.where(Question.answered_at.is_not(None))
    return list(db.session.execute(query.order_by(Question.due_on, Question.id)).scalars())


# What the public sees ------------------------------------------------------------

@dataclass(frozen=True)
class PublicQuestion:
    """A question as the public sees it: never the contact, never hidden ones."""

    ticket_no: str
    notice_id: int | None  # None: 村务信箱
    kind: str  # 疑问 | 异议 | 信箱
    concern: str
    text: str
    asked_on: dt.date
    due_on: dt.date
    answer: str
    answered_on: dt.date | None

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None


def public_view(question: Question) -> PublicQuestion:
    return PublicQuestion(
        ticket_no=question.ticket_no, notice_id=question.notice_id,
        kind="信箱" if question.notice_id is None else "异议" if question.is_objection else "疑问",
        concern=question.concern, text="" if question.is_hidden else question.text,
        asked_on=china_time(question.created_at).date(), due_on=question.due_on,
        answer="" if question.is_hidden else question.answer,
        answered_on=china_time(question.answered_at).date() if question.answered_at and not question.is_hidden else None,
    )


def public_answers(notice_id: int) -> list[PublicQuestion]:
    """Answered, visible questions on a notice, oldest first."""
    rows = db.session.execute(
        select(Question).where(Question.notice_id == notice_id, Question.answered_at.is_not(None),
                               Question.is_hidden.is_(False)).order_by(Question.answered_at, Question.id)
    ).scalars()
    return [public_view(q) for q in rows]


def mailbox_answers(village_id: int) -> list[PublicQuestion]:
    """村务信箱: answered questions the askers let be public, newest first."""
    rows = db.session.execute(
        select(Question).where(Question.village_id == village_id, Question.notice_id.is_(None),
                               Question.is_public.is_(True), Question.answered_at.is_not(None),
                               Question.is_hidden.is_(False)).order_by(Question.answered_at.desc(), Question.id.desc())
    ).scalars()
    return [public_view(q) for q in rows]


def open_count(notice_id: int) -> int:
    return db.session.execute(
        select(func.count()).where(Question.notice_id == notice_id, Question.answered_at.is_(None),
                                   Question.is_hidden.is_(False))
    ).scalar_one()


# 依申请公开 -----------------------------------------------------------------------

def register_request(village: Village, user: User, *, requester: str, contact: str, subject: str,
                     received_on: dt.date) -> InfoRequest:
    if not access.can_see_village(user, village):
        raise ServiceError("您无权为该村登记申请")
    requester = plain_text(requester, 64)
    subject = plain_text(subject, 2000)
    if not requester:
        raise ServiceError("请填写申请人", "requester")
    if not subject:
        raise ServiceError("请填写申请公开的内容", "subject")
    if received_on > china_today() + dt.timedelta(days=1):
        raise ServiceError("收到日期不能晚于今天", "received_on")
    req = InfoRequest(
        ticket_no=_new_ticket("R", InfoRequest, received_on), village_id=village.id, requester=requester,
        contact=contact_text(contact),
        subject=subject, received_on=received_on, due_on=periods.add_working_days(received_on, REQUEST_DAYS),
        created_by_id=user.id,
    )
    db.session.add(req)
    db.session.flush()
    audit.record(user, "request.create", "info_request", req.id, township_id=village.township_id,
                 after={"ticket_no": req.ticket_no, "received_on": received_on.isoformat(),
                        "due_on": req.due_on.isoformat()})
    return req


def extend_request(req: InfoRequest, user: User, days: int, reason: str) -> None:
    """One extension of up to 20 working days past the statutory deadline, with a reason."""
    if not access.can_see_village(user, req.village):
        raise ServiceError("您无权处理该申请")
    if req.replied_on is not None:
        raise ServiceError("已答复的申请不能延期")
    if req.extended_due_on is not None:
        raise ServiceError("每件申请只能延期一次")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ServiceError(f"延期不得超过{MAX_EXTENSION_DAYS}个工作日", "days")
    reason = plain_text(reason, 1000)
    if not reason:
        raise ServiceError("延期必须写明理由", "reason")
    req.extended_due_on = periods.add_working_days(req.due_on, days)
    req.extension_reason = reason
    audit.record(user, "request.extend", "info_request", req.id, township_id=req.village.township_id,
                 after={"extended_due_on": req.extended_due_on.isoformat(), "reason": reason})


def requests_for(user: User, *, village: Village | None = None) -> list[InfoRequest]:
    query = access.in_scope(select(InfoRequest).join(Village, InfoRequest.village_id == Village.id), user,
                            InfoRequest.village_id, village)
    return list(db.session.execute(query.order_by(InfoRequest.received_on.desc(), InfoRequest.id.desc())).scalars())
