"""Bar and line charts as inline SVG, escaped like any other template output.

Every shape has a class (the page's CSS colours it; the Content-Security-Policy forbids
inline style) and a <title> that browsers show as a tooltip. The picture has role="img"
and a summary as its label; the page adds the numbers as a table for screen readers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from .model import Chart
from .scale import format_number, label_every, nice_ceiling, tick_values

# Drawn about as wide as a third of a laptop screen, so its text stays readable there.
WIDTH = 480
HEIGHT = 200
# Room for the y-axis numbers on the left and the x labels below.
LEFT = 44
# Room for half of the newest bucket's label, centred on the last bar.
RIGHT = 18
TOP = 8
BOTTOM = 22
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
TICKS = 4


def bar_chart(chart: Chart) -> SafeString:
    """One bar per point, as tall as its value; points without a value draw nothing."""
    top = nice_ceiling(max(chart.values, default=0.0), TICKS)
    slot = PLOT_WIDTH / max(len(chart.points), 1)
    bars = []
    for index, point in enumerate(chart.points):
        if not point.value:
            continue
        height = PLOT_HEIGHT * point.value / top
        bars.append(
            format_html(
                '<rect class="bar series-{}" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}</title></rect>",
                chart.series,
                _n(LEFT + index * slot + slot * 0.1),
                _n(TOP + PLOT_HEIGHT - height),
                _n(slot * 0.8),
                _n(height),
                point.tooltip,
            )
        )
    return _frame(chart, top, SafeString("".join(bars)))


def line_chart(chart: Chart) -> SafeString:
    """A line through the points; a point without a value breaks the line there."""
    return lines_chart(chart, [chart])


def lines_chart(frame: Chart, charts: Sequence[Chart]) -> SafeString:
    """One line per chart on shared axes (`frame` gives the title, label, unit and x labels);
    each chart's series class colours its line, and its title begins each dot's tooltip."""
    top = nice_ceiling(max((v for chart in charts for v in chart.values), default=0.0), TICKS)
    slot = PLOT_WIDTH / max(len(frame.points), 1)
    shapes = []
    for chart in charts:
        segments: list[list[tuple[float, float]]] = [[]]
        dots = []
        series = escape(chart.series)
        for index, point in enumerate(chart.points):
            if point.value is None:
                segments.append([])
                continue
            x = LEFT + index * slot + slot / 2
            y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * point.value / top
            segments[-1].append((x, y))
            # Plain formatting with the two texts escaped: format_html per dot was most of
            # the time of a page with three lines of 168 points.
            dots.append(
                f'<circle class="dot series-{series}" cx="{_n(x)}" cy="{_n(y)}" r="2.5">'
                f"<title>{escape(point.tooltip)}</title></circle>"
            )
        lines = format_html_join(
            "",
            '<polyline class="line series-{}" points="{}"></polyline>',
            (
                (chart.series, " ".join(f"{_n(x)},{_n(y)}" for x, y in segment))
                for segment in segments
                if len(segment) > 1
            ),
        )
        shapes.append(lines + "".join(dots))
    return _frame(frame, top, SafeString("".join(shapes)))


def _frame(chart: Chart, top: float, shapes: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        chart.label,
        chart.label,
        _y_axis(top, chart.unit),
        _x_axis(chart),
        shapes,
    )


def _y_axis(top: float, unit: str) -> SafeString:
    parts = []
    for value in tick_values(top, TICKS):
        y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top
        parts.append(
            format_html(
                '<line class="{}" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}{}</text>',
                "axis" if value == 0 else "gridline",
                LEFT,
                WIDTH - RIGHT,
                _n(y),
                _n(y),
                LEFT - 4,
                _n(y + 3),
                format_number(value),
                unit,
            )
        )
    return SafeString("".join(parts))


def _x_axis(chart: Chart) -> SafeString:
    count = len(chart.points)
    slot = PLOT_WIDTH / max(count, 1)
    every = label_every(count)
    return format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        _x_labels(chart, slot, every),
    )


def _x_labels(chart: Chart, slot: float, every: int) -> Iterable[tuple[str, int, str]]:
    # Counted from the right, so the newest bucket (the one people look at) is labelled.
    last = len(chart.points) - 1
    for index, point in enumerate(chart.points):
        if (last - index) % every == 0:
            yield _n(LEFT + index * slot + slot / 2), HEIGHT - 6, point.label


def _n(value: float) -> str:
    """A coordinate with at most one decimal, which keeps the markup short."""
    return f"{value:.1f}".removesuffix(".0")
