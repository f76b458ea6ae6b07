"""Township oversight: the dashboard (who is late), its month view and .xlsx
export; red flags and the cadres-and-relatives register (township staff only)."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from disclosure.clock import china_today
from disclosure import periods
from disclosure.catalogue import CATEGORIES
from disclosure.exporting import rows_to_xlsx
from disclosure.extensions import db
from disclosure.models import CadreRelative, RedFlag, Township
from disclosure.services import ServiceError
from disclosure.services import oversight as service
from disclosure.services import decisions, voice_dashboard, workcalendar

from . import bp
from .common import refuse, township_admin_required, visible_villages, village_in_scope
from .forms import ActionForm, Form, options, required


class ClearFlagForm(Form):
    reason = TextAreaField("核实情况和解除理由", [required("解除理由"), Length(max=1000)])


class CadreForm(Form):
    village_id = SelectField("村", coerce=int)
    name = StringField("姓名", [required("姓名"), Length(max=32)])
    id_number = StringField("身份证号码", [required("身份证号码"), Length(max=24)],
                            description="只保存加密指纹，用于与名单比对；号码本身不保存。")
    cadre_name = StringField("村干部姓名", [required("村干部姓名"), Length(max=32)])
    relation = SelectField("与村干部关系", choices=[SelectChoice(r) for r in service.RELATIONS])


def voice_due(user, today: dt.date) -> dict:  # noqa: ANN001
    """The dashboard's overdue requests and mailbox questions, and this month's and next month's calendars."""
    following = periods.month_of(periods.month_of(today).end + dt.timedelta(days=1)).start
    return {"due": voice_dashboard.due_items(user, today),
            "calendars": [(f"{d.year}年{d.month}月", periods.month_calendar(d.year, d.month))
                          for d in (today, following)]}


def _user():
    return current_user._get_current_object()


# Dashboard -------------------------------------------------------------------

@bp.get("/dashboard")
def dashboard():
    today = china_today()
    rows = service.dashboard(_user(), today)
    if current_user.is_county_admin:  # read-only, across the county's townships
        return render_template("admin/dashboard_county.html", rows=rows, categories=CATEGORIES, today=today,
                               this_month=periods.period_key(periods.month_of(today)))
    return render_template("admin/dashboard_overview.html", rows=rows, categories=CATEGORIES, today=today,
                           active=service.active_notices(_user(), today),
                           late_decisions=decisions.late_decisions(_user(), today),
                           calendar_missing=workcalendar.missing_year(today),
                           this_month=periods.period_key(periods.month_of(today)), **voice_due(_user(), today))


@bp.get("/dashboard/month")
def dashboard_month():
    today = china_today()
    try:
        month = periods.parse_period(request.args.get("month") or periods.period_key(periods.month_of(today)))
    except ValueError:
        abort(404)
    if month.start.month != month.end.month or month.start.year != month.end.year:
        abort(404)
    previous = periods.month_of(month.start - dt.timedelta(days=1))
    following = periods.month_of(month.end + dt.timedelta(days=1))
    return render_template("admin/dashboard_month.html", rows=service.month_view(_user(), month), month=month,
                           categories=CATEGORIES, previous=periods.period_key(previous),
                           following=periods.period_key(following) if following.start <= today else None)


@bp.get("/dashboard.xlsx")
def dashboard_export():
    today = china_today()
    headers, table = service.dashboard_table(service.dashboard(_user(), today), today)
    data = rows_to_xlsx(f"村务公开情况（截至{periods.format_date(today)}）", headers, table, sheet_name="公开情况")
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"村务公开情况-{today.isoformat()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# Red flags -------------------------------------------------------------------

@bp.get("/flags")
@township_admin_required
def flag_list():
    state = request.args.get("state", "open")
    state = state if state in ("open", "cleared", "all") else "open"
    return render_template("admin/flags_list.html", flags=service.flags_for(_user(), state=state), state=state,
                           kinds=service.FLAG_KINDS, action_form=ActionForm())


@bp.post("/flags/run")
@township_admin_required
def flag_run():
    if not ActionForm().validate():
        abort(400)
    township = db.session.get(Township, current_user.township_id)
    try:
        new = service.run_checks(township, _user())
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.flag_list"))
    db.session.commit()
    flash(f"检查完成：新发现{len(new)}条预警。" if new else "检查完成：没有新的预警。", "success" if not new else "warning")
    return redirect(url_for("admin.flag_list"))


def _flag_in_scope(flag_id: int) -> RedFlag:
    flag = db.session.get(RedFlag, flag_id)
    if flag is None or flag.township_id != current_user.township_id:
        abort(404)
    return flag


@bp.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@township_admin_required
def flag_detail(flag_id: int):
    flag = _flag_in_scope(flag_id)
    form = ClearFlagForm()
    if request.method == "POST":
        if form.validate():
            try:
                service.clear_flag(flag, _user(), form.reason.data)
            except ServiceError as err:
                refuse(err, form)
            else:
                db.session.commit()
                flash("预警已解除，理由已记录。", "success")
                return redirect(url_for("admin.flag_detail", flag_id=flag.id))
    lines = service.flag_lines(flag)
    status = 400 if form.errors else 200
    return render_template("admin/flags_detail.html", flag=flag, lines=lines, form=form,
                           kinds=service.FLAG_KINDS), status


# Cadres-and-relatives register ---------------------------------------------------

@bp.route("/cadres", methods=["GET", "POST"])
@township_admin_required
def cadre_list():
    villages = visible_villages()
    form = CadreForm()
    form.village_id.choices = options((v.id, v.name) for v in villages)
    if form.validate_on_submit():
        village = village_in_scope(form.village_id.data)
        try:
            service.add_cadre_relative(_user(), village, name=form.name.data, id_number=form.id_number.data,
                                       cadre_name=form.cadre_name.data, relation=form.relation.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash("已登记。重新运行预警检查即可比对名单。", "success")
            return redirect(url_for("admin.cadre_list"))
    form.id_number.data = ""  # never echo an ID number back into the page
    return render_template("admin/flags_cadres.html", entries=service.cadre_register(_user()), form=form,
                           action_form=ActionForm(), village_names={v.id: v.name for v in villages}), 400 if form.errors else 200


@bp.post("/cadres/<int:entry_id>/delete")
@township_admin_required
def cadre_delete(entry_id: int):
    if not ActionForm().validate():
        abort(400)
    entry = db.session.get(CadreRelative, entry_id)
    if entry is None or entry.township_id != current_user.township_id:
        abort(404)
    service.remove_cadre_relative(_user(), entry)
    db.session.commit()
    flash("已从登记册删除。", "success")
    return redirect(url_for("admin.cadre_list"))
