"""The search box's reading of its text: ids, names and queues by prefix, else arguments."""

from __future__ import annotations

from uuid import uuid4

import pytest

from dashboard.tasks.finder import Match, find

NAMES = ["demo.tasks.add", "demo.tasks.add_many", "demo.tasks.noop", "billing.invoice"]
QUEUES = ["default", "emails", "demo"]


def test_a_task_id_is_read_as_one() -> None:
    task_id = uuid4()

    assert find(f"  {task_id} ", NAMES, QUEUES).task_id == task_id
    assert find(task_id.hex, NAMES, QUEUES).task_id == task_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("noop", [Match("name", "demo.tasks.noop")]),
        ("tasks.no", [Match("name", "demo.tasks.noop")]),
        ("INVOICE", [Match("name", "billing.invoice")]),
        ("add", [Match("name", "demo.tasks.add"), Match("name", "demo.tasks.add_many")]),
        ("em", [Match("queue", "emails")]),
        # Exact beats every prefix: "demo" is a queue, though all demo tasks begin so.
        ("demo", [Match("queue", "demo")]),
        ("demo.tasks.add", [Match("name", "demo.tasks.add")]),
        (
            "de",
            [
                Match("name", "demo.tasks.add"),
                Match("name", "demo.tasks.add_many"),
                Match("name", "demo.tasks.noop"),
                Match("queue", "default"),
                Match("queue", "demo"),
            ],
        ),
        ("order-7", []),
        ("", []),
    ],
)
def test_names_and_queues_fit_by_prefix_of_any_dotted_tail(
    text: str, expected: list[Match]
) -> None:
    finding = find(text, NAMES, QUEUES)

    assert finding.task_id is None
    assert finding.matches == expected
