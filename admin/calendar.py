"""The township admin enters next year's 法定节假日 and 调休 days when
chinese_calendar does not know the year yet (services/workcalendar.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import RadioField, StringField
from wtforms.validators import Length, Optional

from disclosure import periods
from disclosure.clock import china_today
from disclosure.extensions import db
from disclosure.models import CalendarDay
from disclosure.services import ServiceError
from disclosure.services import workcalendar as service

from . import bp
from .common import refuse, township_admin_required
from .forms import ActionForm, ChineseDate, Form, options, required


class CalendarForm(Form):
    kind = RadioField("类型", choices=options(service.KIND_LABELS.items()), default=service.HOLIDAY)
    start = ChineseDate("开始日期", [required("开始日期")])
    end = ChineseDate("结束日期（只有一天可不填）", [Optional()])
    name = StringField("节日名称", [required("节日名称"), Length(max=32)])


def _page(form: CalendarForm, status: int = 200):  # noqa: ANN202
    today = china_today()
    years = [today.year, today.year + 1]
    return render_template(
        "admin/calendar.html", form=form, action_form=ActionForm(formdata=None), today=today,
        states=[service.year_state(y) for y in years], days={y: service.days_of(y) for y in years},
        missing=service.missing_year(today), kind_labels=service.KIND_LABELS,
        previews=[(y, m, periods.month_calendar(y, m)) for y, m in ((today.year + 1, 1), (today.year + 1, 2))],
    ), status


@bp.get("/calendar")
@township_admin_required
def calendar_page():
    return _page(CalendarForm(formdata=None))


@bp.post("/calendar")
@township_admin_required
def calendar_enter():
    form = CalendarForm()
    if form.validate_on_submit():
        try:
            rows = service.enter_days(current_user, start=form.start.data, end=form.end.data, kind=form.kind.data,
                                      name=form.name.data or "", today=china_today())
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已录入{form.name.data.strip()}{service.KIND_LABELS[form.kind.data]}{len(rows)}天。", "success")
            return redirect(url_for("admin.calendar_page"))
    return _page(form, 400)


@bp.post("/calendar/<int:day_id>/delete")
@township_admin_required
def calendar_delete(day_id: int):
    row = db.session.get(CalendarDay, day_id)
    if row is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service.remove_day(current_user, row)
    except ServiceError as err:
        refuse(err)
    else:
        db.session.commit()
        flash("已删除。", "success")
    return redirect(url_for("admin.calendar_page"))
