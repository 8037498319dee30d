"""The ScheduleRepository contract: memory, SQLite and PostgreSQL behave the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from scheduler_core.domain import Schedule, ScheduleInvalid, ScheduleNotFound
from scheduler_core.domain.ports import ScheduleRepository
from scheduler_core.memory import InMemoryScheduleRepository
from tests.databases import alias_of

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


class Abort(Exception):
    """Raised inside atomic() to roll it back."""


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> str:
    """The adapter under test; tests/conftest.py sets the database ones up."""
    name: str = request.param
    return name


@pytest.fixture
def schedules(database: str) -> Iterator[ScheduleRepository]:
    if database == "memory":
        yield InMemoryScheduleRepository()
        return
    from scheduler_core.storage import DjangoScheduleRepository

    yield DjangoScheduleRepository(alias_of(database))


def every(name: str, next_run_at: datetime | None = T0, **fields: object) -> Schedule:
    return Schedule(
        name=name,
        task="app.report",
        interval_seconds=60,
        next_run_at=next_run_at,
        **fields,  # type: ignore[arg-type]
    )


def test_add_get_all_and_unique_names(schedules: ScheduleRepository) -> None:
    schedules.add(every("b", args=[1], kwargs={"k": "v"}, timezone="Europe/Berlin"))
    schedules.add(every("a", next_run_at=None))
    with pytest.raises(ScheduleInvalid) as raised:
        schedules.add(every("a"))
    assert raised.value.field == "name"
    assert [s.name for s in schedules.all()] == ["a", "b"]
    assert schedules.get("b") == every("b", args=[1], kwargs={"k": "v"}, timezone="Europe/Berlin")
    with pytest.raises(ScheduleNotFound):
        schedules.get("missing")


def test_save_writes_the_definition_never_the_run_times(schedules: ScheduleRepository) -> None:
    schedules.add(every("a"))
    edited = every("a", next_run_at=T0 + MINUTE, enabled=False, args=[2], last_run_at=T0)
    schedules.save(edited)
    stored = schedules.get("a")
    assert (stored.enabled, stored.args, stored.next_run_at, stored.last_run_at) == (
        False,
        [2],
        T0,
        None,
    )
    schedules.reschedule("a", T0 + 2 * MINUTE)
    assert schedules.get("a").next_run_at == T0 + 2 * MINUTE
    with pytest.raises(ScheduleNotFound):
        schedules.save(every("missing"))
    with pytest.raises(ScheduleNotFound):
        schedules.reschedule("missing", T0)


def test_due_lists_enabled_schedules_whose_time_came_oldest_first(
    schedules: ScheduleRepository,
) -> None:
    schedules.add(every("late", next_run_at=T0 - MINUTE))
    schedules.add(every("early", next_run_at=T0 - 2 * MINUTE))
    schedules.add(every("now", next_run_at=T0))
    schedules.add(every("future", next_run_at=T0 + MINUTE))
    schedules.add(every("off", next_run_at=T0 - 3 * MINUTE, enabled=False))
    schedules.add(every("unset", next_run_at=None))
    assert [s.name for s in schedules.due(T0, 10)] == ["early", "late", "now"]
    assert [s.name for s in schedules.due(T0, 2)] == ["early", "late"]


def test_advance_is_a_compare_and_swap(schedules: ScheduleRepository) -> None:
    schedules.add(every("a"))
    assert schedules.advance("a", expected_next_run_at=T0, next_run_at=T0 + MINUTE, last_run_at=T0)
    assert not schedules.advance(
        "a", expected_next_run_at=T0, next_run_at=T0 + 2 * MINUTE, last_run_at=T0
    )
    assert not schedules.advance(
        "missing", expected_next_run_at=T0, next_run_at=T0 + MINUTE, last_run_at=T0
    )
    stored = schedules.get("a")
    assert (stored.next_run_at, stored.last_run_at) == (T0 + MINUTE, T0)


def test_an_exception_inside_atomic_undoes_the_advance(schedules: ScheduleRepository) -> None:
    schedules.add(every("a"))
    with pytest.raises(Abort), schedules.atomic():
        schedules.advance("a", expected_next_run_at=T0, next_run_at=T0 + MINUTE, last_run_at=T0)
        raise Abort
    assert schedules.get("a").next_run_at == T0


def test_delete_removes_and_ignores_unknown_names(schedules: ScheduleRepository) -> None:
    schedules.add(every("a"))
    schedules.delete("a")
    schedules.delete("a")
    assert schedules.all() == []
