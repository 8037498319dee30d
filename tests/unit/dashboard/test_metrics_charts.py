"""The metrics pages' drawing helpers: several lines on one frame, durations in words."""

from __future__ import annotations

import math

from dashboard.charts import Chart, Point, lines_chart
from dashboard.metrics.charts import seconds


def chart(series: str, values: list[float | None]) -> Chart:
    points = [Point(label=str(i), value=v, tooltip=f"{series} {v}") for i, v in enumerate(values)]
    return Chart(title=series, series=series, points=points, unit="ms")


def test_each_line_is_drawn_on_the_shared_scale_with_its_class() -> None:
    low, high = chart("run-p50", [1.0, 2.0, None, 2.0]), chart("run-p99", [4.0, 8.0, 9.0, 10.0])
    frame = Chart(title="Run time", series="run", points=low.points, unit="ms")
    svg = str(lines_chart(frame, [low, high]))
    assert svg.count('class="line series-run-p50"') == 1  # the gap leaves one two-point piece
    assert svg.count('class="line series-run-p99"') == 1
    assert svg.count('class="dot series-run-p50"') == 3 and svg.count("series-run-p99") == 5
    # One y axis for both: its top is the rounded maximum of every line (10).
    assert ">10ms</text>" in svg


def test_durations_read_as_a_person_would_say_them() -> None:
    assert seconds(None) == "—"
    assert seconds(0.00025) == "0.25 ms"
    assert seconds(0.0063) == "6.3 ms"
    assert seconds(2.5) == "2.5 s"
    assert seconds(315.0) == "5.2 min"
    assert seconds(math.inf) == "over 1e5 s"
