"""依申请公开 from the villager's side and its typed replies (政府信息公开条例
2019): applying on the kiosk or phone, the reply types with their legal
grounds, 需补正 (the clock restarts after the correction), the released
documents as one checked PDF, and what the public sees of a request.

The register kept by staff (register, extend, list) lives in
services.feedback; the applicant's name and contact are staff-only columns
and never reach :class:`PublicRequest`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .. import periods
from ..clock import china_today
from ..extensions import db
from ..models import InfoRequest, User, Village
from . import ServiceError, access, audit
from .feedback import REQUEST_DAYS, _new_ticket, contact_text, normalize_ticket, plain_text

#: Reply types, in the order of the regulation.
GRANTED, PARTIAL, REFUSED = "予以公开", "部分公开", "不予公开"
NOT_EXIST, NOT_OURS, REPEATED, CORRECTION = "信息不存在", "非本机关负责", "重复申请", "需补正"
REPLY_TYPES = (GRANTED, PARTIAL, REFUSED, NOT_EXIST, NOT_OURS, REPEATED, CORRECTION)
#: Grounds for withholding (不予公开, or the withheld part of 部分公开).
GROUNDS = ("国家秘密", "法律法规禁止", "三安全一稳定", "商业秘密", "个人隐私", "内部事务", "过程性信息", "行政执法案卷")
#: The legal wording of each reply type on the 告知书.
REPLY_WORDING = {
    GRANTED: "经审查，您申请的信息属于公开范围，现予以公开。",
    PARTIAL: "经审查，您申请的信息中部分内容依法不予公开，其余部分现予以公开。",
    REFUSED: "经审查，您申请的信息依法不予公开。",
    NOT_EXIST: "经检索查找，本机关未制作或获取您申请的信息，该信息不存在。",
    NOT_OURS: "您申请的信息不属于本机关负责公开，请向下列机关申请。",
    REPEATED: "您的申请与此前已答复的申请内容相同，本机关不再重复处理。",
    CORRECTION: "您的申请内容不明确，请按下列要求补正后重新提交；答复期限自收到补正之日起重新计算。",
}
#: Kiosk buttons: what villagers most often ask for (no keyboard there).
COMMON_REQUESTS = ("村集体收支明细", "集体土地发包合同", "惠农补贴发放名单", "低保评定结果", "项目资金使用情况", "征地补偿分配方案")
CHANNELS = ("kiosk", "phone")
SUBJECT_MAX = 2000
PDF_MAX_BYTES = 10 * 1024 * 1024
PDF_MAX_PAGES = 200


# Applying ----------------------------------------------------------------------

def apply(village: Village, *, channel: str, subject: str, requester: str = "", contact: str = "",
          today: dt.date) -> InfoRequest:
    """A villager's application from the kiosk or the phone. The caller commits.
    The deadline is 20 working days after the day of receipt."""
    if channel not in CHANNELS:
        raise ServiceError("unknown channel")
    subject = plain_text(subject, SUBJECT_MAX)
    if not subject:
        raise ServiceError("请写明您要申请公开的信息", "subject")
    requester = plain_text(requester, 64)
    if channel == "phone" and not requester:
        raise ServiceError("请填写您的姓名", "requester")
    req = InfoRequest(
        ticket_no=_new_ticket("R", InfoRequest, today), village_id=village.id,
        requester=requester or "现场申请（触摸屏）", contact=contact_text(contact), subject=subject,
        received_on=today, due_on=periods.add_working_days(today, REQUEST_DAYS), channel=channel,
    )
    db.session.add(req)
    db.session.flush()
    audit.record(None, "request.apply", "info_request", req.id, township_id=village.township_id,
                 after={"ticket_no": req.ticket_no, "channel": channel, "due_on": req.due_on.isoformat()})
    return req


def find_request(ticket_no: str) -> InfoRequest | None:
    ticket = normalize_ticket(ticket_no, prefix="R")
    if not ticket:
        return None
    return db.session.execute(select(InfoRequest).where(InfoRequest.ticket_no == ticket)).scalar_one_or_none()


# Replying ----------------------------------------------------------------------

def reply(req: InfoRequest, user: User, *, reply_type: str, text: str = "", ground: str = "", refer_to: str = "",
          replied_on: dt.date) -> None:
    """A typed reply. 不予公开 and 部分公开 need a ground from GROUNDS;
    非本机关负责 names whom to ask; 需补正 says what to correct and stops
    the clock until :func:`record_correction`."""
    if not access.can_see_village(user, req.village):
        raise ServiceError("您无权处理该申请")
    if reply_type not in REPLY_TYPES:
        raise ServiceError("请选择答复类型", "reply_type")
    if replied_on < req.received_on:
        raise ServiceError("答复日期不能早于收到日期", "replied_on")
    if replied_on > china_today() + dt.timedelta(days=1):
        raise ServiceError("答复日期不能晚于今天", "replied_on")
    ground = ground if reply_type in (PARTIAL, REFUSED) else ""
    if reply_type in (PARTIAL, REFUSED) and ground not in GROUNDS:
        raise ServiceError("不予公开或部分公开必须选择法定理由", "ground")
    refer_to = plain_text(refer_to, 200) if reply_type == NOT_OURS else ""
    if reply_type == NOT_OURS and not refer_to:
        raise ServiceError("请写明应向哪个机关申请", "refer_to")
    text = plain_text(text, 4000)
    if reply_type == CORRECTION and not text:
        raise ServiceError("请写明需要补正的内容", "reply")
    req.reply_type, req.reply_ground, req.refer_to, req.reply = reply_type, ground, refer_to, text
    if reply_type == CORRECTION:
        req.correction_asked_on, req.replied_on = replied_on, None
    else:
        req.replied_on = replied_on
    audit.record(user, "request.reply", "info_request", req.id, township_id=req.village.township_id,
                 after={"reply_type": reply_type, "ground": ground, "replied_on": replied_on.isoformat()})


def record_correction(req: InfoRequest, user: User, corrected_on: dt.date, subject: str = "") -> None:
    """The applicant's correction arrived: the 20 working days start again from it."""
    if not access.can_see_village(user, req.village):
        raise ServiceError("您无权处理该申请")
    if req.correction_asked_on is None or req.reply_type != CORRECTION:
        raise ServiceError("该申请没有待补正的内容")
    if corrected_on < req.correction_asked_on:
        raise ServiceError("补正日期不能早于告知补正的日期", "corrected_on")
    subject = plain_text(subject, SUBJECT_MAX)
    if subject:
        req.subject = f"{req.subject}\n补正：{subject}"
    req.received_on, req.due_on, req.extended_due_on, req.extension_reason = (
        corrected_on, periods.add_working_days(corrected_on, REQUEST_DAYS), None, "")
    req.reply_type, req.reply, req.correction_asked_on = "", "", None
    audit.record(user, "request.corrected", "info_request", req.id, township_id=req.village.township_id,
                 after={"received_on": corrected_on.isoformat(), "due_on": req.due_on.isoformat()})


def is_waiting_for_correction(req: InfoRequest) -> bool:
    return req.reply_type == CORRECTION and req.correction_asked_on is not None


# Released documents: one checked PDF --------------------------------------------

def check_pdf(data: bytes) -> int:
    """Page count of a released document: the attachments' own check
    (disclosure/attachments.check_pdf: a real PDF, not encrypted, no script,
    action or embedded file anywhere in its objects, pages no larger than A0),
    with a request's limits (up to PDF_MAX_PAGES pages); a Chinese
    ServiceError on the upload field otherwise."""
    from .. import attachments

    if not data:
        raise ServiceError("请选择要上传的PDF文件", "attachment")
    if len(data) > PDF_MAX_BYTES:
        raise ServiceError(f"文件太大：最多{PDF_MAX_BYTES // 1024 // 1024}MB", "attachment")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ServiceError("这不是一个完整的PDF文件", "attachment")
    try:
        return attachments.check_pdf(data, max_pages=PDF_MAX_PAGES)
    except ServiceError as err:
        raise ServiceError(err.message, "attachment") from None


def attach(req: InfoRequest, user: User, data: bytes) -> None:
    if not access.can_see_village(user, req.village):
        raise ServiceError("您无权处理该申请")
    if req.reply_type not in (GRANTED, PARTIAL):
        raise ServiceError("只有予以公开或部分公开的答复可以附上公开的文件", "attachment")
    req.attachment_pages = check_pdf(data)
    req.attachment_pdf = data
    audit.record(user, "request.attach", "info_request", req.id, township_id=req.village.township_id,
                 after={"pages": req.attachment_pages, "bytes": len(data)})


# What the public sees -------------------------------------------------------------

STATUS_LABELS = {"open": "办理中", "extended": "已延期", "replied": "已答复", "overdue": "已逾期",
                 "correction": "待补正"}


@dataclass(frozen=True)
class PublicRequest:
    """A request as the ticket page and the 告知书 show it: never the name or contact."""

    ticket_no: str
    village_name: str
    township_name: str
    subject: str
    received_on: dt.date
    due_on: dt.date
    extended_due_on: dt.date | None
    extension_reason: str
    status: str
    reply_type: str
    reply_wording: str
    ground: str
    refer_to: str
    reply: str
    replied_on: dt.date | None
    correction_asked_on: dt.date | None
    attachment_pages: int | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def deadline(self) -> dt.date:
        return self.extended_due_on or self.due_on

    @property
    def has_letter(self) -> bool:
        return bool(self.reply_type)


def status(req: InfoRequest, today: dt.date) -> str:
    if req.replied_on is not None:
        return "replied"
    if is_waiting_for_correction(req):
        return "correction"
    if today > req.deadline:
        return "overdue"
    return "extended" if req.extended_due_on else "open"


def public_view(req: InfoRequest, today: dt.date) -> PublicRequest:
    return PublicRequest(
        ticket_no=req.ticket_no, village_name=req.village.name, township_name=req.village.township.name,
        subject=req.subject, received_on=req.received_on, due_on=req.due_on, extended_due_on=req.extended_due_on,
        extension_reason=req.extension_reason, status=status(req, today), reply_type=req.reply_type,
        reply_wording=REPLY_WORDING.get(req.reply_type, ""), ground=req.reply_ground, refer_to=req.refer_to,
        reply=req.reply, replied_on=req.replied_on, correction_asked_on=req.correction_asked_on,
        attachment_pages=req.attachment_pages,
    )
