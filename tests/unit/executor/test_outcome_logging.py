"""A failed attempt is logged at WARNING, so it shows at the level busy workers run at."""

from __future__ import annotations

import logging
import time

import pytest

from scheduler_core.bootstrap import build_services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.executor.codec import Outcome
from scheduler_core.executor.config import WorkerConfig
from scheduler_core.executor.events import Finished
from scheduler_core.executor.slots import ThreadSlot
from scheduler_core.executor.supervisor import Supervisor

NAME = "tests.noop"


@pytest.mark.parametrize(
    ("succeeded", "level", "text"),
    [(False, logging.WARNING, "raised builtins.ValueError"), (True, logging.INFO, "succeeded")],
)
def test_finished_attempts_are_logged_by_outcome(
    caplog: pytest.LogCaptureFixture, succeeded: bool, level: int, text: str
) -> None:
    services = build_services("memory", task_names=[NAME])
    supervisor = Supervisor(WorkerConfig(concurrency=1, pool="thread", worker_id="w1"), services)
    services.workers.register(supervisor.worker)
    services.workers.start("w1")
    services.tasks.submit(SubmitRequest(name=NAME))
    [task] = services.workers.claim(supervisor.worker, 1)
    slot = ThreadSlot(supervisor.inbox)
    slot.task, slot.started_at = task, time.monotonic()
    outcome = Outcome(
        task_id=task.id,
        attempt=task.attempt,
        succeeded=succeeded,
        exception_type="" if succeeded else "builtins.ValueError",
    )

    with caplog.at_level(logging.INFO, logger="scheduler_core.executor.supervisor"):
        supervisor._handle(Finished(slot, outcome))

    [record] = [r for r in caplog.records if str(task.id) in r.getMessage()]
    assert (record.levelno, text in record.getMessage()) == (level, True)
