"""Tags and result_ttl through django.tasks: @task options, .using(), and an expired result."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist

from scheduler_core.bootstrap import Services
from scheduler_core.models import TaskRecord
from scheduler_core.task_backend.definition import task
from scheduler_core.task_results import ResultExpired

from .conftest import Claim
from .sample_tasks import multiply, tagged_report


def test_the_definitions_tags_and_ttl_are_stored_and_using_adds_more(services: Services) -> None:
    plain = tagged_report.enqueue(1)
    more = tagged_report.using(tags=["customer:42"], result_ttl=60).enqueue(42)

    stored = services.tasks.status(UUID(plain.id))
    assert (stored.tags, stored.result_ttl) == (["reports", "nightly"], 3600)
    stored = services.tasks.status(UUID(more.id))
    assert (stored.tags, stored.result_ttl) == (["reports", "nightly", "customer:42"], 60)
    assert tagged_report.tags == ("reports", "nightly")
    assert services.tasks.status(UUID(multiply.enqueue(1, 2).id)).tags == []


@pytest.mark.parametrize(
    "options",
    [{"tags": "one-string"}, {"tags": ["no spaces"]}, {"result_ttl": 0}, {"result_ttl": 1.5}],
)
def test_bad_options_are_refused_when_the_task_is_defined(options: dict[str, object]) -> None:
    with pytest.raises(InvalidTask, match="tags|result_ttl"):
        task(**options)(lambda: None)  # type: ignore[call-overload]


def test_using_refuses_bad_tags(services: Services) -> None:
    with pytest.raises(InvalidTask, match="tags"):
        tagged_report.using(tags=["bad tag"])


def test_an_expired_result_says_it_expired(services: Services, claim: Claim, alias: str) -> None:
    result = tagged_report.using(result_ttl=60).enqueue(7)
    claimed = claim("w1")
    services.workers.complete(claimed, {"customer_id": 7})
    assert tagged_report.get_result(result.id).return_value == {"customer_id": 7}
    finished = services.tasks.status(claimed.id).finished_at
    assert finished is not None
    rows = TaskRecord.objects.using(alias).filter(id=claimed.id)
    rows.update(finished_at=finished - timedelta(seconds=61))

    report = services.pruner.prune()

    assert report.results_expired == 1
    assert report.deleted == 0
    with pytest.raises(ResultExpired, match="expired.*result_ttl of 60 s") as caught:
        tagged_report.get_result(result.id)
    assert isinstance(caught.value, TaskResultDoesNotExist)
    assert services.tasks.status(claimed.id).result_expired
