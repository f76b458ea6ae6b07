"""Server-side SVG charts for the kiosk, the phone pages and printed notices.

Pure functions: numbers in (integer fen), SVG text out. The SVG is
self-contained and styled only with presentation attributes (fill=,
font-size=), never a style attribute or a <style> element, so it passes a
strict Content-Security-Policy and prints the same in WeasyPrint. Labels are
escaped; money labels use 万元 like the sentences villagers read.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from html import escape

FONT = '"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif'
INCOME_COLOUR = "#1d4f91"  # dark blue
EXPENSE_COLOUR = "#b8420f"  # dark orange: tells apart from blue for colour-blind eyes too
TEXT_COLOUR = "#111111"
GRID_COLOUR = "#9e9e9e"
_STEPS = (1, 2, 5)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _font() -> str:
    return f'font-family="{_attr(FONT)}"'


def wan_short(fen: int) -> str:
    """Axis and bar labels: 1504117 → "1.5万", 86000 → "860元", 0 → "0"."""
    if fen == 0:
        return "0"
    if abs(fen) >= 1_000_000:
        value = (Decimal(fen) / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        text = f"{value}".removesuffix(".0")
        return f"{text}万"
    return f"{(Decimal(fen) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}元"


def nice_ceiling(fen: int, ticks: int = 4) -> tuple[int, int]:
    """(top of the axis, step between grid lines), both round numbers of fen."""
    if fen <= 0:
        return 100_000 * ticks, 100_000  # an empty chart still gets a 0–4,000元 axis
    raw = -(-fen // ticks)
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (*_STEPS, 10):
        step = factor * magnitude
        if step >= raw:
            return step * ticks, step
    return 10 * magnitude * ticks, 10 * magnitude  # pragma: no cover - loop always returns


def _svg_open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_attr(label)}" class="chart" {_font()}>'
            f'<title>{escape(label)}</title>')


def _empty(width: int, height: int, label: str) -> str:
    return (_svg_open(width, height, label)
            + f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
            + f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" font-size="26" fill="{TEXT_COLOUR}">'
            + "暂无数据</text></svg>")


def bar_chart_svg(months: list[tuple[str, int, int]], *, width: int = 800, height: int = 380,
                  title: str = "每月收入和支出") -> str:
    """Grouped bars: income (blue) and expense (orange) for each month.

    ``months`` is [(label, income_fen, expense_fen)], e.g. [("7月", 1504117, 1144000)].
    Values are printed above the bars when there is room (six months or fewer)."""
    summary = "；".join(f"{label}收入{wan_short(i)}，支出{wan_short(e)}" for label, i, e in months)
    label = f"{title}：{summary}" if months else title
    if not months:
        return _empty(width, height, label)
    font = 26 if width >= 600 else 18
    left, right, top, bottom = (4 * font + 8), 16, 64, font + 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_fen, step = nice_ceiling(max(max(i, e) for _, i, e in months))

    def y_of(fen: int) -> float:
        return top + plot_h - plot_h * fen / top_fen

    parts = [_svg_open(width, height, label), f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    # legend
    parts.append(f'<rect x="{left}" y="14" width="26" height="26" fill="{INCOME_COLOUR}"/>'
                 f'<text x="{left + 34}" y="37" font-size="{font}" fill="{TEXT_COLOUR}">收入</text>'
                 f'<rect x="{left + 34 + 3 * font}" y="14" width="26" height="26" fill="{EXPENSE_COLOUR}"/>'
                 f'<text x="{left + 68 + 3 * font}" y="37" font-size="{font}" fill="{TEXT_COLOUR}">支出</text>')
    # grid and axis labels
    for k in range(0, top_fen // step + 1):
        y = y_of(k * step)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOUR}" '
                     f'stroke-width="{2 if k == 0 else 1}"/>')
        parts.append(f'<text x="{left - 10}" y="{y + 8:.1f}" text-anchor="end" font-size="{font - 2}" '
                     f'fill="{TEXT_COLOUR}">{escape(wan_short(k * step))}</text>')
    slot = plot_w / len(months)
    bar = min(slot * 0.36, 64)
    show_values = len(months) <= 6
    for n, (month_label, income, expense) in enumerate(months):
        centre = left + slot * (n + 0.5)
        for offset, fen, colour in ((-bar - 2, income, INCOME_COLOUR), (2, expense, EXPENSE_COLOUR)):
            x, y = centre + offset, y_of(fen)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{top + plot_h - y:.1f}" '
                         f'fill="{colour}"/>')
            if show_values and fen:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 8:.1f}" text-anchor="middle" '
                             f'font-size="{font - 4}" fill="{TEXT_COLOUR}">{escape(wan_short(fen))}</text>')
        parts.append(f'<text x="{centre:.1f}" y="{height - bottom + font + 8}" text-anchor="middle" font-size="{font}" '
                     f'fill="{TEXT_COLOUR}">{escape(month_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def breakdown_svg(rows: list[tuple[str, int]], *, width: int = 800, colour: str = EXPENSE_COLOUR,
                  title: str = "按类别分") -> str:
    """Horizontal bars, one per (name, fen), largest first as given, each with
    its amount and share of the total: "管理费用 ▇▇▇▇ 5.2万 (43%)"."""
    total = sum(fen for _, fen in rows)
    summary = "；".join(f"{name}{wan_short(fen)}" for name, fen in rows)
    label = f"{title}：{summary}" if rows else title
    narrow = width < 600
    font = 18 if narrow else 26
    row_h, pad = (2 * font + 30 if narrow else font + 38), 12
    height = max(row_h * len(rows) + 2 * pad, 120)
    if not rows or total <= 0:
        return _empty(width, height, label)
    name_w = 0 if narrow else min(max(len(name) for name, _ in rows) * font + 20, width // 3)
    text_w = 8 * font
    bar_space = width - name_w - text_w - 16
    largest = max(fen for _, fen in rows)
    parts = [_svg_open(width, height, label), f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']
    for n, (name, fen) in enumerate(rows):
        y = pad + n * row_h
        bar = max(bar_space * fen / largest, 2) if fen > 0 else 0
        share = (Decimal(100 * fen) / total).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if narrow:  # name on its own line, the bar below it
            parts.append(f'<text x="0" y="{y + font:.1f}" font-size="{font}" fill="{TEXT_COLOUR}">{escape(name)}</text>')
            bar_y, bar_h = y + font + 8, font + 4
        else:
            parts.append(f'<text x="{name_w - 12}" y="{y + row_h / 2 + font / 3:.1f}" text-anchor="end" '
                         f'font-size="{font}" fill="{TEXT_COLOUR}">{escape(name)}</text>')
            bar_y, bar_h = y + 10, row_h - 20
        parts.append(f'<rect x="{name_w}" y="{bar_y}" width="{bar:.1f}" height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{name_w + bar + 10:.1f}" y="{bar_y + bar_h / 2 + font / 3:.1f}" font-size="{font}" '
                     f'fill="{TEXT_COLOUR}">{escape(wan_short(fen))}（{share}%）</text>')
    parts.append("</svg>")
    return "".join(parts)


def progress_svg(done: int, total: int, *, width: int = 600, height: int = 36,
                 label: str = "资金使用进度") -> str:
    """A plain progress bar (spent of allocated); no style attribute needed."""
    share = 0 if total <= 0 else min(done / total, 1)
    percent = 0 if total <= 0 else round(100 * done / total)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="progress" role="img" '
            f'aria-label="{_attr(label)}：{percent}%" preserveAspectRatio="none">'
            f'<rect x="0" y="0" width="{width}" height="{height}" rx="6" fill="#e3e3e3" stroke="#555555" '
            f'stroke-width="2"/><rect x="0" y="0" width="{width * share:.1f}" height="{height}" rx="6" '
            f'fill="#2e7d32"/></svg>')


__all__ = ["EXPENSE_COLOUR", "INCOME_COLOUR", "bar_chart_svg", "breakdown_svg", "nice_ceiling", "progress_svg",
           "wan_short"]
