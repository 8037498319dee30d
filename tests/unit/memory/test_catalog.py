"""InMemoryTaskCatalog: a sorted registry that refuses names no task could carry."""

from __future__ import annotations

import pytest

from scheduler_core.domain import TaskInvalid
from scheduler_core.memory import InMemoryTaskCatalog


def test_names_given_at_construction_are_registered_and_sorted() -> None:
    catalog = InMemoryTaskCatalog(["app.b", "app.a", "app.b"])

    assert catalog.names() == ["app.a", "app.b"]
    assert catalog.is_registered("app.a")
    assert not catalog.is_registered("app.c")


def test_register_adds_a_name() -> None:
    catalog = InMemoryTaskCatalog()

    catalog.register("reports.nightly")

    assert catalog.is_registered("reports.nightly")
    assert catalog.names() == ["reports.nightly"]


@pytest.mark.parametrize("name", ["", "os.system('x')", "a..b", "1abc", "x" * 201])
def test_a_name_no_task_could_carry_is_refused(name: str) -> None:
    catalog = InMemoryTaskCatalog()

    with pytest.raises(TaskInvalid) as caught:
        catalog.register(name)

    assert caught.value.field == "name"
    assert catalog.names() == []
