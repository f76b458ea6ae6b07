"""The disclosure catalogue (公开目录): categories, their frequency and minimum
notice period, ledger subjects and roster kinds. Defaults from DESIGN.md; a
township may override frequency, notice days and full-name rules in its
settings (see :func:`category_rule`)."""

from __future__ import annotations

from dataclasses import dataclass


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


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("finance", "财务收支", "财务公开", "quarterly", 7, "finance", ("ledger",)),
        Category("subsidy", "惠农补贴", "惠农补贴", "per_batch", 7, "subsidy", ("roster",)),
        Category("assistance", "社会救助", "社会救助", "per_batch", 7, "assistance", ("roster",)),
        Category("project", "扶贫项目资金", "扶贫项目", "per_stage", 10, "project", ("funds", "roster")),
        Category("assets", "集体资产资源", "集体资产", "quarterly", 7, "assets", ("assets",)),
        Category("major", "重大事项", "重大事项", "at_once", 7, "major"),
        Category("other", "其他公开事项", "其他公开", "at_once", 7, "other", ("roster",)),
    )
}

#: How many days may pass after a period before its disclosure is late.
FREQUENCY_DAYS = {"monthly": 31 + 15, "quarterly": 92 + 20, "per_batch": 183, "per_stage": 183, "at_once": 366}
FREQUENCY_NAMES = {
    "monthly": "每月",
    "quarterly": "每季度",
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
class RosterKind:
    code: str
    name: str
    category: str  # subsidy | assistance | other
    title_words: tuple[str, ...]  # words in a sheet title that name this kind
    period: str  # month | year | once: how the roster's period reads
    # 明白卡 (explanation card) text
    who: str
    how_much: str
    how_to_apply: str


ROSTER_KINDS: dict[str, RosterKind] = {
    k.code: k
    for k in (
        RosterKind(
            "gengdi", "耕地地力保护补贴", "subsidy", ("耕地地力", "地力保护"), "year",
            "拥有耕地承包权并实际种植的农户（撂荒地、非农用地不享受）。",
            "按确权承包耕地面积（亩）乘当年补贴标准（元/亩）计算，每年发放一次，直接打入“一卡通”。",
            "无需申请。村民小组核实面积，村委会公示7天无异议后由乡镇报县农业农村局发放。",
        ),
        RosterKind(
            "nongji", "农机购置补贴", "subsidy", ("农机",), "once",
            "购买列入补贴目录农机具的农户和农业生产经营组织。",
            "按补贴目录中每种机具的定额补贴，不超过售价的30%。",
            "购机后持发票、身份证到乡镇农业服务中心申请，核验公示后发放。",
        ),
        RosterKind(
            "dibao", "城乡低保", "assistance", ("低保", "最低生活保障"), "month",
            "家庭人均收入低于当地低保标准、且家庭财产符合规定的困难家庭。",
            "按家庭人均收入与低保标准的差额分档发放，每月打入“一卡通”。",
            "户主向村委会或乡镇提出书面申请，经入户调查、民主评议、公示和县民政局审批后发放。",
        ),
        RosterKind(
            "tekun", "特困人员救助供养", "assistance", ("特困",), "month",
            "无劳动能力、无生活来源、无法定赡养抚养扶养义务人（或其无履行能力）的老年人、残疾人和未成年人。",
            "按当地特困供养标准每月发放基本生活费，另有照料护理补贴。",
            "本人或村委会代为向乡镇申请，经调查、公示和县民政局审批后发放。",
        ),
        RosterKind(
            "linshi", "临时救助", "assistance", ("临时救助",), "once",
            "因火灾、交通事故、突发重病等导致基本生活暂时出现严重困难的家庭或个人。",
            "按困难程度一次性发放，具体标准见乡镇公布的临时救助标准。",
            "向村委会或乡镇提出申请，情况紧急的可先行救助、事后补办手续。",
        ),
        RosterKind(
            "weifang", "农村危房改造补助", "other", ("危房",), "once",
            "住房鉴定为C级、D级危房的低保户、分散供养特困人员、低收入户等重点对象。",
            "按改造方式（拆除重建或修缮加固）定额补助。",
            "农户提出申请，村民评议公示、乡镇审核、县住建局审批后实施，竣工验收后拨付。",
        ),
    )
}


def roster_kind_from_title(title: str) -> str | None:
    for kind in ROSTER_KINDS.values():
        if any(word in (title or "") for word in kind.title_words):
            return kind.code
    return None


#: Public reason categories for 临时救助: the private reason never leaves the office.
RELIEF_REASONS = ("因病", "因灾", "因意外事故", "因学", "其他")

SUPERVISION_HOTLINE = "12317"
#: The one name of 12317 on every screen, PDF and card.
SUPERVISION_HOTLINE_NAME = "全国扶贫监督举报电话"
