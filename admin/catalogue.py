"""The catalogue (公开目录) page: a township admin edits roster kinds, adds
one, lengthens its notice periods and sets its standard amounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from disclosure import catalogue, privacy
from disclosure.extensions import db
from disclosure.services import ServiceError, rules
from disclosure.services import catalogue as catalogue_service

from . import bp
from .common import refuse, township_admin_required
from .forms import CategoryForm, KindForm


@bp.get("/catalogue")
@township_admin_required
def catalogue_list():
    return _list_page()


def _list_page(failed: str = "", failed_form: CategoryForm | None = None):  # noqa: ANN202
    """The catalogue with a small form per category (``failed``: the one refused, shown with its error)."""
    township = current_user.township
    kinds = list(catalogue.ROSTER_KINDS.values())
    rows = []
    for c in catalogue.CATEGORIES.values():
        form = failed_form if c.code == failed else CategoryForm(
            formdata=None, notice_days=rules.min_notice_days(township, c.code), frequency=rules.frequency(township, c.code))
        rows.append((c, form, [(k, rules.min_notice_days(township, c.code, k.code),
                                rules.standard_sentences(township, k.code)) for k in kinds if k.category == c.code]))
    return render_template("admin/catalogue_list.html", rows=rows, township=township,
                           frequencies=catalogue.FREQUENCY_NAMES, periods=catalogue.PERIOD_SHAPES,
                           kind_frequency=lambda code: rules.kind_frequency(township, code),
                           required=rules.required_kinds(township),
                           county_days=rules.county_notice_days), 400 if failed else 200


@bp.post("/catalogue/categories/<code>")
@township_admin_required
def catalogue_category_save(code: str):
    if code not in catalogue.CATEGORIES:
        abort(404)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            catalogue_service.save_category(current_user, code, notice_days=form.notice_days.data,
                                            frequency=form.frequency.data)
        except ServiceError as err:
            refuse(err, form)
        else:
            db.session.commit()
            flash(f"已保存“{catalogue.CATEGORIES[code].name}”的公示期和频次。", "success")
            return redirect(url_for("admin.catalogue_list"))
    return _list_page(code, form)


def _input(form: KindForm) -> catalogue_service.KindInput:
    return catalogue_service.KindInput(
        name=privacy.normalize(form.name.data or ""), category=form.category.data,
        title_words=catalogue_service.split_words(form.title_words.data),
        period=form.period.data, frequency=form.frequency.data, notice_days=form.notice_days.data,
        is_required=bool(form.is_required.data),
        head_word=privacy.normalize(form.head_word.data or ""),
        who=privacy.scrub_text(form.who.data or ""), how_much=privacy.scrub_text(form.how_much.data or ""),
        how_to_apply=privacy.scrub_text(form.how_to_apply.data or ""), columns=form.columns(),
        standards=catalogue_service.parse_standards(form.standards.data))


@bp.route("/catalogue/kinds/<code>", methods=["GET", "POST"])
@township_admin_required
def catalogue_kind_edit(code: str):
    kind = catalogue.ROSTER_KINDS.get(code)
    if kind is None:
        abort(404)
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
    elif not form.is_submitted():
        form.fill(kind, rules.min_notice_days(current_user.township, kind.category, code),
                  catalogue_service.standards_text(current_user.township, kind),
                  code in rules.required_kinds(current_user.township))
    return render_template("admin/catalogue_kind.html", form=form, kind=kind,
                           county_days=rules.county_notice_days(kind.category, code)), 400 if form.errors else 200


@bp.route("/catalogue/kinds/new", methods=["GET", "POST"])
@township_admin_required
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
    return render_template("admin/catalogue_kind.html", form=form, kind=None, county_days=None), \
        400 if form.errors else 200
