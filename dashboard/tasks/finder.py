"""What the search box's text names: a task id, task names or queues, or argument text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Match:
    """A task name or queue the text may mean; `field` is the list filter it goes to."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class Finding:
    """The reading of the text: a task id, else the names and queues it matches (maybe none)."""

    text: str
    task_id: UUID | None = None
    matches: list[Match] = field(default_factory=list)


def _fits(text: str, candidate: str) -> bool:
    """True when `text` begins the candidate or one of its dotted tails, ignoring case.

    "add", "tasks.add", "demo.ta" and "ad" all fit "demo.tasks.add": an operator knows the
    function's name and rarely its module.
    """
    lowered, parts = text.lower(), candidate.lower().split(".")
    return any(".".join(parts[i:]).startswith(lowered) for i in range(len(parts)))


def find(text: str, names: Iterable[str], queues: Iterable[str]) -> Finding:
    """What `text` names. An exact name or queue is the only match; otherwise every fit.

    Matches come task names first, then queues, each sorted, so the order is total.
    """
    text = text.strip()
    try:
        return Finding(text, task_id=UUID(text))
    except ValueError:
        pass
    if not text:
        return Finding(text)
    fields = (("name", sorted(set(names))), ("queue", sorted(set(queues))))
    exact = [Match(f, value) for f, values in fields for value in values if value == text]
    if exact:
        return Finding(text, matches=exact)
    return Finding(
        text, matches=[Match(f, v) for f, values in fields for v in values if _fits(text, v)]
    )
