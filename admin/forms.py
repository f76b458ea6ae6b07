"""WTForms for the staff side. Every message is Chinese and belongs to a field;
:func:`apply_error` puts a service's refusal next to the field it names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, PasswordField, RadioField, SelectField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import get_translations
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional, ValidationError

from disclosure import money, privacy
from disclosure.catalogue import (
    CATEGORIES, COLUMN_KEYS, FREQUENCY_NAMES, LEDGER_SUBJECTS, PERIOD_SHAPES, RELIEF_REASONS, ROSTER_KINDS,
)
from disclosure.models import Role, Stage
from disclosure.services import ServiceError

_ZH = get_translations(["zh"])


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):  # noqa: ANN001, ANN201 - WTForms' own messages in Chinese
            return _ZH


def options(pairs) -> list[SelectChoice]:  # noqa: ANN001
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def kind_choices(blank: str) -> list[SelectChoice]:
    """The catalogue's roster kinds as choices, after a blank one."""
    return options([("", blank)] + [(k.code, k.name) for k in ROSTER_KINDS.values()])


def required(label: str) -> InputRequired:
    return InputRequired(message=f"请填写{label}")


class MoneyField(StringField):
    """Yuan as typed (¥1,234.50, 全角 digits …) → integer fen in ``.data``."""

    def __init__(self, label: str = "", validators=None, *, allow_zero: bool = False, **kwargs) -> None:  # noqa: ANN001
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero
        self.raw = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        try:
            self.data = money.parse_amount(self.raw, allow_zero=self.allow_zero)
        except money.MoneyError as err:
            message = str(err)
            raise ValueError(message if message.startswith("金额") else f"金额{message}") from None

    def _value(self) -> str:
        if self.raw:
            return self.raw
        return "" if self.data is None else str(money.yuan(self.data))


class DecimalText(StringField):
    """A quantity such as an area in 亩, exact (Decimal)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = privacy.normalize(valuelist[0] if valuelist else "")
        self.data = None
        if not text:
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError("请填写数字，例如 3.5") from None
        if not value.is_finite() or value < 0:
            raise ValueError("请填写不小于零的数字")
        if value != value.quantize(Decimal("0.001")):
            raise ValueError("最多三位小数")
        self.data = value


class ChineseDate(DateField):
    def __init__(self, label: str = "", validators=None, **kwargs) -> None:  # noqa: ANN001
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            self.data = None
            return
        try:
            self.data = dt.datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError("日期格式不正确，请按 2025-07-03 的格式填写") from None


def apply_error(form: Form, err: ServiceError) -> bool:
    """Show ``err`` next to its field; True when the form had that field
    (otherwise the caller flashes it)."""
    aliases = {"amount_fen": "amount", "annual_income_fen": "annual_income", "period_end": "period_end",
               "comment": "comment", "current": "current", "new": "new"}
    name = aliases.get(err.field or "", err.field or "")
    field = getattr(form, name, None) if name else None
    if field is None or not hasattr(field, "errors"):
        return False
    field.errors = [*list(field.errors or []), err.message]
    return True


# Accounts ------------------------------------------------------------------

class LoginForm(Form):
    username = StringField("用户名", [required("用户名"), Length(max=64)])
    password = PasswordField("密码", [required("密码"), Length(max=200)])


class PasswordForm(Form):
    current = PasswordField("当前密码", [required("当前密码")])
    new = PasswordField("新密码", [required("新密码"), Length(max=200)])
    confirm = PasswordField("再次输入新密码", [required("新密码"), EqualTo("new", message="两次输入的新密码不一致")])


class UserForm(Form):
    username = StringField("用户名", [required("用户名"), Length(max=64, message="用户名最多64个字符")])
    display_name = StringField("姓名（显示用）", [required("姓名"), Length(max=64)])
    role = SelectField("角色", choices=[])  # the view sets what the creator may create
    township = SelectField("乡镇", choices=[], validate_choice=False)  # a county admin's choice
    village = SelectField("所在村", choices=[], validate_choice=False)
    password = PasswordField("初始密码", [required("初始密码"), Length(max=200)])


class ResetPasswordForm(Form):
    password = PasswordField("新密码", [required("新密码"), Length(max=200)])


class ActionForm(Form):
    """A bare POST button: CSRF only."""


class ReasonForm(Form):
    reason = TextAreaField("原因", [required("原因"), Length(max=2000)])


# Notices -------------------------------------------------------------------

PERIOD_TYPES = options([("month", "月度"), ("quarter", "季度"), ("year", "年度"), ("custom", "自定义起止日期")])


class NoticeForm(Form):
    village = SelectField("村", choices=[], validate_choice=False)
    category = SelectField("公开类别", choices=[])
    roster_kind = SelectField("名单类型", choices=[], default="")
    period_type = RadioField("公开期间", choices=PERIOD_TYPES, default="quarter")
    year = IntegerField("年", [Optional(), NumberRange(2000, 2100, message="年份应在2000至2100之间")])
    month = SelectField("月", choices=options([(str(m), f"{m}月") for m in range(1, 13)]))
    quarter = SelectField("季度", choices=options([("1", "第一季度"), ("2", "第二季度"), ("3", "第三季度"), ("4", "第四季度")]))
    period_start = ChineseDate("开始日期", [Optional()])
    period_end = ChineseDate("结束日期", [Optional()])
    title = StringField("公示标题", [required("公示标题"), Length(max=200, message="标题最多200个字")])
    body = TextAreaField("公示正文（可选）", [Length(max=20000)])

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        # The catalogue is data: its current categories and kinds, read per request.
        self.category.choices = options([(c.code, c.name) for c in CATEGORIES.values()])
        self.roster_kind.choices = kind_choices("（不是名单）")

    def validate_roster_kind(self, field) -> None:  # noqa: ANN001
        kind = field.data or ""
        if self.category.data in ("subsidy", "assistance") and not kind:
            raise ValidationError("惠农补贴和社会救助公示请选择名单类型")
        if kind not in ROSTER_KINDS:
            return  # "" or a forged value: the choice check has already said so
        if self.category.data not in ("project", ROSTER_KINDS[kind].category):
            raise ValidationError(f"“{ROSTER_KINDS[kind].name}”不属于所选公开类别")

    def validate_year(self, field) -> None:  # noqa: ANN001
        if self.period_type.data != "custom" and field.data is None:
            raise ValidationError("请填写年份")

    def validate_period_end(self, field) -> None:  # noqa: ANN001
        if self.period_type.data == "custom":
            if self.period_start.data is None or field.data is None:
                raise ValidationError("自定义期间请填写开始和结束日期")
            if field.data < self.period_start.data:
                raise ValidationError("结束日期早于开始日期")


class NoticeEditForm(Form):
    title = StringField("公示标题", [required("公示标题"), Length(max=200, message="标题最多200个字")])
    body = TextAreaField("公示正文", [Length(max=20000)])


class LedgerLineForm(Form):
    occurred_on = ChineseDate("日期", [required("日期")])
    voucher_no = StringField("凭证号", [Length(max=32, message="凭证号最多32个字符")])
    summary = StringField("摘要", [required("摘要"), Length(max=200, message="摘要最多200个字")])
    direction = SelectField("收支", choices=options([("income", "收入"), ("expense", "支出")]))
    subject = SelectField("科目", choices=options([(s.code, f"{'收' if s.direction == 'income' else '支'}·{s.name}")
                                           for s in LEDGER_SUBJECTS.values()]))
    amount = MoneyField("金额（元）", [required("金额")])
    handler = StringField("经手人", [Length(max=32)])
    note = StringField("备注", [Length(max=200)])

    def validate_subject(self, field) -> None:  # noqa: ANN001
        subject = LEDGER_SUBJECTS.get(field.data)
        if subject and subject.direction != self.direction.data:
            raise ValidationError("科目与收支方向不符")


class RosterLineForm(Form):
    name = StringField("姓名", [required("姓名"), Length(max=32, message="姓名最多32个字")])
    group_no = IntegerField("村民小组（第几组）", [Optional(), NumberRange(1, 99, message="组号应在1至99之间")])
    id_number = StringField("身份证号", [Optional(), Length(max=24)],
                            description="只保存加密指纹和脱敏号码，不保存完整号码")
    amount = MoneyField("金额（元）", [required("金额")], allow_zero=False)
    household_size = IntegerField("家庭人口/保障人数", [Optional(), NumberRange(1, 30, message="人数应在1至30之间")])
    quantity = DecimalText("面积/数量（如亩）", [Optional()])
    rate = MoneyField("标准（元/单位）", [Optional()])
    paid_on = ChineseDate("发放日期", [Optional()])
    reason = SelectField("救助原因类别", choices=options([("", "（无）")] + [(r, r) for r in RELIEF_REASONS]), default="")
    grade = StringField("等级（如 一类、全护理、一级）", [Optional(), Length(max=32)])

    def validate_id_number(self, field) -> None:  # noqa: ANN001
        if field.data and field.data.strip():
            problem = privacy.id_problem(field.data)
            if problem:
                raise ValidationError(problem)


class AssetLineForm(Form):
    name = StringField("资产名称", [required("资产名称"), Length(max=200)])
    kind = StringField("类别（土地/房屋/林地/设备…）", [required("资产类别"), Length(max=32)])
    location = StringField("坐落位置", [Length(max=200)])
    size = StringField("面积/数量", [Length(max=64)])
    lessee = StringField("承租方", [Length(max=64)])
    contract_start = ChineseDate("合同开始", [Optional()])
    contract_end = ChineseDate("合同到期", [Optional()])
    annual_income = MoneyField("年收益（元）", [Optional()], allow_zero=True)


class ProjectForm(Form):
    project_key = StringField("项目编号（同一项目各阶段相同，可留空）", [Length(max=32)])
    name = StringField("项目名称", [required("项目名称"), Length(max=200)])
    location = StringField("实施地点", [required("实施地点"), Length(max=200)])
    content = TextAreaField("建设内容", [required("建设内容")])
    subsidy_standard = TextAreaField("补助标准")
    starts_on = ChineseDate("实施开始", [required("实施开始日期")])
    ends_on = ChineseDate("实施结束", [required("实施结束日期")])
    implementer = StringField("实施单位", [required("实施单位"), Length(max=200)])
    responsible = StringField("责任人", [required("责任人"), Length(max=64)])
    performance_goal = TextAreaField("绩效目标")
    households_benefiting = IntegerField("受益户数", [Optional(), NumberRange(0, 1_000_000, message="户数不正确")])
    persons_benefiting = IntegerField("受益人数", [Optional(), NumberRange(0, 10_000_000, message="人数不正确")])
    benefit_mechanism = TextAreaField("带贫减贫/利益联结机制")
    procurement = TextAreaField("招标与采购情况")
    result = TextAreaField("实施结果")
    stage = SelectField("项目阶段", choices=options([(s.value, s.label) for s in Stage]))


class FundForm(Form):
    source = StringField("资金来源", [required("资金来源"), Length(max=64)])
    allocated = MoneyField("下达资金（元）", [required("下达资金")], allow_zero=True)
    spent = MoneyField("已支出（元）", [Optional()], allow_zero=True)


class ReviewForm(Form):
    """Two buttons, each its own field: the pressed one is the only one the
    browser posts. (A hidden ``decision`` field rendered by ``hidden_tag()``
    beside name="decision" buttons was posted first, empty, and won.)"""

    comment = TextAreaField("审核意见", [Length(max=2000)])
    approve = SubmitField("审核通过")
    reject = SubmitField("退回修改")

    def decision(self) -> str | None:
        """'approve' or 'reject' by the button pressed; None unless exactly one was."""
        if self.approve.data == self.reject.data:
            return None
        return "approve" if self.approve.data else "reject"


class PublishForm(Form):
    notice_start = ChineseDate("公示开始日期", [required("公示开始日期")])
    notice_end = ChineseDate("公示结束日期", [required("公示结束日期")])


# Import and vouchers ---------------------------------------------------------

class ImportForm(Form):
    what = RadioField("表格类型", choices=options([("ledger", "收支明细账"), ("roster", "名单/花名册")]), default="ledger")
    kind = SelectField("名单类型", choices=[], default="")
    village = SelectField("村", choices=[], validate_choice=False)
    notice_id = SelectField("导入到", choices=[], validate_choice=False)
    file = FileField("表格文件（.xlsx 或 .csv）")

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices("（从表格标题识别）")

    def validate_file(self, field) -> None:  # noqa: ANN001
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("请选择要上传的表格文件")
        name = field.data.filename.lower()
        if not name.endswith((".xlsx", ".csv", ".xlsm", ".txt")):
            raise ValidationError("只接受 .xlsx、.csv 或 Excel 存的“Unicode 文本”(.txt) 文件")


class ConfirmImportForm(Form):
    token = HiddenField()


class VoucherForm(Form):
    file = FileField("凭证照片（JPEG/PNG，不超过5MB）")


class AttachmentForm(Form):
    attachment_title = StringField("附件名称", validators=[Optional(), Length(max=100)],
                        description="如“村民代表会议纪要”；不填则用文件名")
    file = FileField("文件（PDF 或 JPEG/PNG 图片，不超过10MB）")


class VisibilityForm(Form):
    is_public = BooleanField("在公开页面显示")


# The catalogue (公开目录) ---------------------------------------------------------

class KindForm(Form):
    """One roster kind as the county sets it: its words, columns, 明白卡, minimum period and standards."""

    code = StringField("代码（英文小写，建好后不能改）", [Optional(), Length(max=16)])
    name = StringField("名称", [required("名称"), Length(max=32, message="名称最多32个字")])
    category = SelectField("公开类别", choices=[])
    title_words = StringField("识别词（表格标题里出现的词，用顿号分开）", [required("识别词"), Length(max=200)])
    period = SelectField("期间形式", choices=options(list(PERIOD_SHAPES.items())))
    frequency = SelectField("公开频次", choices=options(list(FREQUENCY_NAMES.items())))
    notice_days = IntegerField("县级最少公示天数", [Optional(), NumberRange(1, 365, message="天数应在1至365之间")])
    head_word = StringField("姓名列标题", [Optional(), Length(max=16)], default="姓名")
    col_household_size = StringField("人数列标题（空着表示不显示）", [Length(max=32)])
    col_grade = StringField("等级列标题（如 保障类别、供养方式、补贴类别；不得是残疾或健康情况）", [Length(max=32)])
    col_quantity = StringField("面积列标题（单位写在括号里，如 面积（亩））", [Length(max=32)])
    col_rate = StringField("标准列标题（如 标准（元/亩））", [Length(max=32)])
    col_reason = StringField("事由类别列标题", [Length(max=32)])
    col_paid_on = StringField("日期列标题", [Length(max=32)])
    col_amount = StringField("金额列标题", [required("金额列标题"), Length(max=32)], default="金额（元）")
    who = TextAreaField("明白卡：谁能领", [required("谁能领"), Length(max=2000)])
    how_much = TextAreaField("明白卡：领多少", [required("领多少"), Length(max=2000)])
    how_to_apply = TextAreaField("明白卡：怎么申请", [required("怎么申请"), Length(max=2000)])
    standards = TextAreaField("标准（每行一条：名称|单位；金额由各乡镇填写）", [Length(max=2000)])

    COLUMN_FIELDS = tuple(COLUMN_KEYS)  # the catalogue's order

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.category.choices = options([(c.code, c.name) for c in CATEGORIES.values() if "roster" in c.lines])

    def fill(self, kind, county_days: int, standards: str) -> None:  # noqa: ANN001 - a catalogue.RosterKind
        """Show ``kind`` as it stands (a GET)."""
        for name in ("name", "category", "period", "frequency", "head_word", "who", "how_much", "how_to_apply"):
            getattr(self, name).data = getattr(kind, name)
        self.title_words.data = "、".join(kind.title_words)
        for key in self.COLUMN_FIELDS:
            getattr(self, f"col_{key}").data = kind.label(key) or ""
        self.notice_days.data, self.standards.data = county_days, standards

    def columns(self) -> list[tuple[str, str]]:
        """The columns in the catalogue's order, those with a title only."""
        found = [(key, privacy.normalize(getattr(self, f"col_{key}").data or "")) for key in self.COLUMN_FIELDS]
        return [(key, label) for key, label in found if label]


class CategoryForm(Form):
    """The county's minimum notice period and frequency for one category."""

    notice_days = IntegerField("县级最少公示天数", [Optional(), NumberRange(1, 365, message="天数应在1至365之间")])
    frequency = SelectField("公开频次", choices=options(list(FREQUENCY_NAMES.items())))


class TownshipCategoryForm(Form):
    """A township's own notice period for one category (at least the county's)."""

    notice_days = IntegerField("本乡镇公示期（天）", [Optional(), NumberRange(1, 365, message="天数应在1至365之间")])


class TownshipKindForm(Form):
    """A township's own notice period for one roster kind and its standard amounts."""

    notice_days = IntegerField("本乡镇公示期（天）", [Optional(), NumberRange(1, 365, message="天数应在1至365之间")])
    standards = TextAreaField("本乡镇标准（每行一条：名称|单位|金额）", [Length(max=2000)])
    is_required = BooleanField("本乡镇各村都必须公开（从未公开过也算逾期）")
