"""Tags: short labels a task carries (from its definition and its submit) to find it by.

A tag is a word, optionally with a kind before a colon: "billing", "customer:42",
"import:2026-05". Letters, digits and `_ . - : = @ /` only, so a tag is safe in a URL
query, a CSS selector's attribute and a log line without escaping surprises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import TaskInvalid

MAX_TAGS = 20
MAX_TAG_LENGTH = 64
TAG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:=@/-]*")


def check_tag(tag: object, field: str = "tags") -> str:
    """The tag if it is one; TaskInvalid naming `field` otherwise."""
    if not isinstance(tag, str) or not tag:
        raise TaskInvalid(field, "a tag must be a non-empty string")
    if len(tag) > MAX_TAG_LENGTH:
        raise TaskInvalid(field, f"a tag must be at most {MAX_TAG_LENGTH} characters")
    if not TAG_PATTERN.fullmatch(tag):
        raise TaskInvalid(
            field,
            f"{tag!r} must start with a letter or digit and hold only letters, digits "
            "and _ . - : = @ /",
        )
    return tag


def merge_tags(*groups: Iterable[object]) -> list[str]:
    """The tags of all groups in order, each once, checked; TaskInvalid(field='tags')."""
    merged: list[str] = []
    for group in groups:
        if isinstance(group, str) or not isinstance(group, Iterable):
            raise TaskInvalid("tags", "tags must be a list of strings")
        for tag in group:
            checked = check_tag(tag)
            if checked not in merged:
                merged.append(checked)
    if len(merged) > MAX_TAGS:
        raise TaskInvalid("tags", f"a task may carry at most {MAX_TAGS} tags, not {len(merged)}")
    return merged
