"""Template helpers shared by every dashboard page: badges, durations, JSON, ages."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Each state has a distinct shape as well as a colour, so that the badge still reads for a
# colour-blind operator or on a monochrome screen; the text is always there too.
BADGE_SYMBOLS = {
    # A workflow step waiting for the steps before it.
    "blocked": "⧗",
    "scheduled": "◷",
    "ready": "○",
    "running": "▶",
    "retrying": "↻",
    "succeeded": "✓",
    "failed": "✕",
    "cancelled": "⊘",
    # Running, its cancel asked for, until the worker confirms.
    "cancelling": "⊘…",
    # Worker states.
    "starting": "○",
    "draining": "◐",
    "stale": "?",
    "dead": "✕",
    "stopped": "■",
    "paused": "❚❚",
}


@register.simple_tag
def status_badge(status: object) -> SafeString:
    """`<span class="badge badge-failed">✕ failed</span>`, escaped, for a task or worker state."""
    name = str(status)
    symbol = BADGE_SYMBOLS.get(name, "•")
    return format_html(
        '<span class="badge badge-{}"><span aria-hidden="true">{}</span> {}</span>',
        name,
        symbol,
        name,
    )


@register.filter
def duration(value: timedelta | float | None) -> str:
    """A short human duration: 850 ms, 4.2 s, 3 min 5 s, 2 h 10 min, 3 d 4 h."""
    if value is None:
        return "—"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@register.filter
def ago(moment: datetime | None) -> str:
    """How long before now `moment` was ("3.2 s ago"), or "in 5 min" for the future."""
    if moment is None:
        return "—"
    delta = timezone.now() - moment
    if delta.total_seconds() < 0:
        return f"in {duration(-delta)}"
    return f"{duration(delta)} ago"


@register.filter
def pretty_json(value: Any) -> str:
    """Indented JSON for a <pre> block; autoescaping still applies to the result."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@register.filter
def compact_json(value: Any) -> str:
    """One-line JSON for a table cell; autoescaping still applies to the result."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template, None when it is missing."""
    return mapping.get(key)


@register.filter
def thousands(value: int) -> str:
    """A whole number with thousands separators: 12,345."""
    return f"{value:,}"
