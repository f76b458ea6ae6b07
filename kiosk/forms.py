"""Forms of the public pages (kept out of the view modules, as admin/forms.py):
查询本人补贴, 我有疑问, 依申请公开 and 村务信箱. Every villager's form carries
the honeypot field ``website`` (hidden from people by the .hp class)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from disclosure.public import CONCERNS
from disclosure.services import feedback
from disclosure.services import requests as requests_service


class LookupForm(FlaskForm):
    """查询本人补贴: the ID number and the surname, checked by services.lookup."""
    id_number = StringField("身份证号")
    name = StringField("姓")


class FollowUpForm(FlaskForm):
    """A slip or a question after a lookup: the signed token and the line."""
    token = HiddenField()
    line = HiddenField()


# 我有疑问 (kiosk/questions.py) --------------------------------------------------------

KINDS = [SelectChoice("question", "疑问（想问清楚）"), SelectChoice("objection", "异议（认为有错，要求核实）")]


class QuestionForm(FlaskForm):
    kind = RadioField("类型", choices=KINDS, default="question")
    concern = RadioField("问题是", choices=[SelectChoice(c) for c in CONCERNS], default="其他")
    text = TextAreaField("您的问题", [Length(max=feedback.TEXT_MAX, message=f"最多{feedback.TEXT_MAX}字")])
    contact = StringField("联系方式（可不填）", [Optional(), Length(max=feedback.CONTACT_MAX)],
                          description="只有村、乡镇工作人员能看到，不会公开。")
    #: Honeypot: hidden from people by the .hp class; bots fill it.
    website = StringField("请勿填写", [Optional()])


class KioskQuestionForm(FlaskForm):
    concern = HiddenField()
    website = StringField("请勿填写", [Optional()])


# 依申请公开 and 村务信箱 (kiosk/voice.py) ------------------------------------------------

class ApplyForm(FlaskForm):
    subject = TextAreaField("您想看哪些信息？", [Length(max=requests_service.SUBJECT_MAX, message="最多2000字")],
                            description="写清楚是什么事、哪一年，例如：2025年村集体鱼塘发包合同。")
    requester = StringField("您的姓名", [Length(max=64)])
    contact = StringField("联系电话或地址（可不填）", [Optional(), Length(max=64)],
                          description="只有村、乡镇工作人员能看到，不会公开，也不会印在告知书上。")
    website = StringField("请勿填写", [Optional()])


class KioskApplyForm(FlaskForm):
    item = HiddenField()
    website = StringField("请勿填写", [Optional()])


class MailboxForm(FlaskForm):
    text = TextAreaField("您想问村里什么？", [Length(max=feedback.TEXT_MAX, message=f"最多{feedback.TEXT_MAX}字")])
    contact = StringField("联系方式（可不填）", [Optional(), Length(max=feedback.CONTACT_MAX)],
                          description="只有村、乡镇工作人员能看到，不会公开。")
    is_public = RadioField("可以公开吗？", choices=[SelectChoice("yes", "可以公开我的问题和答复（不显示联系方式）"),
                                                 SelectChoice("no", "不公开，只凭编号查看答复")], default="yes")
    website = StringField("请勿填写", [Optional()])
