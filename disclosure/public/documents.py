"""What a printed paper shows, as plain values built from the public view
objects: a notice's document (banner, figures, sentence, charts, project
fields, tables, QR link, closing block), the 明白卡 (explanation card) and
the QR sticker sheet. ``disclosure.printing`` lays these out and renders them;
it builds nothing a villager reads.

No request is read here: the caller passes the base URL printed into QR codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import charts, periods
from ..catalogue import ROSTER_KINDS, SUPERVISION_HOTLINE, SUPERVISION_HOTLINE_NAME
from ..clock import china_time, china_today
from ..models import PUBLIC_STATUSES, Notice, Status, Village
from ..money import format_yuan, format_yuan_short
from ..qr import qr_data_uri
from ..services.notices import successor
from . import figures as _figures
from . import tables as _tables
from . import views
from .attachments import ReviewAttachment, attachment_views, review_attachments
from .decisions import decision_fields, decision_view


@dataclass(frozen=True)
class Banner:
    kind: str  # draft | superseded | withdrawn | correction
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True)
class NoticeDocument:
    """Everything a printed notice says, in the order it says it."""
    notice: views.PublicNotice
    is_draft: bool
    watermark: str
    banner: Banner | None
    paragraphs: tuple[str, ...]
    figures: tuple[Figure, ...]
    sentence: str
    charts: tuple[str, ...]  # SVG markup from disclosure.charts
    project: views.PublicProject | None
    project_fields: tuple[Figure, ...]
    tables: tuple[_tables.Table, ...]  # cells as text (tables.as_text)
    verify_url: str
    qr_uri: str
    notice_period: str
    channels: tuple[Figure, ...]
    issuer: str
    issued_on: dt.date
    extra: dict = field(default_factory=dict)
    #: 附件 the public may see, as listed on paper (PublicAttachment.label).
    attachments: tuple[str, ...] = ()
    #: The review print (a notice not yet public) only: every attachment, public or not, with
    #: its file name, size and digest, so the supervisor can check the paper against the files.
    review_attachments: tuple[ReviewAttachment, ...] = ()
    #: A decision notice's matter, meetings and votes (四议两公开, 一事一议), in printed order.
    decision_fields: tuple[Figure, ...] = ()


def verify_url(base_url: str, code: str) -> str:
    """The public verify page a printed QR code carries: ``{base}/v/<code>``."""
    return base_url.rstrip("/") + "/v/" + code


def project_fields(p: views.PublicProject) -> tuple[Figure, ...]:
    """Every field DESIGN.md requires of a relief-project notice, in its order."""
    goal = p.performance_goal
    if p.households_benefiting or p.persons_benefiting:
        goal = f"{goal}（受益{p.households_benefiting}户、{p.persons_benefiting}人）" if goal else \
            f"受益{p.households_benefiting}户、{p.persons_benefiting}人"
    return (
        Figure("项目名称", p.name),
        Figure("项目阶段", p.stage_label),
        Figure("实施地点", p.location),
        Figure("建设内容", p.content),
        Figure("补助标准", p.subsidy_standard or "—"),
        Figure("资金来源及规模", "；".join(f"{f.source}{format_yuan(f.allocated_fen)}元" for f in p.funds)
               + f"；合计{format_yuan(p.allocated_fen)}元"),
        Figure("实施期限", f"{periods.format_date(p.starts_on)}至{periods.format_date(p.ends_on)}"),
        Figure("实施单位及责任人", f"{p.implementer}　责任人：{p.responsible}"),
        Figure("绩效目标", goal or "—"),
        Figure("带贫减贫/利益联结机制", p.benefit_mechanism or "—"),
        Figure("招标与采购情况", p.procurement or "—"),
        Figure("实施结果", p.result or "项目尚未完成，完成后另行公告"),
    )


def finance_parts(notice: Notice) -> tuple[tuple[Figure, ...], str, tuple[str, ...]]:
    """Figures, sentence and charts of a finance notice: the figures of its own
    lines (so the printed totals are the sums of the table)."""
    figures = _figures.notice_figures(notice)
    shown = (
        Figure("期初余额", f"{format_yuan(figures.opening_fen)}元"),
        Figure("本期收入", f"{format_yuan(figures.income_fen)}元"),
        Figure("本期支出", f"{format_yuan(figures.expense_fen)}元"),
        Figure("期末余额", f"{format_yuan(figures.closing_fen)}元"),
    )
    svgs = (charts.bar_chart_svg([(m.label, m.income_fen, m.expense_fen) for m in figures.months],
                                 title="每月收入和支出"),
            charts.breakdown_svg(figures.subject_rows("expense"), title="支出按科目"))
    return shown, figures.sentence, svgs


def _banner(notice: Notice) -> Banner | None:
    if notice.status not in PUBLIC_STATUSES:
        label = "草稿" if notice.status == Status.DRAFT else f"草稿（{notice.status.label}）"
        return Banner("draft", f"{label}：未经发布，不得张贴",
                      ("本页仅供起草人和村务监督委员会审核使用，不具有公示效力。",))
    if notice.status == Status.SUPERSEDED:
        nxt = successor(notice)
        lines = []
        if nxt is not None:
            when = periods.format_date(china_time(nxt.published_at).date()) if nxt.published_at else ""
            lines.append(f"本版本（第{notice.version}版）已于{when}被第{nxt.version}版更正，请以更正后的版本为准。")
            lines.append(f"更正原因：{nxt.correction_reason}")
        return Banner("superseded", "本版本已被更正", tuple(lines))
    if notice.status == Status.WITHDRAWN:
        when = periods.format_date(china_time(notice.withdrawn_at).date()) if notice.withdrawn_at else ""
        return Banner("withdrawn", "本公示已撤回",
                      (f"本公示已于{when}撤回，不再有效。", f"撤回原因：{notice.withdrawal_reason}"))
    if notice.supersedes_id is not None:
        return Banner("correction", f"更正公示（第{notice.version}版）",
                      (f"本版本更正了此前公布的第{notice.version - 1}版。", f"更正原因：{notice.correction_reason}"))
    return None


_WATERMARKS = {"draft": "草稿", "superseded": "已更正", "withdrawn": "已撤回"}


def notice_document(notice: Notice, *, base_url: str, today: dt.date | None = None,
                    allow_draft: bool = False) -> NoticeDocument:
    """What a notice prints. Public notices only, unless ``allow_draft`` (the
    staff's review print, watermarked 草稿)."""
    is_public = notice.status in PUBLIC_STATUSES
    if not is_public and not allow_draft:
        raise LookupError("notice is not public")
    today = today or china_today()
    view = views.notice_view(notice, today) if is_public else views.review_view(notice)
    banner = _banner(notice)

    figures: tuple[Figure, ...] = ()
    sentence = ""
    svgs: tuple[str, ...] = ()
    if notice.ledger_lines and notice.category == "finance":
        figures, sentence, svgs = finance_parts(notice)
    project = views.project_view(notice)
    decision = decision_view(notice)
    tables = tuple(_tables.as_text(t, notice.period_start, notice.period_end) for t in _tables.notice_tables(notice))

    url = verify_url(base_url, view.verify_code) if view.verify_code else ""
    phones = view.phones
    channels = [Figure(f"{view.village_name}村务监督委员会", phones.supervision or "—"),
                Figure(f"{view.township_name}人民政府", phones.township or "—")]
    if phones.hotline or notice.category == "project":
        channels.append(Figure(SUPERVISION_HOTLINE_NAME, phones.hotline or SUPERVISION_HOTLINE))
    if view.notice_start and view.notice_end:
        notice_period = f"公示期：{periods.format_date(view.notice_start)}至{periods.format_date(view.notice_end)}"
    else:
        notice_period = "公示期：发布后确定"
    issued = china_time(view.published_at).date() if view.published_at else (view.notice_start or today)
    return NoticeDocument(
        notice=view, is_draft=not is_public,
        watermark=_WATERMARKS.get(banner.kind, "") if banner else "", banner=banner,
        paragraphs=tuple(p.strip() for p in view.body.splitlines() if p.strip()), figures=figures,
        sentence=sentence, charts=svgs, project=project,
        project_fields=project_fields(project) if project else (), tables=tables, verify_url=url,
        qr_uri=qr_data_uri(url) if url else "", notice_period=notice_period, channels=tuple(channels),
        issuer=f"{view.village_name}村民委员会", issued_on=issued,
        attachments=tuple(a.label for a in attachment_views(notice)),
        review_attachments=() if is_public else tuple(review_attachments(notice)),
        decision_fields=tuple(Figure(*f) for f in decision_fields(decision)) if decision else (),
    )


# 明白卡 (explanation card) ----------------------------------------------------------

@dataclass(frozen=True)
class Card:
    kind: str
    kind_name: str
    village_code: str
    village_name: str
    township_name: str
    who: str
    how_much: str
    how_to_apply: str
    channels: tuple[Figure, ...]
    page_url: str
    qr_uri: str
    #: The township's and village's own amounts, where known (see local_amounts).
    amounts: tuple[str, ...] = ()



def local_amounts(village: Village, kind: str) -> tuple[str, ...]:
    """What this place actually pays for a kind, as sentences: the township's
    standards for the kind (低保标准 元/人·月, 元/亩 …, its settings) and the
    元/亩 rate of the village's latest published roster of that kind. Empty when unknown."""
    from ..services import rules

    spec = ROSTER_KINDS[kind]
    found = list(rules.standard_sentences(village.township, kind))
    latest = next((n for n in views.published_notices(village, spec.category, current_only=True)
                   if n.roster_kind == kind), None)
    rates = sorted({line.rate_fen for line in latest.roster_lines if line.rate_fen}) if latest else []
    if rates:
        rate = format_yuan_short(rates[0]) + (f"至{format_yuan_short(rates[-1])}" if len(rates) > 1 else "")
        found.append(f"{latest.period_label}本村发放标准：{rate}{spec.rate_unit}。")
    return tuple(found)


def card(village: Village, kind: str, *, page_url: str) -> Card:
    """The 明白卡 of one subsidy/assistance kind for one village: who
    qualifies, how much, how to apply, whom to call. KeyError for an unknown kind."""
    spec = ROSTER_KINDS[kind]
    channels = (Figure(f"{village.name}村务监督委员会", village.supervision_phone or "—"),
                Figure(f"{village.township.name}人民政府", village.township.phone or "—"),
                Figure(SUPERVISION_HOTLINE_NAME, SUPERVISION_HOTLINE))
    return Card(kind=kind, kind_name=spec.name, village_code=village.code, village_name=village.name,
                township_name=village.township.name, who=spec.who, how_much=spec.how_much,
                how_to_apply=spec.how_to_apply, channels=channels, page_url=page_url,
                qr_uri=qr_data_uri(page_url) if page_url else "", amounts=local_amounts(village, kind))


# QR sticker sheet -------------------------------------------------------------------

@dataclass(frozen=True)
class Sticker:
    heading: str
    hint: str
    url: str
    qr_uri: str


def stickers(village: Village, *, kiosk_url: str, phone_url: str, copies: int = 4) -> list[Sticker]:
    """An A4 sheet for one village: ``copies`` stickers for each of the kiosk
    page and the phone page, each with the village name."""
    name = f"{village.township.name}{village.name}"
    one = [Sticker(f"{name} 村务公开", "手机扫码查看本村公示（手机版）", phone_url, qr_data_uri(phone_url)),
           Sticker(f"{name} 村务公开", "扫码打开本村公开栏（触摸屏版）", kiosk_url, qr_data_uri(kiosk_url))]
    return [s for s in one for _ in range(copies)]


__all__ = ["Banner", "Card", "Figure", "NoticeDocument", "Sticker", "card", "finance_parts", "local_amounts",
           "notice_document", "project_fields", "stickers", "verify_url"]
