"""The look-back spans of the failures and metrics pages: 1 h, 24 h, 7 d and 30 d."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A choice in a page's window switch: its querystring key, its words, its length."""

    key: str
    title: str
    length: timedelta


SPANS = {
    span.key: span
    for span in (
        Span(key="1h", title="last hour", length=timedelta(hours=1)),
        Span(key="24h", title="last 24 hours", length=timedelta(days=1)),
        Span(key="7d", title="last 7 days", length=timedelta(days=7)),
        Span(key="30d", title="last 30 days", length=timedelta(days=30)),
    )
}
DEFAULT_SPAN = SPANS["24h"]


def span_from_query(value: str | None) -> Span:
    """The span a `?window=` value names; the last 24 hours for anything else."""
    return SPANS.get(value or "", DEFAULT_SPAN)
