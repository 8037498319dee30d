"""Charts drawn on the server as inline SVG: no chart library, no script, no inline style."""

from .model import Chart, Point
from .svg import bar_chart, line_chart, lines_chart

__all__ = ["Chart", "Point", "bar_chart", "line_chart", "lines_chart"]
