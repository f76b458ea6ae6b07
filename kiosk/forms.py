"""Forms of the public pages (kept out of the view modules, as admin/forms.py)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class LookupForm(FlaskForm):
    """查询本人补贴: the ID number and the surname, checked by services.lookup."""
    id_number = StringField("身份证号")
    name = StringField("姓")


class FollowUpForm(FlaskForm):
    """A slip or a question after a lookup: the signed token and the line."""
    token = HiddenField()
    line = HiddenField()
