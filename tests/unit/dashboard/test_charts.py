"""Server-drawn SVG charts: scales, empty data, escaping, one shape per measured bucket."""

from __future__ import annotations

import re

import pytest

from dashboard.charts import Chart, Point, bar_chart, line_chart
from dashboard.charts.scale import format_number, label_every, nice_ceiling, tick_values


def chart(values: list[float | None], *, title: str = "Throughput", label: str = "") -> Chart:
    """A chart of `values`, labelled 00:00, 00:01, ..."""
    return Chart(
        title=title,
        series="throughput",
        summary="a summary",
        points=[
            Point(label=label or f"00:{index:02d}", value=value, tooltip=f"tip {index}: {value}")
            for index, value in enumerate(values)
        ],
    )


@pytest.mark.parametrize(
    ("value", "top"),
    [
        (0, 1.0),
        (-3, 1.0),
        (1, 1.0),
        (3, 4.0),
        (4, 4.0),
        (7, 8.0),
        (9, 10.0),
        (13, 20.0),
        (0.3, 0.4),
        (87, 100.0),
        (1234, 2000.0),
        (float("nan"), 1.0),
    ],
)
def test_nice_ceiling_is_a_round_top_at_or_above_the_value(value: float, top: float) -> None:
    assert nice_ceiling(value, 4) == pytest.approx(top)


def test_tick_values_divide_the_axis_evenly() -> None:
    assert tick_values(8.0, 4) == [0.0, 2.0, 4.0, 6.0, 8.0]


def test_nice_ceiling_needs_a_tick() -> None:
    with pytest.raises(ValueError, match="ticks"):
        nice_ceiling(5, 0)


@pytest.mark.parametrize(("count", "every"), [(0, 1), (6, 1), (7, 2), (60, 10), (96, 16)])
def test_label_every_keeps_at_most_six_labels(count: int, every: int) -> None:
    assert label_every(count) == every


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (5.0, "5"), (2.5, "2.5"), (1500, "1.5k"), (3_000_000, "3M")]
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_bar_chart_draws_one_bar_per_nonzero_bucket_with_its_tooltip() -> None:
    svg = bar_chart(chart([0, 3, None, 6]))
    bars = re.findall(r'<rect class="bar series-throughput"[^>]*><title>([^<]*)</title>', svg)
    assert bars == ["tip 1: 3", "tip 3: 6"]


def test_bar_heights_are_proportional_to_the_values() -> None:
    svg = bar_chart(chart([2, 4]))
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', svg)]
    # The axis top is 4 (a round number >= 4), so 4 fills the plot and 2 fills half of it.
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.1)


def test_chart_is_an_image_with_its_summary_as_label() -> None:
    svg = bar_chart(chart([1]))
    assert svg.startswith('<svg class="chart"')
    assert 'role="img"' in svg
    assert 'aria-label="Throughput. a summary"' in svg
    assert "style=" not in svg


def test_empty_chart_still_draws_axes_and_no_bars() -> None:
    for svg in (bar_chart(chart([])), bar_chart(chart([0, 0])), line_chart(chart([None]))):
        assert "<rect" not in svg
        assert "<polyline" not in svg
        assert 'class="axis"' in svg
        assert ">0</text>" in svg


def test_labels_and_tooltips_are_escaped() -> None:
    evil = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    bad = Chart(
        title=evil,
        series="throughput",
        summary=evil,
        points=[Point(label=evil, value=1.0, tooltip=evil)],
    )
    for svg in (bar_chart(bad), line_chart(bad)):
        assert "<script>" not in svg
        assert "<img" not in svg
        assert "&lt;script&gt;" in svg
        assert "&quot;&gt;&lt;img" in svg


def test_line_chart_breaks_where_a_bucket_has_no_value() -> None:
    svg = line_chart(chart([1, 2, None, 3, 4, None, 5]))
    lines = re.findall(r'<polyline class="line series-throughput" points="([^"]*)"', svg)
    # Two segments of two points; the lone last point is only a dot.
    assert [len(points.split()) for points in lines] == [2, 2]
    assert svg.count("<circle") == 5


def test_x_labels_are_thinned_and_keep_the_newest() -> None:
    svg = bar_chart(chart([1.0] * 60))
    labels = re.findall(r'text-anchor="middle">([^<]*)<', svg)
    assert len(labels) == 6
    assert labels[-1] == "00:59"
