"""The composition root: build_services wiring, storage choice, and the per-process cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from scheduler_core.bootstrap import Services, build_services, get_services, reset_services
from scheduler_core.conf import StorageNotConfigured, retry_policy_from_settings
from scheduler_core.domain import RetryPolicy, TaskStatus, UnknownTask
from scheduler_core.domain.ports import SystemClock
from scheduler_core.memory import InMemoryTaskCatalog, ManualClock
from scheduler_core.task_backend.registry import registry

from .conftest import T0, make_worker, request

# A task of the demo app, which every installed-apps autodiscovery registers.
DEMO_TASK = "demo.tasks.add"


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    reset_services()
    yield
    reset_services()


def test_build_services_wires_every_service_to_one_storage() -> None:
    clock = ManualClock(T0)
    services = build_services("memory", task_names=["app.send_email"], clock=clock)

    task = services.tasks.submit(request()).task
    later = services.tasks.submit(request(run_after=T0 + timedelta(minutes=30))).task
    services.workers.register(make_worker())
    worker = services.workers.start("w1")
    [claimed] = services.workers.claim(worker, 1)
    services.workers.mark_started(worker.id, [(claimed.id, claimed.attempt)])
    clock.advance(timedelta(hours=1))

    assert services.clock is clock
    assert claimed.id == task.id
    assert services.rescuer.rescue_expired().retried == 1
    assert services.tasks.status(task.id).status is TaskStatus.RETRYING
    assert services.promoter.promote_due() == 1
    assert services.tasks.status(later.id).status is TaskStatus.READY


def test_build_services_defaults_to_the_system_clock_and_no_registered_tasks() -> None:
    services = build_services()

    assert isinstance(services.clock, SystemClock)
    with pytest.raises(UnknownTask):
        services.tasks.submit(request())


def test_build_services_refuses_an_unknown_storage_naming_the_setting() -> None:
    with pytest.raises(
        StorageNotConfigured, match=r'SCHEDULER\["STORAGE"\] is \'redis\''
    ) as raised:
        build_services("redis")

    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, ImproperlyConfigured)


def test_get_services_builds_once_from_settings_until_reset(settings: Settings) -> None:
    settings.SCHEDULER = {"STORAGE": "memory"}

    first = get_services()
    task = first.tasks.submit(request(DEMO_TASK)).task

    assert get_services() is first
    reset_services()
    second = get_services()
    assert second is not first
    assert second.tasks.counts()[TaskStatus.READY] == 0
    assert first.tasks.status(task.id).id == task.id


def test_concurrent_first_calls_build_the_services_once(settings: Settings) -> None:
    settings.SCHEDULER = {"STORAGE": "memory"}
    barrier = threading.Barrier(8)
    seen: list[Services] = []

    def call() -> None:
        barrier.wait(timeout=10)
        seen.append(get_services())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(seen) == 8
    assert len({id(services) for services in seen}) == 1


def test_get_services_raises_for_an_unknown_storage_setting(settings: Settings) -> None:
    settings.SCHEDULER = {"STORAGE": "mongodb"}

    with pytest.raises(StorageNotConfigured, match="mongodb"):
        get_services()


def test_get_services_takes_the_retry_policy_from_settings(settings: Settings) -> None:
    settings.SCHEDULER = {
        "STORAGE": "memory",
        "RETRY": {"base_seconds": 5, "factor": 3, "jitter": 0},
    }
    services = get_services()
    task = services.tasks.submit(request(DEMO_TASK)).task
    services.workers.register(make_worker())
    worker = services.workers.start("w1")
    [claimed] = services.workers.claim(worker, 1)

    retrying = services.workers.fail(claimed, RuntimeError("boom"))

    assert retrying.id == task.id
    assert retrying.run_after - retrying.errors[0].failed_at == timedelta(seconds=5)


def test_retry_settings_map_onto_the_policy() -> None:
    policy = retry_policy_from_settings(
        {"base_seconds": 2, "factor": 1.5, "cap_seconds": 90, "jitter": 0.1}
    )

    assert policy == RetryPolicy(
        base=timedelta(seconds=2), factor=1.5, cap=timedelta(seconds=90), jitter=0.1
    )
    assert retry_policy_from_settings({}) == RetryPolicy()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"base": 2}, "unknown keys \\['base'\\]"),
        ({"factor": 0.5}, "factor must be"),
        ({"jitter": "lots"}, 'SCHEDULER\\["RETRY"\\]'),
    ],
)
def test_bad_retry_settings_are_improperly_configured(
    config: dict[str, object], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        retry_policy_from_settings(config)


def test_django_storage_wires_the_orm_adapters_to_the_named_database() -> None:
    from scheduler_core.storage import (
        DatabaseClock,
        DjangoQueue,
        DjangoTaskRepository,
        DjangoWorkerRepository,
    )

    services = build_services("django", database="default", task_names=["app.send_email"])

    scheduler = services.tasks
    assert isinstance(scheduler._tasks, DjangoTaskRepository)
    assert isinstance(scheduler._queue, DjangoQueue)
    assert isinstance(services.workers._workers, DjangoWorkerRepository)
    # Every due and lease decision is the database's: its clock is the services' clock.
    assert isinstance(services.clock, DatabaseClock)
    assert services.clock.using == "default"
    assert scheduler._catalog.is_registered("app.send_email")


def test_get_services_takes_its_catalog_from_the_discovered_registry(settings: Settings) -> None:
    settings.SCHEDULER = {"STORAGE": "memory", "TASK_NAMES": ["app.send_email"]}

    scheduler = get_services().tasks

    assert scheduler._catalog is registry
    assert registry.is_registered(DEMO_TASK)
    # The old TASK_NAMES setting registers nothing: only defined tasks can run.
    with pytest.raises(UnknownTask, match="app.send_email"):
        scheduler.submit(request())


def test_build_services_takes_a_catalog_instead_of_task_names() -> None:
    catalog = InMemoryTaskCatalog(["app.resize_image"])

    services = build_services("memory", catalog=catalog, task_names=["app.send_email"])

    assert services.tasks._catalog is catalog
    with pytest.raises(UnknownTask):
        services.tasks.submit(request())
