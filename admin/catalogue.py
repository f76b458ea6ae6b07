"""The catalogue (公开目录) page. A county admin edits the county's catalogue:
roster kinds (and adds one), categories' minimum notice periods and
frequencies. A township admin sees those read-only and lengthens its own
notice periods and sets its standard amounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from disclosure import catalogue, privacy
from disclosure.extensions import db
from disclosure.services import ServiceError, rules
from disclosure.services import catalogue as catalogue_service

from . import bp
from .common import admin_required, county_admin_required, refuse, township_admin_required
from .forms import CategoryForm, KindForm, TownshipCategoryForm, TownshipKindForm


@bp.get("/catalogue")
@admin_required
def catalogue_list():
    return _list_page()


def _list_page(failed: str = "", failed_form: CategoryForm | TownshipCategoryForm | None = None):  # noqa: ANN202
    """The catalogue with a small form per category (``failed``: the one refused, shown with its error):
    the county's minimum and frequency for a county admin, the township's own period for a township admin."""
    county = current_user.is_county_admin
    township = current_user.township
    kinds = list(catalogue.ROSTER_KINDS.values())
    rows = []
    for c in catalogue.CATEGORIES.values():
        if c.code == failed:
            form = failed_form
        elif county:
            form = CategoryForm(formdata=None, notice_days=c.min_notice_days, frequency=c.frequency)
        else:
            form = TownshipCategoryForm(formdata=None, notice_days=rules.min_notice_days(township, c.code))
        rows.append((c, form, [(k, rules.county_notice_days(c.code, k.code) if county
                                else rules.min_notice_days(township, c.code, k.code),
                                () if county else rules.standard_sentences(township, k.code))
                               for k in kinds if k.category == c.code]))
    return render_template("admin/catalogue_list.html", rows=rows, township=township, county=county,
                           refusal=catalogue_service.county_refusal(current_user),
                           frequencies=catalogue.FREQUENCY_NAMES, periods=catalogue.PERIOD_SHAPES,
                           kind_frequency=lambda code: rules.kind_frequency(township, code),
                           required=rules.required_kinds(township),
                           county_days=rules.county_notice_days), 400 if failed else 200


def _category_post(code: str, form: CategoryForm | TownshipCategoryForm, save, done: str):  # noqa: ANN001, ANN202
    """Save one category's form with ``save(form)``; back to the list, or the list with the refusal."""
    if code not in catalogue.CATEGORIES:
        abort(404)
    if form.validate_on_submit():
        try:
            save(form)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(done.format(name=catalogue.CATEGORIES[code].name), "success")
            return redirect(url_for("admin.catalogue_list"))
    return _list_page(code, form)


@bp.post("/catalogue/categories/<code>")
@county_admin_required
def catalogue_category_save(code: str):
    return _category_post(code, CategoryForm(), lambda form: catalogue_service.save_category(
        current_user, code, notice_days=form.notice_days.data, frequency=form.frequency.data),
        "已保存“{name}”的县级最少公示天数和公开频次。")


@bp.post("/catalogue/categories/<code>/township")
@township_admin_required
def catalogue_category_lengthen(code: str):
    return _category_post(code, TownshipCategoryForm(), lambda form: catalogue_service.lengthen_category(
        current_user, code, notice_days=form.notice_days.data), "已保存本乡镇“{name}”的公示期。")


def _input(form: KindForm) -> catalogue_service.KindInput:
    return catalogue_service.KindInput(
        name=privacy.normalize(form.name.data or ""), category=form.category.data,
        title_words=catalogue_service.split_words(form.title_words.data),
        period=form.period.data, frequency=form.frequency.data, notice_days=form.notice_days.data,
        head_word=privacy.normalize(form.head_word.data or ""),
        who=privacy.scrub_text(form.who.data or ""), how_much=privacy.scrub_text(form.how_much.data or ""),
        how_to_apply=privacy.scrub_text(form.how_to_apply.data or ""), columns=form.columns(),
        standards=catalogue_service.parse_standards(form.standards.data, amounts=False))


def _kind_page(kind: catalogue.RosterKind, form: KindForm | None = None,
               township_form: TownshipKindForm | None = None) -> str:
    """A kind as the county sets it: its form for a county admin; read-only for a
    township admin, with the form of the township's own period and amounts."""
    township = current_user.township
    if current_user.is_county_admin and form is None:
        form = KindForm(formdata=None)
        form.fill(kind, rules.county_notice_days(kind.category, kind.code), catalogue_service.definitions_text(kind))
    if not current_user.is_county_admin and township_form is None:
        township_form = TownshipKindForm(formdata=None,
                                         notice_days=rules.min_notice_days(township, kind.category, kind.code),
                                         standards=catalogue_service.standards_text(township, kind),
                                         is_required=kind.code in rules.required_kinds(township))
    return render_template("admin/catalogue_kind.html", form=form, township_form=township_form, kind=kind,
                           refusal=catalogue_service.county_refusal(current_user),
                           frequencies=catalogue.FREQUENCY_NAMES, periods=catalogue.PERIOD_SHAPES,
                           categories=catalogue.CATEGORIES,
                           county_days=rules.county_notice_days(kind.category, kind.code))


@bp.route("/catalogue/kinds/<code>", methods=["GET", "POST"])
@admin_required
def catalogue_kind_edit(code: str):
    kind = catalogue.ROSTER_KINDS.get(code)
    if kind is None:
        abort(404)
    if request.method == "GET":
        return _kind_page(kind)
    if not current_user.is_county_admin:  # the county's form: a township admin only reads it
        abort(403)
    form = KindForm()
    if form.validate_on_submit():
        try:
            catalogue_service.save_kind(current_user, _input(form), code=code)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已保存“{form.name.data}”的设置。", "success")
            return redirect(url_for("admin.catalogue_list"))
    return _kind_page(kind, form=form), 400  # refused: the form shows why


@bp.post("/catalogue/kinds/<code>/township")
@township_admin_required
def catalogue_kind_township(code: str):
    kind = catalogue.ROSTER_KINDS.get(code)
    if kind is None:
        abort(404)
    form = TownshipKindForm()
    if form.validate_on_submit():
        try:
            catalogue_service.save_township_kind(current_user, code, notice_days=form.notice_days.data,
                                                 standards=catalogue_service.parse_standards(form.standards.data),
                                                 is_required=form.is_required.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已保存本乡镇“{kind.name}”的公示期和标准。", "success")
            return redirect(url_for("admin.catalogue_list"))
    return _kind_page(kind, township_form=form), 400


@bp.route("/catalogue/kinds/new", methods=["GET", "POST"])
@county_admin_required
def catalogue_kind_new():
    form = KindForm()
    if form.validate_on_submit():
        try:
            kind = catalogue_service.save_kind(current_user, _input(form), new_code=form.code.data or "")
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已新增名单类型“{kind.name}”。", "success")
            return redirect(url_for("admin.catalogue_list"))
    return render_template("admin/catalogue_kind.html", form=form, township_form=None, kind=None,
                           refusal=catalogue_service.county_refusal(current_user),
                           county_days=None), 400 if request.method == "POST" else 200
