"""The disclosure catalogue (公开目录): categories, their frequency and minimum
notice period, ledger subjects and roster kinds.

Categories and roster kinds are data: they live in the database
(models/catalogue.py), seeded from :data:`SEED_CATEGORIES` and
:data:`SEED_KINDS` by the migration and by ``create_all``; a township admin
edits them on the staff page (services/catalogue.py). :data:`CATEGORIES` and
:data:`ROSTER_KINDS` return the same frozen objects the code always had: read
once per process and kept under the catalogue's revision token, which every
app context (a request, a CLI command) checks once, so an edit is seen by the
next request of every worker and node. Outside an app context (the pure
spreadsheet parsers in a unit test) they fall back to the seed. A township
lengthens notice periods and sets its standard amounts in its settings
(services/rules.py)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

#: How a roster's period reads.
PERIOD_SHAPES = {"month": "按月", "year": "按年", "once": "一次性"}
#: The columns a roster kind may show (besides 序号, 村民小组, 姓名), with their default labels.
COLUMN_KEYS = {
    "household_size": "人数", "grade": "等级", "quantity": "面积", "rate": "标准", "reason": "事由类别",
    "paid_on": "发放日期", "amount": "金额（元）",
}
#: A roster line's grade (等级: 一类, 全护理, 一级 …) is a short public category, never a story.
GRADE_MAX_CHARS = 10


def normalize_grade(value: object) -> str | None:
    """A grade as typed or read from a sheet: full-width folded, invisible
    characters and spaces removed (privacy.normalize); None when empty."""
    from .privacy import normalize

    return normalize(value) or None


def grade_problem(grade: str | None) -> str | None:
    """Why a (normalized) grade cannot be published, in Chinese, or None."""
    if grade is None:
        return None
    if len(grade) > GRADE_MAX_CHARS:
        return f"等级最多{GRADE_MAX_CHARS}个字（如 一类、全护理、一级），现有{len(grade)}个字"
    if sum(ch.isdigit() for ch in grade) >= 7:
        return "等级一栏像是电话、身份证号或账号，不能公示"
    return None


@dataclass(frozen=True)
class Category:
    code: str
    name: str  # 财务收支
    short: str  # kiosk tile label
    frequency: str  # monthly | quarterly | per_batch | per_stage | at_once
    min_notice_days: int
    icon: str  # file name under static/common/icons/
    #: The kinds of lines a notice of this category holds, declared once:
    #: ledger (收支明细), roster (名单), assets (资产), funds (项目资金).
    lines: tuple[str, ...] = ()

    @property
    def importable(self) -> bool:
        """Its lines can come from a clerk's spreadsheet (ledger or roster)."""
        return "ledger" in self.lines or "roster" in self.lines


SEED_CATEGORIES: tuple[Category, ...] = (
    Category("finance", "财务收支", "财务公开", "quarterly", 7, "finance", ("ledger",)),
    Category("subsidy", "惠农补贴", "惠农补贴", "per_batch", 7, "subsidy", ("roster",)),
    Category("assistance", "社会救助", "社会救助", "per_batch", 7, "assistance", ("roster",)),
    Category("project", "扶贫项目资金", "扶贫项目", "per_stage", 10, "project", ("funds", "roster")),
    Category("assets", "集体资产资源", "集体资产", "quarterly", 7, "assets", ("assets",)),
    Category("major", "重大事项", "重大事项", "at_once", 7, "major"),
    Category("other", "其他公开事项", "其他公开", "at_once", 7, "other", ("roster",)),
)

#: How many days may pass after a period before its disclosure is late.
FREQUENCY_DAYS = {"monthly": 31 + 15, "quarterly": 92 + 20, "yearly": 366 + 31, "per_batch": 183, "per_stage": 183,
                  "at_once": 366}
#: Frequencies on a schedule: late is *overdue* (services/oversight.lateness); the rest come as things happen.
PERIODIC_FREQUENCIES = ("monthly", "quarterly", "yearly")
FREQUENCY_NAMES = {
    "monthly": "每月",
    "quarterly": "每季度",
    "yearly": "每年",
    "per_batch": "每批次发放",
    "per_stage": "项目各阶段",
    "at_once": "随时",
}


@dataclass(frozen=True)
class LedgerSubject:
    code: str
    name: str
    direction: str  # income | expense


LEDGER_SUBJECTS: dict[str, LedgerSubject] = {
    s.code: s
    for s in (
        LedgerSubject("operating_income", "经营收入", "income"),
        LedgerSubject("contract_income", "发包及上交收入", "income"),
        LedgerSubject("investment_income", "投资收益", "income"),
        LedgerSubject("subsidy_income", "补助收入", "income"),
        LedgerSubject("other_income", "其他收入", "income"),
        LedgerSubject("operating_expense", "经营支出", "expense"),
        LedgerSubject("management_expense", "管理费用", "expense"),
        LedgerSubject("other_expense", "其他支出", "expense"),
    )
}

# Keywords clerks use in 摘要, checked in order; the first hit wins.
_SUBJECT_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("subsidy_income", ("拨付", "补助", "转移支付", "奖补", "专项资金", "财政")),
    ("investment_income", ("分红", "投资收益", "股金", "入股")),
    ("contract_income", ("承包费", "租金", "发包", "资源使用费", "上交", "租赁")),
    ("operating_income", ("销售", "经营", "服务费", "门面", "收费")),
    ("management_expense", ("工资", "报酬", "办公", "电费", "水费", "报刊", "差旅", "会议", "误工", "补贴干部", "网费", "电话费", "招待")),
    ("operating_expense", ("人工费", "施肥", "除草", "采购", "饲料", "种苗", "农资", "经营")),
)


def guess_subject(summary: str, direction: str) -> str:
    """A ledger subject for a line without one, from its 摘要."""
    for code, words in _SUBJECT_HINTS:
        if LEDGER_SUBJECTS[code].direction == direction and any(w in summary for w in words):
            return code
    return "other_income" if direction == "income" else "other_expense"


def subject_by_name(name: str) -> str | None:
    """科目 text from a sheet (e.g. '管理费用') → code, or None if unknown."""
    name = (name or "").strip()
    for subject in LEDGER_SUBJECTS.values():
        if name in (subject.name, subject.code):
            return subject.code
    return None


@dataclass(frozen=True)
class Standard:
    """One amount a township sets for a kind and shows villagers (低保标准 元/人·月)."""

    key: str
    label: str
    unit: str  # 元/人·月, 元/亩 …


#: Columns most rosters show: 人数 where filled, 金额.
_PLAIN = (("household_size", "人数"), ("paid_on", "发放日期"), ("amount", "金额（元）"))
_PER_MU = (("quantity", "面积（亩）"), ("rate", "标准（元/亩）"), ("paid_on", "发放日期"), ("amount", "补贴金额（元）"))


@dataclass(frozen=True)
class RosterKind:
    code: str
    name: str
    category: str  # subsidy | assistance | other
    title_words: tuple[str, ...]  # words in a sheet title that name this kind
    period: str  # month | year | once: how the roster's period reads (PERIOD_SHAPES)
    # 明白卡 (explanation card) text
    who: str
    how_much: str
    how_to_apply: str
    #: The columns it shows besides 序号, 村民小组 and the name, as (COLUMN_KEYS key, label), in order.
    columns: tuple[tuple[str, str], ...] = _PLAIN
    head_word: str = "姓名"  # the name column's label (户主姓名)
    frequency: str = "per_batch"
    min_notice_days: int = 7
    #: The amounts a township sets for this kind and shows on the card and the roster.
    standards: tuple[Standard, ...] = ()

    def label(self, key: str) -> str | None:
        """The label of column ``key``, or None when the kind does not show it."""
        return dict(self.columns).get(key)

    @property
    def quantity_unit(self) -> str:
        """亩 from a label such as 面积（亩）; 亩 by default."""
        label = self.label("quantity") or ""
        return label[label.index("（") + 1:label.index("）")] if "（" in label and "）" in label else "亩"

    @property
    def rate_unit(self) -> str:
        label = self.label("rate") or ""
        return label[label.index("（") + 1:label.index("）")] if "（" in label and "）" in label else "元/亩"


_APPLY_VILLAGE = "农户向村委会提出申请，村民小组核实，村委会公示7天无异议后报乡镇审核、县级主管部门审批后发放。"

SEED_KINDS: tuple[RosterKind, ...] = (
    RosterKind(
        "gengdi", "耕地地力保护补贴", "subsidy", ("耕地地力", "地力保护"), "year",
        "拥有耕地承包权并实际种植的农户（撂荒地、非农用地不享受）。",
        "按确权承包耕地面积（亩）乘当年补贴标准（元/亩）计算，每年发放一次，直接打入“一卡通”。",
        "无需申请。村民小组核实面积，村委会公示7天无异议后由乡镇报县农业农村局发放。",
        _PER_MU, frequency="yearly", standards=(Standard("rate", "耕地地力保护补贴标准", "元/亩"),),
    ),
    RosterKind(
        "nongji", "农机购置补贴", "subsidy", ("农机",), "once",
        "购买列入补贴目录农机具的农户和农业生产经营组织。",
        "按补贴目录中每种机具的定额补贴，不超过售价的30%。",
        "购机后持发票、身份证到乡镇农业服务中心申请，核验公示后发放。",
        (("paid_on", "发放日期"), ("amount", "补贴金额（元）")),
    ),
    RosterKind(
        "dibao", "城乡低保", "assistance", ("低保", "最低生活保障"), "month",
        "家庭人均收入低于当地低保标准、且家庭财产符合规定的困难家庭。",
        "按家庭人均收入与低保标准的差额分档发放，每月打入“一卡通”。",
        "户主向村委会或乡镇提出书面申请，经入户调查、民主评议、公示和县民政局审批后发放。",
        (("household_size", "保障人口"), ("grade", "保障类别"), ("amount", "月保障金额（元）")), head_word="户主姓名",
        frequency="monthly", standards=(Standard("standard", "农村低保标准", "元/人·月"),),
    ),
    RosterKind(
        "tekun", "特困人员救助供养", "assistance", ("特困",), "month",
        "无劳动能力、无生活来源、无法定赡养抚养扶养义务人（或其无履行能力）的老年人、残疾人和未成年人。",
        "按当地特困供养标准每月发放基本生活费，另有照料护理补贴。",
        "本人或村委会代为向乡镇申请，经调查、公示和县民政局审批后发放。",
        (("household_size", "保障人口"), ("grade", "供养方式"), ("amount", "月供养金额（元）")), head_word="户主姓名",
        frequency="monthly", standards=(Standard("standard", "特困人员基本生活标准", "元/人·月"),),
    ),
    RosterKind(
        "linshi", "临时救助", "assistance", ("临时救助",), "once",
        "因火灾、交通事故、突发重病等导致基本生活暂时出现严重困难的家庭或个人。",
        "按困难程度一次性发放，具体标准见乡镇公布的临时救助标准。",
        "向村委会或乡镇提出申请，情况紧急的可先行救助、事后补办手续。",
        (("household_size", "人数"), ("reason", "原因类别"), ("paid_on", "发放日期"), ("amount", "救助金额（元）")),
    ),
    RosterKind(
        "weifang", "农村危房改造补助", "other", ("危房",), "once",
        "住房鉴定为C级、D级危房的低保户、分散供养特困人员、低收入户等重点对象。",
        "按改造方式（拆除重建或修缮加固）定额补助。",
        "农户提出申请，村民评议公示、乡镇审核、县住建局审批后实施，竣工验收后拨付。",
        (("paid_on", "拨付日期"), ("amount", "补助金额（元）")),
    ),
    # Kinds the standard 村务公开目录 names that the board lacked (issue 14).
    RosterKind(
        "yiliao", "医疗救助", "assistance", ("医疗救助",), "once",
        "低保对象、特困人员、低收入家庭成员及因病致贫的重病患者，经医保报销后个人负担仍然较重的。",
        "对基本医保、大病保险报销后的政策范围内个人自付费用按比例救助，年度救助有限额。",
        "出院结算时“一站式”直接救助；未直接结算的，持票据向乡镇民政办申请。",
        (("reason", "救助类别"), ("paid_on", "救助日期"), ("amount", "救助金额（元）")),
    ),
    RosterKind(
        "canbu", "残疾人两项补贴", "assistance", ("残疾人两项补贴", "两项补贴", "困难残疾人生活补贴", "重度残疾人护理补贴"),
        "month",
        "低保家庭中的残疾人（困难残疾人生活补贴）和残疾等级为一、二级的重度残疾人（重度残疾人护理补贴）。",
        "按县里公布的两项补贴标准每月发放，打入“一卡通”。",
        "本人或监护人持残疾人证向村委会或乡镇提出申请，经审核、公示后由县残联、民政局审批发放。",
        (("grade", "补贴类别"), ("amount", "月补贴金额（元）")), frequency="monthly",
        standards=(Standard("living", "困难残疾人生活补贴标准", "元/人·月"),
                   Standard("care", "重度残疾人护理补贴标准", "元/人·月")),
    ),
    RosterKind(
        "gaoling", "高龄津贴", "subsidy", ("高龄津贴", "高龄补贴", "老年人津贴"), "month",
        "本县户籍、年满80周岁的老年人。",
        "按年龄段发放：80至89周岁、90至99周岁、100周岁以上各有标准，每月打入“一卡通”。",
        "年满80周岁后由本人或家属持身份证、户口簿向村委会申请，乡镇审核、公示后发放。",
        (("amount", "月津贴金额（元）"),), frequency="monthly",
        standards=(Standard("80", "80至89周岁高龄津贴", "元/人·月"), Standard("90", "90至99周岁高龄津贴", "元/人·月"),
                   Standard("100", "100周岁以上高龄津贴", "元/人·月")),
    ),
    RosterKind(
        "zhongliang", "种粮农民补贴", "subsidy", ("种粮", "实际种粮"), "year",
        "实际种粮的农民，包括流转土地种粮的种粮大户、家庭农场和合作社。",
        "按实际种粮面积（亩）乘当年补贴标准（元/亩）计算，一次性发放。",
        "村民小组核实实际种植面积，村委会公示7天无异议后报乡镇审核发放。",
        _PER_MU, frequency="yearly", standards=(Standard("rate", "种粮农民补贴标准", "元/亩"),),
    ),
    RosterKind(
        "shengtai", "生态公益林补偿", "subsidy", ("公益林", "生态林", "生态补偿"), "year",
        "林地划入国家级、省级公益林的集体和个人。",
        "按公益林面积（亩）乘当年补偿标准（元/亩）计算，每年发放一次。",
        "林业站核实面积，村委会公示7天无异议后由乡镇报县林业局发放。",
        _PER_MU, frequency="yearly", standards=(Standard("rate", "生态公益林补偿标准", "元/亩"),),
    ),
    RosterKind(
        "zhengdi", "征地补偿", "other", ("征地", "土地征收", "征收补偿"), "once",
        "集体土地被依法征收的村集体经济组织和被征地农户。",
        "土地补偿费和安置补助费按区片综合地价和征收面积计算，青苗和地上附着物按实补偿；分配方案须经村民会议讨论决定。",
        "征收前发布征地公告、听取意见；补偿登记后按批准的分配方案公示7天，无异议后发放。",
        (("quantity", "征收面积（亩）"), ("rate", "补偿标准（元/亩）"), ("paid_on", "发放日期"), ("amount", "补偿金额（元）")),
        frequency="at_once", min_notice_days=10,
        standards=(Standard("rate", "征地区片综合地价", "元/亩"),),
    ),
    RosterKind(
        "zhaijidi", "宅基地审批", "other", ("宅基地",), "once",
        "本村集体经济组织成员中符合“一户一宅”条件、确需建房的农户。",
        "宅基地面积不得超过本省规定的标准；审批不收费。",
        "农户提出书面申请，村民小组会议讨论、村委会公示7天无异议后报乡镇审批；批准后再公示结果。",
        (("quantity", "申请面积（平方米）"), ("paid_on", "批准日期"), ("amount", "收费金额（元）")),
        frequency="at_once", standards=(Standard("area", "宅基地面积标准", "平方米/户"),),
    ),
    RosterKind(
        "cunganbu", "村干部报酬", "other", ("村干部报酬", "村干部工资", "干部报酬", "误工补贴"), "year",
        "村“两委”成员和村务监督委员会成员。",
        "基本报酬按县里规定的标准发放，绩效报酬按考核结果发放。",
        "由乡镇按考核结果核定，村委会公示后发放。",
        (("amount", "报酬金额（元）"),), frequency="yearly",
        standards=(Standard("base", "村党组织书记基本报酬", "元/年"),),
    ),
    RosterKind(
        "yishiyiyi", "一事一议筹资筹劳", "other", ("一事一议", "筹资筹劳"), "once",
        "经村民会议或村民代表会议议定的兴办村内公益事业项目所涉及的农户。",
        "筹资按人计算，不超过省定上限；筹劳按劳动力计算，可以资代劳。",
        "村民会议议定方案，报乡镇审核后公示筹资筹劳名单和标准，完成后公示收支和结果。",
        (("household_size", "筹资人数"), ("rate", "筹资标准（元/人）"), ("amount", "筹资金额（元）")),
        frequency="at_once", standards=(Standard("cap", "筹资上限", "元/人·年"),),
    ),
    RosterKind(
        "zhaiwu", "债权债务", "other", ("债权债务", "债务", "债权"), "year",
        "与村集体发生借款、欠款、应收应付款项的单位和个人。",
        "按账面余额列示，逐笔说明形成原因和时间。",
        "村会计每年清理核对，村务监督委员会审核后公开。",
        (("paid_on", "形成日期"), ("amount", "余额（元）")),
        frequency="yearly",
    ),
    RosterKind(
        "jiuzai", "减灾救灾", "assistance", ("救灾", "受灾", "灾害救助", "减灾"), "once",
        "遭受自然灾害、基本生活出现困难的受灾群众。",
        "按受灾程度和县里公布的救灾补助标准发放资金或物资。",
        "灾后由村委会摸底登记、民主评议、公示后报乡镇审核发放。",
        (("household_size", "受灾人数"), ("reason", "受灾类别"), ("paid_on", "发放日期"), ("amount", "救助金额（元）")),
        frequency="at_once",
    ),
    RosterKind(
        "gongyigang", "公益岗位", "other", ("公益岗", "公益性岗位", "护林员", "保洁员"), "month",
        "脱贫人口和监测对象中有劳动能力、就业困难的人员。",
        "按岗位补贴标准每月发放。",
        "本人申请，村委会推荐、公示，乡镇审核后上岗。",
        (("paid_on", "发放日期"), ("amount", "月补贴金额（元）")), frequency="monthly",
        standards=(Standard("post", "公益岗位补贴标准", "元/人·月"),),
    ),
    RosterKind(
        "jiance", "防返贫监测对象", "other", ("监测对象", "防返贫", "防止返贫"), "once",
        "家庭年人均纯收入低于监测范围，或因病、因灾、因意外事故等刚性支出骤增存在返贫致贫风险的农户。",
        "纳入监测后落实针对性帮扶措施；风险消除后按程序标注。",
        "农户自主申报或干部排查发现，村民代表评议、村委会公示后报乡镇审核、县级确认。",
        (("household_size", "家庭人口"), ("reason", "风险类别"), ("amount", "帮扶金额（元）")),
        frequency="at_once", standards=(Standard("line", "监测收入范围", "元/人·年"),),
    ),
)


def roster_kind_from_title(title: str) -> str | None:
    """The kind whose own words appear in a sheet's title; the longest word wins."""
    best: tuple[int, str] | None = None
    for kind in ROSTER_KINDS.values():
        for word in kind.title_words:
            if word and word in (title or "") and (best is None or len(word) > best[0]):
                best = (len(word), kind.code)
    return best[1] if best else None


#: Public reason categories for 临时救助: the private reason never leaves the office.
RELIEF_REASONS = ("因病", "因灾", "因意外事故", "因学", "其他")

SUPERVISION_HOTLINE = "12317"
#: The one name of 12317 on every screen, PDF and card.
SUPERVISION_HOTLINE_NAME = "全国扶贫监督举报电话"


# The live catalogue ----------------------------------------------------------------

@dataclass(frozen=True)
class Catalogue:
    categories: dict[str, Category] = field(default_factory=dict)
    kinds: dict[str, RosterKind] = field(default_factory=dict)


SEED = Catalogue({c.code: c for c in SEED_CATEGORIES}, {k.code: k for k in SEED_KINDS})


#: (database URL, part) -> (revision token, the part as read): the catalogue kept per process.
_kept: dict[tuple[str, str], tuple[str, dict]] = {}


def part(name: str) -> dict:
    """One part of the catalogue in the database ("categories" or "kinds"),
    the same for the whole app context; read from the database only when the
    catalogue's revision token differs from the one this process keeps. The
    token is checked once per app context: it rides along with the village or
    notice query of a public page (:func:`seen_token`), else one small query.
    The seed's outside an app context (pure parsers in unit tests)."""
    from flask import current_app, g, has_app_context

    if not has_app_context():
        return getattr(SEED, name)
    key = f"_catalogue_{name}"
    found = g.get(key)
    if found is None:
        from .models.catalogue import load, load_token

        token = g.get("_catalogue_token") or load_token()
        g._catalogue_token = token
        slot = (current_app.config["SQLALCHEMY_DATABASE_URI"], name)
        kept = _kept.get(slot)
        if kept is not None and token is not None and kept[0] == token:
            found = kept[1]
        else:
            found = load(name)
            if token is not None:
                _kept[slot] = (token, found)
        setattr(g, key, found)
    return found


def seen_token(token: str | None) -> None:
    """The revision token read by a query this request runs anyway
    (models.catalogue.token_column()): the catalogue needs no query of its own."""
    from flask import g

    if token is not None and "_catalogue_token" not in g:
        g._catalogue_token = token


def current() -> Catalogue:
    """The whole catalogue (both parts)."""
    return Catalogue(part("categories"), part("kinds"))


def forget() -> None:
    """Read the database again next time (after an edit)."""
    from flask import g, has_app_context

    if has_app_context():
        for name in ("categories", "kinds", "token"):
            g.pop(f"_catalogue_{name}", None)


T = TypeVar("T")


class _Live(Mapping[str, T], Generic[T]):
    """A read-only mapping over one part of the current catalogue, so the
    module-level names keep working for every caller."""

    def __init__(self, part: str) -> None:
        self._part = part

    def _data(self) -> dict[str, T]:
        return part(self._part)

    def __getitem__(self, key: str) -> T:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __contains__(self, key: object) -> bool:
        return key in self._data()

    def __repr__(self) -> str:
        return f"<live catalogue {self._part}: {list(self._data())}>"


CATEGORIES: Mapping[str, Category] = _Live("categories")
ROSTER_KINDS: Mapping[str, RosterKind] = _Live("kinds")


def as_json() -> dict[str, Any]:
    """Every category and kind with its settings (``flask catalogue list --json``)."""
    from dataclasses import asdict

    cat = current()
    return {"categories": [asdict(c) | {"importable": c.importable} for c in cat.categories.values()],
            "kinds": [asdict(k) for k in cat.kinds.values()]}
