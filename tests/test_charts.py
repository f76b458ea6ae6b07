"""disclosure.charts: self-contained SVG, no style attributes, escaped labels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from disclosure.charts import bar_chart_svg, breakdown_svg, nice_ceiling, progress_svg, wan_short

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize("fen, expected", [
    (0, "0"), (86000, "860元"), (1_000_000, "1万"), (1_504_117, "1.5万"), (12_345_678, "12.3万"), (995_000, "9950元"),
])
def test_wan_short(fen, expected):
    assert wan_short(fen) == expected


@pytest.mark.parametrize("fen, top, step", [
    (0, 400_000, 100_000), (1, 4, 1), (1_300_000, 2_000_000, 500_000), (13_380_000, 20_000_000, 5_000_000),
    (4_000_000, 4_000_000, 1_000_000), (4_000_001, 8_000_000, 2_000_000),
])
def test_nice_ceiling_covers_the_largest_value(fen, top, step):
    assert nice_ceiling(fen) == (top, step)
    assert top >= fen


def test_bar_chart_is_valid_self_contained_svg():
    months = [("7月", 1_338_000, 876_000), ("8月", 1_141_000, 873_000), ("9月", 425_000, 650_000)]
    svg = bar_chart_svg(months, width=800, height=380)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert "style" not in svg and "<script" not in svg and "href" not in svg
    assert 'font-family="&quot;Noto Sans CJK SC&quot;,&quot;WenQuanYi Micro Hei&quot;,sans-serif"' in svg
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert ["7月", "8月", "9月"] == [t for t in texts if t and t.endswith("月")]
    assert "收入" in texts and "支出" in texts
    # the title reads the numbers aloud for screen readers
    assert root.find(f"{SVG}title").text.startswith("每月收入和支出：7月收入1.3万")


def test_bar_heights_are_proportional_to_amounts():
    svg = bar_chart_svg([("1月", 2_000_000, 1_000_000)], width=800, height=400)
    bars = [r for r in parse(svg).iter(f"{SVG}rect") if r.get("fill") in ("#1d4f91", "#b8420f")
            and float(r.get("width")) < 100]
    heights = {r.get("fill"): float(r.get("height")) for r in bars}
    assert heights["#1d4f91"] == pytest.approx(2 * heights["#b8420f"], rel=0.01)


def test_labels_are_escaped():
    svg = bar_chart_svg([("<script>alert(1)</script>", 100, 100)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)
    svg = breakdown_svg([('管理"费用"&<b>', 100)])
    assert "<b>" not in svg
    assert parse(svg).iter(f"{SVG}text")


def test_breakdown_shares_add_up_and_every_row_is_drawn():
    rows = [("管理费用", 5_000_000), ("经营支出", 3_000_000), ("其他支出", 2_000_000)]
    for width in (800, 420):
        svg = breakdown_svg(rows, width=width)
        assert "style" not in svg
        shares = [int(s) for s in re.findall(r"（(\d+)%）", svg)]
        assert shares == [50, 30, 20]
        names = [t.text for t in parse(svg).iter(f"{SVG}text")]
        assert {"管理费用", "经营支出", "其他支出"} <= set(names)


def test_empty_charts_say_so():
    assert "暂无数据" in bar_chart_svg([])
    assert "暂无数据" in breakdown_svg([])
    parse(bar_chart_svg([]))


def test_progress_bar_width_without_style():
    svg = progress_svg(25, 100, width=600)
    assert "style" not in svg
    widths = [float(r.get("width")) for r in parse(svg).iter(f"{SVG}rect")]
    assert widths == [600, 150]
    assert [float(r.get("width")) for r in parse(progress_svg(5, 0)).iter(f"{SVG}rect")][1] == 0
