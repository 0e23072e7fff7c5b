"""Server-side SVG charts for the sergeant's dashboard.

No JavaScript and no chart library: the geometry is worked out here and drawn by Django
templates under ``templates/supervision/charts/``, so every label a user typed (an
officer's name) is auto-escaped by the template engine. The functions return the
``SafeString`` that ``render_to_string`` produces; nothing here calls ``mark_safe``.

Accessibility (WCAG 2.2 AA):

- each chart is ``role="img"`` labelled by its own ``<title>`` and a ``<desc>`` that says
  the figures in words, so a screen reader user gets the data without the picture (the
  dashboard also prints the figures in a table beneath);
- bars, lines and dots use GOV.UK palette colours with at least 3:1 contrast against
  white (1.4.11); an officer over the 20% line is shown by fill, a hatch pattern, an
  outline and the words "over limit", never by colour alone (1.4.1);
- text is 14 user units in a ``viewBox`` 760 wide, which is over 12 px when the chart is
  drawn 768 px wide (a tablet in portrait).

The Content-Security-Policy forbids inline styles, so the SVG uses presentation
attributes (``fill``, ``stroke``) and the ``app-chart`` classes in ``assets/scss/_app.scss``;
never a ``style`` attribute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# Canvas, in SVG user units. Text is FONT_SIZE units: at 768 px wide that is 14.1 px.
WIDTH = 760
FONT_SIZE = 14
# Rough advance of one Arial character at FONT_SIZE, for fitting labels into their space.
CHAR_WIDTH = 7.8

# GOV.UK Frontend palette (govuk-frontend 6). Contrast against white in brackets.
COLOUR_TEXT = "#0b0c0c"  # black (19:1)
COLOUR_SECONDARY_TEXT = "#484949"  # black tint-25 (9:1)
COLOUR_BAR = "#1d70b8"  # blue (5.2:1)
COLOUR_OVER = "#ca3535"  # red (5.2:1)
COLOUR_OVER_HATCH = "#651b1b"  # red shade-50, the hatching over an over-limit bar
COLOUR_LINE = "#1d70b8"  # blue (5.2:1)
COLOUR_GRID = "#cecece"  # black tint-80: gridlines are decoration, the axis labels carry them
COLOUR_HALO = "#ffffff"  # white outline that keeps a figure legible where it crosses a line

NO_DATA = "No data yet"

_CHART_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _check_chart_id(chart_id: str) -> None:
    """Refuse an id that could not name the chart's title, desc and pattern elements."""
    if not _CHART_ID_RE.match(chart_id):
        raise ValueError(f"chart_id must be a letter followed by letters, digits, - or _: {chart_id!r}")


def _n(x: float) -> str:
    """Format a coordinate: at most two decimals, never localised."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _number(value: float) -> str:
    """Format a figure for people: whole numbers plainly, otherwise one decimal."""
    if abs(value - round(value)) < 0.05:
        return str(round(value))
    return f"{value:.1f}"


def _with_unit(value: str, unit: str) -> str:
    """Attach a unit: "25%" for a percentage, "3 cases" otherwise."""
    if unit == "%":
        return f"{value}%"
    return f"{value} {unit}" if unit else value


def _plural(count: int, noun: str) -> str:
    """Say "1 case" and "3 cases" (the noun is given in the plural)."""
    if count == 1 and noun.endswith("s"):
        return f"{count} {noun[:-1]}"
    return f"{count} {noun}"


def _fit(label: str, max_chars: int) -> str:
    """Shorten a label to max_chars with an ellipsis (the full text stays in the desc)."""
    max_chars = max(max_chars, 2)
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


def _wrap(label: str, max_chars: int, max_lines: int = 2) -> list[str]:
    """Break a label into at most max_lines lines of max_chars, at spaces where possible."""
    max_chars = max(max_chars, 2)
    lines: list[str] = []
    current = ""
    words = label.split()
    for index, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[index:])
            break
    if current or not lines:
        lines.append(current)
    return [_fit(line, max_chars) for line in lines[:max_lines]]


def _render(template: str, context: dict[str, Any]) -> SafeString:
    """Render one chart template; the engine escapes every label."""
    return render_to_string(f"supervision/charts/{template}", context)


def _frame(*, kind: str, chart_id: str, title: str, desc: str, height: float) -> dict[str, Any]:
    """The context every chart template shares (see charts/base.svg)."""
    return {
        "kind": kind,
        "chart_id": chart_id,
        "title": title,
        "desc": desc,
        "width": WIDTH,
        "height": _n(height),
        "font_size": FONT_SIZE,
        "colours": {
            "text": COLOUR_TEXT,
            "secondary": COLOUR_SECONDARY_TEXT,
            "bar": COLOUR_BAR,
            "over": COLOUR_OVER,
            "over_hatch": COLOUR_OVER_HATCH,
            "line": COLOUR_LINE,
            "grid": COLOUR_GRID,
            "halo": COLOUR_HALO,
        },
    }


def _empty(*, kind: str, chart_id: str, title: str) -> SafeString:
    """A chart with nothing to draw says so, in the picture and in its desc."""
    context = _frame(kind=kind, chart_id=chart_id, title=title, desc=f"{NO_DATA}.", height=80)
    context.update(empty=True, no_data=NO_DATA, centre_x=_n(WIDTH / 2), centre_y=_n(45))
    return _render("empty.svg", context)


@dataclass(frozen=True)
class _Tick:
    """A gridline with its label; x or y is the position along the value axis."""

    position: str
    label: str


# ---------------------------------------------------------------------------------------
# The 20% line: high-risk share per officer
# ---------------------------------------------------------------------------------------

SHARE_LABEL_RIGHT = 168  # officer names end here (right-aligned)
SHARE_PLOT_X = 176  # 0% is drawn here
SHARE_PLOT_WIDTH = 340  # ...and the axis maximum at SHARE_PLOT_X + SHARE_PLOT_WIDTH
SHARE_TOP = 40  # room for the "20% limit" label above the first bar
SHARE_ROW = 34
SHARE_BAR = 22
SHARE_LABEL_CHARS = 21


@dataclass(frozen=True)
class _ShareBar:
    label: str
    full_label: str
    truncated: bool
    y: str
    width: str
    text_x: str
    text_y: str
    label_y: str
    value: str
    over: bool


def share_axis_max(*, shares: Sequence[float], limit_percent: int) -> int:
    """The right-hand end of the share axis, in percent: room for twice the limit and the
    largest share, rounded up to ten, never past 100."""
    widest = max([2 * limit_percent, *shares])
    return max(10, min(100, math.ceil(widest / 10) * 10))


def share_limit_x(*, axis_max: int, limit_percent: int) -> float:
    """The x of the limit line for an axis ending at axis_max percent."""
    return SHARE_PLOT_X + SHARE_PLOT_WIDTH * limit_percent / axis_max


def _share_percent_text(high: int, total: int, limit_percent: int) -> str:
    """The share as people read it; one decimal where rounding would hide a breach."""
    if total <= 0:
        return "0%"
    share = 100 * high / total
    whole = round(share)
    if whole == limit_percent and share != limit_percent:
        return f"{share:.1f}%"
    return f"{whole}%"


def share_chart(
    *,
    rows: Sequence[tuple[str, int, int]],
    limit_percent: int = 20,
    title: str,
    chart_id: str,
) -> SafeString:
    """Draw one horizontal bar per officer: the share of their caseload that is HIGH or
    VERY_HIGH, against a dashed line at ``limit_percent``.

    ``rows`` are (officer label, high-risk count, caseload total). An officer is over the
    limit when ``100 * high > limit_percent * total`` (for 20%: 5 x high > total, the
    caseload rule in domain.md section 7); the bar is red, hatched, outlined and followed
    by "over limit".
    """
    _check_chart_id(chart_id)
    if not rows:
        return _empty(kind="share", chart_id=chart_id, title=title)
    limit_percent = max(1, min(100, limit_percent))
    shares = [100 * high / total if total > 0 else 0.0 for _label, high, total in rows]
    axis_max = share_axis_max(shares=shares, limit_percent=limit_percent)
    scale = SHARE_PLOT_WIDTH / axis_max
    limit_x = share_limit_x(axis_max=axis_max, limit_percent=limit_percent)

    bars: list[_ShareBar] = []
    spoken: list[str] = []
    for index, ((label, high, total), share) in enumerate(zip(rows, shares, strict=True)):
        over = total > 0 and 100 * high > limit_percent * total
        width = scale * min(max(share, 0.0), axis_max)
        top = SHARE_TOP + index * SHARE_ROW
        percent = _share_percent_text(high, total, limit_percent)
        bars.append(
            _ShareBar(
                label=_fit(label, SHARE_LABEL_CHARS),
                full_label=label,
                truncated=len(label) > SHARE_LABEL_CHARS,
                y=_n(top),
                width=_n(width),
                # The figure starts past the limit line so the dashes never cross it.
                text_x=_n(max(SHARE_PLOT_X + width, limit_x) + 8),
                text_y=_n(top + SHARE_BAR / 2 + 5),
                label_y=_n(top + SHARE_BAR / 2 + 5),
                value=f"{high} of {total} ({percent})",
                over=over,
            )
        )
        if total <= 0:
            spoken.append(f"{label} no cases")
        else:
            verdict = "over the limit" if over else "within the limit"
            spoken.append(f"{label} {percent} ({high} of {total} cases high risk), {verdict}")

    over_count = sum(bar.over for bar in bars)
    axis_y = SHARE_TOP + len(rows) * SHARE_ROW
    step_labels = 1 if axis_max <= 60 else 2
    ticks = [
        _Tick(position=_n(SHARE_PLOT_X + scale * value), label=f"{value}%" if (value // 10) % step_labels == 0 else "")
        for value in range(0, axis_max + 1, 10)
    ]
    desc = (
        f"Share of each caseload that is high or very high risk, against the {limit_percent}% limit. "
        f"{_plural(over_count, 'officers') if over_count else 'No officers'} over the limit. " + "; ".join(spoken) + "."
    )
    context = _frame(kind="share", chart_id=chart_id, title=title, desc=desc, height=axis_y + 34)
    context.update(
        bars=bars,
        ticks=ticks,
        bar_height=SHARE_BAR,
        plot_x=SHARE_PLOT_X,
        plot_right=_n(SHARE_PLOT_X + SHARE_PLOT_WIDTH),
        label_right=SHARE_LABEL_RIGHT,
        grid_top=_n(SHARE_TOP - 6),
        axis_y=_n(axis_y),
        tick_label_y=_n(axis_y + 22),
        limit_x=_n(limit_x),
        limit_top=_n(SHARE_TOP - 14),
        limit_label=f"{limit_percent}% limit",
        limit_label_y=_n(SHARE_TOP - 20),
        pattern_id=f"{chart_id}-over",
    )
    return _render("share.svg", context)


# ---------------------------------------------------------------------------------------
# Vertical bars: risk mix, MAPPA levels
# ---------------------------------------------------------------------------------------

PLOT_LEFT = 64  # room for the value-axis labels
PLOT_RIGHT = WIDTH - 16
PLOT_TOP = 32  # room for the value above the tallest bar
PLOT_HEIGHT = 180
CATEGORY_LINE = 18


@dataclass(frozen=True)
class _Bar:
    x: str
    y: str
    width: str
    height: str
    centre: str
    value: str
    value_y: str
    lines: list[str]
    full_label: str


def nice_axis_max(largest: float) -> tuple[int, int]:
    """A round axis maximum and step for counts: at most five steps of 1, 2 or 5 x 10^n."""
    largest = max(largest, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(largest / step) <= 5:
                return step * math.ceil(largest / step), step
        magnitude *= 10


def bar_chart(
    *,
    bars: Sequence[tuple[str, int]],
    title: str,
    chart_id: str,
    unit: str = "cases",
) -> SafeString:
    """Draw vertical bars with the value above each and its category beneath.

    ``bars`` are (category label, count), drawn in the order given (the risk mix is
    Very high, High, Medium, Low, Not assessed; MAPPA is levels 1 to 3, then none).
    """
    _check_chart_id(chart_id)
    if not bars:
        return _empty(kind="bar", chart_id=chart_id, title=title)
    top_value, step = nice_axis_max(max(value for _label, value in bars))
    plot_width = PLOT_RIGHT - PLOT_LEFT
    slot = plot_width / len(bars)
    bar_width = min(slot * 0.6, 96)
    baseline = PLOT_TOP + PLOT_HEIGHT
    label_chars = int(slot / CHAR_WIDTH)

    drawn: list[_Bar] = []
    for index, (label, value) in enumerate(bars):
        height = PLOT_HEIGHT * min(max(value, 0), top_value) / top_value
        centre = PLOT_LEFT + slot * (index + 0.5)
        drawn.append(
            _Bar(
                x=_n(centre - bar_width / 2),
                y=_n(baseline - height),
                width=_n(bar_width),
                height=_n(height),
                centre=_n(centre),
                value=str(value),
                value_y=_n(baseline - height - 8),
                lines=_wrap(label, label_chars),
                full_label=label,
            )
        )
    ticks = [
        _Tick(position=_n(baseline - PLOT_HEIGHT * value / top_value), label=str(value))
        for value in range(0, top_value + 1, step)
    ]
    total = sum(value for _label, value in bars)
    desc = (
        f"{_plural(total, unit)} in all. "
        + "; ".join(f"{label}: {_plural(value, unit)}" for label, value in bars)
        + "."
    )
    lines = max(len(bar.lines) for bar in drawn)
    context = _frame(
        kind="bar",
        chart_id=chart_id,
        title=title,
        desc=desc,
        height=baseline + 12 + CATEGORY_LINE * lines + 8,
    )
    context.update(
        bars=drawn,
        ticks=ticks,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        tick_label_x=PLOT_LEFT - 8,
        baseline=_n(baseline),
        category_y=_n(baseline + 22),
        category_line=CATEGORY_LINE,
    )
    return _render("bar.svg", context)


# ---------------------------------------------------------------------------------------
# Monthly trend: plan quality
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    x: str
    y: str
    value: str | None
    value_y: str
    gap_text: str
    lines: list[str]
    spoken: str


def trend_segments(points: Sequence[tuple[str, float | None, int]]) -> list[list[int]]:
    """Indexes of the runs of months that have a value: the line breaks at each gap."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, (_label, value, _count) in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(index)
    if current:
        runs.append(current)
    return runs


def trend_chart(
    *,
    points: Sequence[tuple[str, float | None, int]],
    title: str,
    chart_id: str,
    y_max: int = 100,
    unit: str = "%",
    count_label: str = "items",
    halo: bool = True,
) -> SafeString:
    """Draw a line with a dot per month; a month with no value (None) leaves a gap.

    ``points`` are (month label such as "Jan 2026", value or None, how many items the
    value stands on, e.g. audits completed); the count is said in the desc, as
    "4 items", or with ``count_label`` ("audits"). The value axis runs from 0 to
    ``y_max`` with gridlines at each quarter (25/50/75/100 for the default).
    ``halo=False`` drops the white outline behind the value labels, for renderers that
    ignore ``paint-order`` (WeasyPrint would paint the outline over the text).
    """
    _check_chart_id(chart_id)
    if not points:
        return _empty(kind="trend", chart_id=chart_id, title=title)
    y_max = max(y_max, 1)
    plot_width = PLOT_RIGHT - PLOT_LEFT
    slot = plot_width / len(points)
    baseline = PLOT_TOP + PLOT_HEIGHT
    label_chars = int(slot / CHAR_WIDTH)

    drawn: list[_Point] = []
    for index, (label, value, count) in enumerate(points):
        x = PLOT_LEFT + slot * (index + 0.5)
        y: float = baseline
        shown: str | None = None
        if value is None:
            spoken = f"{label}: no data"
        else:
            y = baseline - PLOT_HEIGHT * min(max(value, 0.0), y_max) / y_max
            shown = _with_unit(_number(value), unit)
            spoken = f"{label}: {shown} from {_plural(count, count_label)}"
        drawn.append(
            _Point(
                x=_n(x),
                y=_n(y),
                value=shown,
                value_y=_n(y - 12 if value is not None else baseline - 10),
                # "no data" needs about 50 units; twelve months leave 57 each, too tight
                # side by side, so narrower slots say "none".
                gap_text="no data" if slot >= 64 else "none" if slot >= 36 else "",
                lines=_wrap(label, label_chars),
                spoken=spoken,
            )
        )
    segments = [" ".join(f"{drawn[i].x},{drawn[i].y}" for i in run) for run in trend_segments(points) if len(run) > 1]
    ticks = [
        _Tick(
            position=_n(baseline - PLOT_HEIGHT * quarter / 4),
            label=_with_unit(_number(y_max * quarter / 4), unit),
        )
        for quarter in range(5)
    ]
    has_data = any(point.value is not None for point in drawn)
    desc = "; ".join(point.spoken for point in drawn) + "."
    lines = max(len(point.lines) for point in drawn)
    context = _frame(
        kind="trend",
        chart_id=chart_id,
        title=title,
        desc=desc if has_data else f"{NO_DATA}. {desc}",
        height=baseline + 12 + CATEGORY_LINE * lines + 8,
    )
    context.update(
        halo_width=4 if halo else 0,
        points=drawn,
        segments=segments,
        ticks=ticks,
        has_data=has_data,
        no_data=NO_DATA,
        centre_x=_n(PLOT_LEFT + plot_width / 2),
        centre_y=_n(PLOT_TOP + PLOT_HEIGHT / 2),
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        tick_label_x=PLOT_LEFT - 8,
        baseline=_n(baseline),
        category_y=_n(baseline + 22),
        category_line=CATEGORY_LINE,
    )
    return _render("trend.svg", context)
