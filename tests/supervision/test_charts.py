"""The dashboard's server-side SVG charts: well-formed, accessible, escaped, and drawn to
scale (the 20% line where 20% is). No database: the charts take plain figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from django.utils.safestring import SafeString

from supervision import charts
from supervision.charts import bar_chart, share_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & Sons'
RISK_MIX = [("Very high", 2), ("High", 5), ("Medium", 12), ("Low", 9), ("Not assessed", 1)]


def parse(svg: str) -> ET.Element:
    # Our own output, parsed to prove it is well-formed XML: no untrusted document here.
    return ET.fromstring(svg)  # noqa: S314


def by_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}{tag}") if css_class in (el.get("class") or "").split()]


def text_of(el: ET.Element) -> str:
    """The visible text of an element, without any tooltip <title> inside it."""
    parts = [el.text or ""]
    for child in el:
        if child.tag != f"{SVG}title":
            parts.append(text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def all_texts(root: ET.Element) -> list[str]:
    return [text_of(el) for el in root.iter(f"{SVG}text")]


def group(root: ET.Element, css_class: str) -> ET.Element:
    found = root.find(f".//{SVG}g[@class='{css_class}']")
    assert found is not None
    return found


def desc_of(root: ET.Element) -> str:
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    return desc.text or ""


def every_chart(label: str = "Officer A") -> list[str]:
    """One chart of each kind, with figures and empty."""
    return [
        share_chart(rows=[(label, 3, 12), ("Officer B", 1, 10)], title="High-risk share", chart_id="share"),
        bar_chart(bars=[(label, 4), *RISK_MIX], title="Risk mix", chart_id="risk-mix"),
        trend_chart(points=[(label, 80.0, 4), ("Feb 2026", None, 0)], title="Plan quality", chart_id="quality"),
        share_chart(rows=[], title="High-risk share", chart_id="share-empty"),
        bar_chart(bars=[], title="MAPPA levels", chart_id="mappa-empty"),
        trend_chart(points=[], title="Plan quality", chart_id="quality-empty"),
    ]


KINDS = ["share", "bar", "trend", "share0", "bar0", "trend0"]


@pytest.mark.parametrize("kind", range(len(KINDS)), ids=KINDS)
def test_every_chart_is_an_svg_image_labelled_by_its_own_title_and_desc(kind: int) -> None:
    svg = every_chart()[kind]
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("focusable") == "false"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 \d+ \d+(\.\d+)?", root.get("viewBox") or "")

    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert (title.text or "").strip()
    assert desc is not None
    assert (desc.text or "").strip()
    assert (root.get("aria-labelledby") or "").split() == [title.get("id"), desc.get("id")]
    # ids are unique on the page because they start with the chart's own id
    for el in root.iter():
        if el.get("id"):
            assert el.get("id", "").startswith(root.get("id", "?"))


@pytest.mark.parametrize("kind", range(len(KINDS)), ids=KINDS)
def test_no_chart_uses_a_style_attribute_or_script_that_the_csp_would_block(kind: int) -> None:
    root = parse(every_chart()[kind])
    assert all("style" not in el.attrib for el in root.iter())
    assert not list(root.iter(f"{SVG}style"))
    assert not list(root.iter(f"{SVG}script"))


def test_text_is_at_least_12px_when_the_chart_is_768px_wide() -> None:
    for svg in every_chart():
        root = parse(svg)
        view_width = float((root.get("viewBox") or "").split()[2])
        sizes = [float(el.get("font-size") or 0) for el in root.iter() if el.get("font-size")]
        assert sizes
        assert min(sizes) * 768 / view_width >= 12


def contrast_with_white(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_bars_lines_and_text_have_at_least_3_to_1_contrast_with_white() -> None:
    for colour in (charts.COLOUR_BAR, charts.COLOUR_OVER, charts.COLOUR_LINE, charts.COLOUR_TEXT):
        assert contrast_with_white(colour) >= 3
    # text is held to the 4.5:1 of WCAG 1.4.3
    assert contrast_with_white(charts.COLOUR_SECONDARY_TEXT) >= 4.5


def test_the_20_percent_line_sits_at_20_percent_of_a_0_to_40_percent_axis() -> None:
    svg = share_chart(rows=[("Officer A", 3, 12), ("Officer B", 1, 10)], title="Share", chart_id="share")
    root = parse(svg)
    # Shares of 25% and 10% fit an axis of twice the limit: 0..40%, 340 units from x=176.
    assert charts.SHARE_PLOT_X == 176
    assert charts.SHARE_PLOT_WIDTH == 340
    (limit,) = by_class(root, "line", "app-chart__limit")
    assert float(limit.get("x1") or 0) == float(limit.get("x2") or 0) == 176 + 340 * 20 / 40 == 346
    assert limit.get("stroke-dasharray")
    (label,) = by_class(root, "text", "app-chart__limit-label")
    assert text_of(label) == "20% limit"
    assert float(label.get("x") or 0) == 346

    over_bar, within_bar = by_class(root, "rect", "app-chart__bar")
    assert float(over_bar.get("x") or 0) == 176
    assert float(over_bar.get("width") or 0) == pytest.approx(340 * 25 / 40)
    assert float(within_bar.get("width") or 0) == pytest.approx(340 * 10 / 40)
    ticks = [text_of(t) for t in root.iter(f"{SVG}text") if text_of(t).endswith("%") and " " not in text_of(t)]
    assert ticks == ["0%", "10%", "20%", "30%", "40%"]


def test_the_axis_widens_for_a_share_beyond_twice_the_limit_and_the_line_moves_with_it() -> None:
    root = parse(share_chart(rows=[("Officer A", 11, 20)], title="Share", chart_id="share"))  # 55%
    (limit,) = by_class(root, "line", "app-chart__limit")
    assert float(limit.get("x1") or 0) == pytest.approx(176 + 340 * 20 / 60, abs=0.01)
    (bar,) = by_class(root, "rect", "app-chart__bar")
    assert float(bar.get("width") or 0) == pytest.approx(340 * 55 / 60, abs=0.01)


def test_a_limit_other_than_20_percent_is_drawn_and_labelled_where_it_is() -> None:
    root = parse(share_chart(rows=[("Officer A", 1, 10)], limit_percent=25, title="Share", chart_id="share"))
    (limit,) = by_class(root, "line", "app-chart__limit")
    assert float(limit.get("x1") or 0) == 176 + 340 * 25 / 50
    assert "25% limit" in all_texts(root)


def test_an_officer_over_the_limit_is_marked_by_pattern_outline_and_words_not_colour_alone() -> None:
    rows = [("Over", 3, 12), ("At the limit", 1, 5), ("Under", 1, 10)]
    root = parse(share_chart(rows=rows, title="Share", chart_id="team-a"))
    over, at_limit, under = by_class(root, "rect", "app-chart__bar")

    assert "app-chart__bar--over" in (over.get("class") or "")
    assert over.get("fill") == "url(#team-a-over)"
    assert root.find(f".//{SVG}pattern[@id='team-a-over']") is not None
    assert over.get("stroke")
    assert over.get("stroke-width")
    for bar in (at_limit, under):
        assert "app-chart__bar--over" not in (bar.get("class") or "")
        assert bar.get("fill") == charts.COLOUR_BAR
        assert bar.get("stroke") is None

    values = [text_of(t) for t in by_class(root, "text", "app-chart__value")]
    assert values == ["3 of 12 (25%) over limit", "1 of 5 (20%)", "1 of 10 (10%)"]
    assert len(by_class(root, "tspan", "app-chart__marker")) == 1

    desc = desc_of(root)
    assert "1 officer over the limit" in desc
    assert "Over 25% (3 of 12 cases high risk), over the limit" in desc
    assert "At the limit 20% (1 of 5 cases high risk), within the limit" in desc


def test_a_share_just_over_the_limit_is_not_rounded_down_to_look_within_it() -> None:
    root = parse(share_chart(rows=[("Officer A", 201, 1000)], title="Share", chart_id="share"))
    (value,) = by_class(root, "text", "app-chart__value")
    assert text_of(value) == "201 of 1000 (20.1%) over limit"


def test_an_officer_with_no_cases_gets_an_empty_bar_not_an_error() -> None:
    root = parse(share_chart(rows=[("New officer", 0, 0), ("Officer B", 1, 10)], title="Share", chart_id="share"))
    empty, _other = by_class(root, "rect", "app-chart__bar")
    assert float(empty.get("width") or 0) == 0
    assert "app-chart__bar--over" not in (empty.get("class") or "")
    assert text_of(by_class(root, "text", "app-chart__value")[0]) == "0 of 0 (0%)"
    assert "New officer no cases" in desc_of(root)


def test_a_long_officer_name_is_shortened_on_the_chart_but_whole_in_the_desc_and_tooltip() -> None:
    name = "Detective Constable Alexandra Montgomery-Fotheringham"
    root = parse(share_chart(rows=[(name, 1, 10)], title="Share", chart_id="share"))
    label = next(t for t in root.iter(f"{SVG}text") if text_of(t).startswith("Detective"))
    assert text_of(label).endswith("…")
    assert len(text_of(label)) <= charts.SHARE_LABEL_CHARS
    tooltip = label.find(f"{SVG}title")
    assert tooltip is not None
    assert tooltip.text == name
    assert name in desc_of(root)


HOSTILE_CHARTS: dict[str, Callable[[], str]] = {
    "share": lambda: share_chart(rows=[(HOSTILE, 1, 4)], title=HOSTILE, chart_id="share"),
    "bar": lambda: bar_chart(bars=[(HOSTILE, 3)], title=HOSTILE, chart_id="bars", unit="cases & more"),
    "trend": lambda: trend_chart(points=[(HOSTILE, 50.0, 2), ("Feb", 60.0, 3)], title=HOSTILE, chart_id="trend"),
    "empty": lambda: trend_chart(points=[], title=HOSTILE, chart_id="trend-empty"),
}


@pytest.mark.parametrize("kind", HOSTILE_CHARTS)
def test_labels_and_titles_with_markup_or_ampersands_are_escaped_text(kind: str) -> None:
    svg = HOSTILE_CHARTS[kind]()
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "& Sons" not in svg  # a bare ampersand would not even be XML
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == HOSTILE
    desc = desc_of(root)
    assert desc == "No data yet." or HOSTILE in desc


def test_an_escaped_label_reads_back_as_the_original_text_on_the_chart() -> None:
    root = parse(bar_chart(bars=[("A & B", 3)], title="Mix", chart_id="mix"))
    (category,) = by_class(root, "text", "app-chart__category")
    assert text_of(category) == "A & B"
    assert "A & B: 3 cases" in desc_of(root)


EMPTY_CHARTS: dict[str, Callable[[], str]] = {
    "share": lambda: share_chart(rows=[], title="High-risk share", chart_id="share"),
    "bar": lambda: bar_chart(bars=[], title="Risk mix", chart_id="risk"),
    "trend": lambda: trend_chart(points=[], title="Plan quality", chart_id="quality"),
}


@pytest.mark.parametrize("kind", EMPTY_CHARTS)
def test_a_chart_with_no_figures_says_no_data_yet(kind: str) -> None:
    root = parse(EMPTY_CHARTS[kind]())
    assert "No data yet" in all_texts(root)
    assert desc_of(root) == "No data yet."
    assert not by_class(root, "rect", "app-chart__bar")
    assert not list(root.iter(f"{SVG}polyline"))


def test_a_trend_of_months_without_any_value_draws_the_axes_and_says_no_data_yet() -> None:
    root = parse(trend_chart(points=[("Jan 2026", None, 0), ("Feb 2026", None, 0)], title="Q", chart_id="q"))
    assert "No data yet" in all_texts(root)
    assert not list(root.iter(f"{SVG}polyline"))
    assert not list(root.iter(f"{SVG}circle"))
    assert desc_of(root).startswith("No data yet.")
    assert "Jan 2026: no data" in desc_of(root)


def test_bar_chart_puts_each_value_above_its_bar_and_its_category_beneath() -> None:
    root = parse(bar_chart(bars=RISK_MIX, title="Risk mix", chart_id="risk"))
    rects = by_class(root, "rect", "app-chart__bar")
    values = by_class(root, "text", "app-chart__value")
    categories = by_class(root, "text", "app-chart__category")
    (axis,) = by_class(root, "line", "app-chart__axis")
    baseline = float(axis.get("y1") or 0)

    assert [text_of(v) for v in values] == ["2", "5", "12", "9", "1"]
    assert [text_of(c) for c in categories] == ["Very high", "High", "Medium", "Low", "Not assessed"]
    heights = [float(r.get("height") or 0) for r in rects]
    assert heights[2] == max(heights)  # Medium, 12, is the tallest
    assert heights[0] / heights[1] == pytest.approx(2 / 5)
    for rect, value, category in zip(rects, values, categories, strict=True):
        top = float(rect.get("y") or 0)
        assert float(rect.get("y") or 0) + float(rect.get("height") or 0) == pytest.approx(baseline)
        assert float(value.get("y") or 0) < top
        assert float(category.get("y") or 0) > baseline
        assert rect.get("fill") == charts.COLOUR_BAR
    assert desc_of(root) == (
        "29 cases in all. Very high: 2 cases; High: 5 cases; Medium: 12 cases; Low: 9 cases; Not assessed: 1 case."
    )


def test_bar_chart_with_all_zero_counts_draws_flat_bars_and_says_so() -> None:
    root = parse(bar_chart(bars=[("Level 1", 0), ("Level 2", 0)], title="MAPPA", chart_id="mappa"))
    assert [float(r.get("height") or 0) for r in by_class(root, "rect", "app-chart__bar")] == [0, 0]
    assert "Level 1: 0 cases; Level 2: 0 cases." in desc_of(root)


def test_a_month_without_data_splits_the_trend_line_into_separate_segments() -> None:
    points: list[tuple[str, float | None, int]] = [
        ("Jan 2026", 50.0, 2),
        ("Feb 2026", 75.0, 4),
        ("Mar 2026", None, 0),
        ("Apr 2026", 80.0, 5),
        ("May 2026", 100.0, 1),
        ("Jun 2026", None, 0),
        ("Jul 2026", 25.0, 3),
    ]
    root = parse(trend_chart(points=points, title="Plan quality", chart_id="quality", count_label="audits"))
    lines = by_class(root, "polyline", "app-chart__line")
    dots = by_class(root, "circle", "app-chart__dot")
    assert len(dots) == 5  # one per month with a value
    # Jan-Feb and Apr-May are joined; Jul stands alone as a dot; nothing crosses a gap.
    segments = [[tuple(map(float, p.split(","))) for p in (line.get("points") or "").split()] for line in lines]
    assert [len(s) for s in segments] == [2, 2]
    dot_positions = [(float(d.get("cx") or 0), float(d.get("cy") or 0)) for d in dots]
    assert segments == [dot_positions[0:2], dot_positions[2:4]]

    assert desc_of(root) == (
        "Jan 2026: 50% from 2 audits; Feb 2026: 75% from 4 audits; Mar 2026: no data; "
        "Apr 2026: 80% from 5 audits; May 2026: 100% from 1 audit; Jun 2026: no data; "
        "Jul 2026: 25% from 3 audits."
    )


def test_trend_values_sit_on_a_0_to_100_scale_with_gridlines_at_each_quarter() -> None:
    root = parse(trend_chart(points=[("Jan 2026", 0.0, 1), ("Feb 2026", 100.0, 1)], title="Q", chart_id="q"))
    ticks = [text_of(t) for t in group(root, "app-chart__ticks")]
    assert ticks == ["0%", "25%", "50%", "75%", "100%"]
    grid_y = [float(line.get("y1") or 0) for line in group(root, "app-chart__grid")]
    low, high = (float(d.get("cy") or 0) for d in by_class(root, "circle", "app-chart__dot"))
    assert low == grid_y[0]
    assert high == grid_y[-1]
    assert [round(y, 2) for y in grid_y] == [round(low + (high - low) * q / 4, 2) for q in range(5)]
    assert [text_of(v) for v in by_class(root, "text", "app-chart__value")] == ["0%", "100%"]


def test_trend_with_another_unit_and_scale_labels_its_axis_in_that_unit() -> None:
    root = parse(trend_chart(points=[("Jan 2026", 6.0, 2)], title="Days", chart_id="d", y_max=12, unit="days"))
    ticks = [text_of(t) for t in group(root, "app-chart__ticks")]
    assert ticks == ["0 days", "3 days", "6 days", "9 days", "12 days"]
    assert desc_of(root) == "Jan 2026: 6 days from 2 items."


def test_a_chart_id_that_could_break_out_of_an_attribute_is_refused() -> None:
    with pytest.raises(ValueError, match="chart_id"):
        share_chart(rows=[], title="Share", chart_id='x" onload="alert(1)')
    with pytest.raises(ValueError, match="chart_id"):
        bar_chart(bars=[], title="Mix", chart_id="1starts-with-a-digit")
