"""Notices: list, create, enter lines, and move them through review,
publication, correction, withdrawal and archiving. Each view parses the
request, calls one service, commits once; a refusal rolls everything back
and shows its message next to the field it names."""

from __future__ import annotations

import datetime as dt
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from disclosure.clock import china_today
from disclosure import attachments, clock, exporting, periods, privacy
from disclosure.catalogue import CATEGORIES
from disclosure.extensions import db
from disclosure.importing import RosterRow
from disclosure.models import AssetLine, LedgerLine, Notice, ProjectFund, RosterLine, Stage, Status
from disclosure.services import ServiceError, access, intake, rules
from disclosure.services import imports as import_service
from disclosure.services import notices as notice_service
from disclosure.services import oversight as oversight_service
from kiosk.printed import queue_notice_pdfs

from . import bp
from .decisions import forms_for as decision_forms
from .common import drafting_villages, notice_in_scope, refuse, visible_villages
from .forms import (
    options,
    ActionForm, AssetLineForm, AttachmentForm, FundForm, LedgerLineForm, NoticeEditForm, NoticeForm, ProjectForm, PublishForm,
    ReasonForm, ReviewForm, RosterLineForm, VoucherForm, VisibilityForm,
)

PER_PAGE = 30


class LedgerRowInput:
    """A ledger line typed into the form, shaped like importing.LedgerRow."""

    def __init__(self, **fields: object) -> None:
        self.row = 0
        self.__dict__.update(fields)


# List and create -------------------------------------------------------------

@bp.get("/notices")
def notice_list():
    villages = visible_villages()
    query = select(Notice).where(Notice.village_id.in_([v.id for v in villages]))
    village_id = request.args.get("village", type=int)
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    if village_id:
        query = query.where(Notice.village_id == village_id)
    if status in {s.value for s in Status}:
        query = query.where(Notice.status == Status(status))
    if category in CATEGORIES:
        query = query.where(Notice.category == category)
    page = db.paginate(query.order_by(Notice.created_at.desc(), Notice.id.desc()), per_page=PER_PAGE,
                       error_out=False)
    return render_template(
        "admin/notice_list.html", page=page, villages=villages, statuses=list(Status), categories=CATEGORIES,
        can_draft=any(access.can_draft(current_user, v) for v in villages),
        selected={"village": village_id, "status": status, "category": category},
        args={k: v for k, v in request.args.items() if k != "page"},
    )


def _period(form: NoticeForm) -> periods.Period:
    kind, year = form.period_type.data, form.year.data
    if kind == "month":
        return periods.month(year, int(form.month.data))
    if kind == "quarter":
        return periods.quarter(year, int(form.quarter.data))
    if kind == "year":
        return periods.year(year)
    start, end = form.period_start.data, form.period_end.data
    return periods.Period(start, end, f"{periods.format_date(start)}至{periods.format_date(end)}")


@bp.route("/notices/new", methods=["GET", "POST"])
def notice_new():
    villages = drafting_villages()
    if not villages:
        abort(403)
    form = NoticeForm()
    form.village.choices = options((v.id, v.name) for v in villages)
    today = china_today()
    if request.method == "GET":
        form.year.data = today.year
        form.month.data = str(today.month)
        form.quarter.data = str((today.month - 1) // 3 + 1)
        if request.args.get("category") in CATEGORIES:
            form.category.data = request.args["category"]
    if form.validate_on_submit():
        village = villages[0] if len(villages) == 1 else next(
            (v for v in villages if str(v.id) == form.village.data), None)
        if village is None:
            form.village.errors = ["请选择村"]
        else:
            try:
                notice = notice_service.create_draft(
                    village, current_user, category=form.category.data, title=form.title.data,
                    period=_period(form), roster_kind=form.roster_kind.data or None, body=form.body.data or "",
                )
            except ServiceError as err:
                refuse(err, form)
            else:
                db.session.commit()
                flash("草稿已建立，请录入或导入明细。", "success")
                return redirect(url_for("admin.notice_detail", notice_id=notice.id))
    return render_template("admin/notice_form.html", form=form)


# Detail --------------------------------------------------------------------

def _versions(notice: Notice) -> list[Notice]:
    return list(db.session.execute(
        select(Notice).where(Notice.series_id == notice.series_id).order_by(Notice.version, Notice.id)
    ).scalars())


def _next_version(notice: Notice) -> Notice | None:
    return db.session.execute(
        select(Notice).where(Notice.supersedes_id == notice.id).order_by(Notice.id.desc()).limit(1)
    ).scalar_one_or_none()


def _default_publish(notice: Notice, form: PublishForm) -> int:
    minimum = rules.min_notice_days(notice.village.township, notice.category, notice.roster_kind)
    if form.notice_start.data is None and not form.notice_start.raw_data:
        form.notice_start.data = clock.china_today()  # the earliest start publish() accepts
    if form.notice_end.data is None and not form.notice_end.raw_data and form.notice_start.data:
        form.notice_end.data = periods.notice_end(form.notice_start.data, minimum)
    return minimum


def _totals(notice: Notice) -> dict[str, int]:
    return {
        "income": sum(l.amount_fen for l in notice.ledger_lines if l.direction == "income"),
        "expense": sum(l.amount_fen for l in notice.ledger_lines if l.direction == "expense"),
        "roster": sum(r.amount_fen for r in notice.roster_lines),
        "assets": sum(a.annual_income_fen for a in notice.asset_lines),
    }


#: Where each workflow action (notices.next_actions) is carried out.
ACTION_ENDPOINTS = {"import": "admin.import_upload"}


def _action_url(action: notice_service.Action, notice_id: int) -> str:
    return url_for(ACTION_ENDPOINTS.get(action.code, f"admin.notice_{action.code}"), notice_id=notice_id)


def _render_detail(notice: Notice, status: int = 200, **forms):  # noqa: ANN003, ANN202
    editable = notice.status == Status.DRAFT and access.can_draft(current_user, notice.village)
    project_form = forms.pop("project_form", None)
    if project_form is None:
        project_form = ProjectForm(formdata=None, obj=notice.project) if notice.project else ProjectForm(formdata=None)
    publish_form = forms.pop("publish_form", None) or PublishForm(formdata=None)
    minimum = _default_publish(notice, publish_form)
    context = {
        "ledger_form": LedgerLineForm(formdata=None),
        "roster_form": RosterLineForm(formdata=None),
        "asset_form": AssetLineForm(formdata=None),
        "fund_form": FundForm(formdata=None),
        "edit_form": NoticeEditForm(formdata=None, obj=notice),
        "review_form": ReviewForm(formdata=None),
        "voucher_form": VoucherForm(formdata=None),
        "attachment_form": AttachmentForm(formdata=None),
        "visibility_form": VisibilityForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "reason_form": ReasonForm(formdata=None),
        **decision_forms(notice),
    }
    context.update(forms)
    return render_template(
        "admin/notice_detail.html", notice=notice, editable=editable, totals=_totals(notice),
        versions=_versions(notice), next_version=_next_version(notice), project_form=project_form,
        publish_form=publish_form, min_days=minimum, today=china_today(), stage_labels={s.value: s.label for s in Stage},
        can_draft=access.can_draft(current_user, notice.village),
        actions=notice_service.next_actions(notice, current_user, china_today()), action_url=lambda action: _action_url(action, notice.id),
        can_review=access.can_review(current_user, notice.village),
        can_mark_attachments=attachments.visibility_problem(notice, current_user) is None,
        max_pages=attachments.MAX_PAGES,
        **context,
    ), status


@bp.get("/notices/<int:notice_id>")
def notice_detail(notice_id: int):
    return _render_detail(notice_in_scope(notice_id))


def _done(message: str, notice: Notice, anchor: str = ""):  # noqa: ANN202
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.notice_detail", notice_id=notice.id, _anchor=anchor or None))


@bp.post("/notices/<int:notice_id>/edit")
def notice_edit(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = NoticeEditForm()
    if form.validate_on_submit():
        try:
            notice_service.update_draft(notice, current_user, title=form.title.data, body=form.body.data or "")
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("标题和正文已保存。", notice)
    return _render_detail(notice, 400, edit_form=form)


# Lines ---------------------------------------------------------------------

@bp.post("/notices/<int:notice_id>/ledger")
def ledger_add(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = LedgerLineForm()
    if form.validate_on_submit():
        row = LedgerRowInput(
            occurred_on=form.occurred_on.data, voucher_no=(form.voucher_no.data or "").strip(),
            summary=(form.summary.data or "").strip(), direction=form.direction.data, subject=form.subject.data,
            amount_fen=form.amount.data, handler=(form.handler.data or "").strip(), note=(form.note.data or "").strip(),
        )
        try:
            intake.add_ledger_rows(notice, current_user, [row])
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("已添加一条收支明细。", notice, "lines")
    return _render_detail(notice, 400, ledger_form=form)


@bp.post("/notices/<int:notice_id>/roster")
def roster_add(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = RosterLineForm()
    if form.validate_on_submit():
        id_number = privacy.normalize(form.id_number.data or "").upper()
        row = RosterRow(
            row=0, name=form.name.data, group_no=form.group_no.data,
            id_hash=privacy.id_fingerprint(id_number, import_service.id_key()) if id_number else None,
            id_masked=privacy.mask_id(id_number) if id_number else "", account_masked="", phone_masked="",
            household_size=form.household_size.data, quantity=form.quantity.data, rate_fen=form.rate.data,
            amount_fen=form.amount.data, paid_on=form.paid_on.data, reason=form.reason.data or "", note="",
            grade=form.grade.data,
        )
        try:
            intake.add_roster_rows(notice, current_user, [row],
                                   kind="project" if notice.category == "project" and not notice.roster_kind else None)
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("已添加一条名单记录。", notice, "lines")
    form.id_number.data = ""  # never echo an ID number back into a page
    return _render_detail(notice, 400, roster_form=form)


@bp.post("/notices/<int:notice_id>/assets")
def asset_add(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = AssetLineForm()
    if form.validate_on_submit():
        try:
            intake.add_asset_line(
                notice, current_user, name=form.name.data, kind=form.kind.data, location=form.location.data,
                size=form.size.data, lessee=form.lessee.data, contract_start=form.contract_start.data,
                contract_end=form.contract_end.data, annual_income_fen=form.annual_income.data or 0,
            )
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("已添加一项资产。", notice, "lines")
    return _render_detail(notice, 400, asset_form=form)


@bp.post("/notices/<int:notice_id>/project")
def project_save(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = ProjectForm()
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in (
            "name", "location", "content", "subsidy_standard", "starts_on", "ends_on", "implementer", "responsible",
            "performance_goal", "households_benefiting", "persons_benefiting", "benefit_mechanism", "procurement",
            "result", "stage")}
        try:
            intake.set_project(notice, current_user, project_key=form.project_key.data or "", **fields)
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("项目信息已保存。", notice, "project")
    return _render_detail(notice, 400, project_form=form)


@bp.post("/notices/<int:notice_id>/funds")
def fund_add(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = FundForm()
    if form.validate_on_submit():
        try:
            intake.add_project_fund(notice, current_user, source=form.source.data,
                                    allocated_fen=form.allocated.data or 0, spent_fen=form.spent.data or 0)
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("已添加一项资金来源。", notice, "project")
    return _render_detail(notice, 400, fund_form=form)


def _delete(notice_id: int, model: type, item_id: int):  # noqa: ANN202
    notice = notice_in_scope(notice_id)
    item = db.session.get(model, item_id)
    owner = None if item is None else (item.project.notice_id if model is ProjectFund else item.notice_id)
    if owner != notice.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if model in (LedgerLine, RosterLine):
            intake.remove_line(notice, current_user, item)
        else:
            intake.remove_detail(notice, current_user, item)
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.notice_detail", notice_id=notice.id))
    return _done("已删除。", notice, "lines")


@bp.post("/notices/<int:notice_id>/ledger/<int:line_id>/delete")
def ledger_delete(notice_id: int, line_id: int):
    return _delete(notice_id, LedgerLine, line_id)


@bp.post("/notices/<int:notice_id>/roster/<int:line_id>/delete")
def roster_delete(notice_id: int, line_id: int):
    return _delete(notice_id, RosterLine, line_id)


@bp.post("/notices/<int:notice_id>/assets/<int:line_id>/delete")
def asset_delete(notice_id: int, line_id: int):
    return _delete(notice_id, AssetLine, line_id)


@bp.post("/notices/<int:notice_id>/funds/<int:fund_id>/delete")
def fund_delete(notice_id: int, fund_id: int):
    return _delete(notice_id, ProjectFund, fund_id)


# Workflow ------------------------------------------------------------------

def _step(notice_id: int, action, message: str):  # noqa: ANN001, ANN202
    notice = notice_in_scope(notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(notice)
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.notice_detail", notice_id=notice.id))
    return _done(message, notice)


@bp.post("/notices/<int:notice_id>/submit")
def notice_submit(notice_id: int):
    return _step(notice_id, lambda n: notice_service.submit(n, current_user), "已提交村务监督委员会审核。")


@bp.post("/notices/<int:notice_id>/archive")
def notice_archive(notice_id: int):
    return _step(notice_id, lambda n: notice_service.archive(n, current_user, china_today()), "已归档。")


@bp.post("/notices/<int:notice_id>/delete")
def notice_delete(notice_id: int):
    notice = notice_in_scope(notice_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        notice_service.delete_draft(notice, current_user)
    except ServiceError as err:
        refuse(err)
        return redirect(url_for("admin.notice_detail", notice_id=notice.id))
    db.session.commit()
    flash("草稿已删除。", "success")
    return redirect(url_for("admin.notice_list"))


@bp.post("/notices/<int:notice_id>/review")
def notice_review(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = ReviewForm()
    if form.validate_on_submit():
        decision = form.decision()
        try:
            if decision == "approve":
                notice_service.approve(notice, current_user, form.comment.data or "")
            elif decision == "reject":
                notice_service.reject(notice, current_user, form.comment.data or "")
            else:
                raise ServiceError("请选择审核通过或退回修改")
        except ServiceError as err:
            refuse(err, form)
        else:
            return _done("审核通过，报账员可以发布了。" if decision == "approve" else "已退回修改。", notice)
    return _render_detail(notice, 400, review_form=form)


@bp.post("/notices/<int:notice_id>/publish")
def notice_publish(notice_id: int):
    notice = notice_in_scope(notice_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            notice_service.publish(notice, current_user, form.notice_start.data, form.notice_end.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            # A new roster is checked at once: the township sees a double payment the day it is published.
            flagged = oversight_service.run_checks(notice.village.township, None) if notice.roster_lines else []
            note = f"系统发现{len(flagged)}条需要乡镇核实的红旗预警。" if flagged else ""
            response = _done(f"已发布，公示期至{periods.format_date(notice.notice_end)}。{note}", notice)
            queue_notice_pdfs(notice, notice.supersedes)  # the renderer prints them now, not a villager's request
            return response
    return _render_detail(notice, 400, publish_form=form)


@bp.route("/notices/<int:notice_id>/correct", methods=["GET", "POST"])
def notice_correct(notice_id: int):
    notice = notice_in_scope(notice_id)
    if not access.can_draft(current_user, notice.village):
        abort(403)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            new = notice_service.start_correction(notice, current_user, form.reason.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash("已建立更正版本（草稿）。修改后提交审核，发布后原版本将标为“已更正”。", "success")
            return redirect(url_for("admin.notice_detail", notice_id=new.id))
    return render_template("admin/notice_reason.html", notice=notice, form=form, action="correct",
                           heading="更正公示", hint="更正会生成一个新版本，原版本保留并标注“已更正”。请写明更正原因，它将与新版本一起公示。"), \
        (400 if form.errors else 200)


@bp.route("/notices/<int:notice_id>/withdraw", methods=["GET", "POST"])
def notice_withdraw(notice_id: int):
    notice = notice_in_scope(notice_id)
    if not access.can_draft(current_user, notice.village):
        abort(403)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            notice_service.withdraw(notice, current_user, form.reason.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            response = _done("公示已撤回，撤回原因将公开显示。", notice)
            queue_notice_pdfs(notice)
            return response
    return render_template("admin/notice_reason.html", notice=notice, form=form, action="withdraw",
                           heading="撤回公示", hint="撤回后公示仍留档并公开显示撤回原因。"), \
        (400 if form.errors else 200)


# Export ----------------------------------------------------------------------

ROSTER_EXPORT_HEADERS = ["序号", "姓名", "村民小组", "身份证号（脱敏）", "银行账号（脱敏）", "家庭人口",
                         "面积/数量", "标准（元）", "金额（元）", "发放日期", "原因类别", "等级"]
ASSET_EXPORT_HEADERS = ["序号", "资产名称", "类别", "坐落位置", "面积/数量", "承租方", "合同开始", "合同到期",
                        "年收益（元）"]


def export_table(notice: Notice) -> tuple[list[str], list[list[object]], set[int]]:
    """The rows an export may carry. Rosters: the public name and masked
    fields only, never a full name, ID number, account or phone."""
    if notice.ledger_lines:
        return exporting.LEDGER_HEADERS, exporting.ledger_table(notice.ledger_lines), set(exporting.LEDGER_MONEY_COLUMNS)
    if notice.roster_lines:
        rows = [[r.seq, r.public_name, f"第{r.group_no}组" if r.group_no else "", r.id_masked, r.account_masked,
                 r.household_size, None if r.quantity is None else str(r.quantity.normalize()),
                 r.rate_fen, r.amount_fen, r.paid_on, r.reason, r.grade] for r in notice.roster_lines]
        return ROSTER_EXPORT_HEADERS, rows, {7, 8}
    if notice.asset_lines:
        rows = [[a.seq, a.name, a.kind, a.location, a.size, a.lessee, a.contract_start, a.contract_end,
                 a.annual_income_fen] for a in notice.asset_lines]
        return ASSET_EXPORT_HEADERS, rows, {8}
    return [], [], set()


@bp.get("/notices/<int:notice_id>/export.xlsx")
def notice_export(notice_id: int):
    notice = notice_in_scope(notice_id)
    headers, rows, money_columns = export_table(notice)
    if not headers:
        flash("该公示没有可导出的明细。", "error")
        return redirect(url_for("admin.notice_detail", notice_id=notice.id))
    data = exporting.rows_to_xlsx(notice.title, headers, rows, money_columns=money_columns,
                                  sheet_name=notice.period_label or "明细")
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{notice.title}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
