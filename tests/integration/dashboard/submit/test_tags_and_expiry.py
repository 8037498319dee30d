"""The submit form's tags and result_ttl: added to the task's own, bad ones shown on the field."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from tests.integration.backend import sample_tasks  # noqa: F401

from .helpers import NEW, VALID, field_errors, task_count
from .test_submit import submitted


def test_tags_add_to_the_tasks_own_and_the_ttl_is_kept(
    operator: Client, services: Services
) -> None:
    form = {
        **VALID,
        "task": "tests.integration.backend.sample_tasks.tagged_report",
        "args": "[42]",
        "tags": " customer:42, reports ,",
        "result_ttl": "60",
    }

    response = operator.post(NEW, form)

    assert response.status_code == 303
    task = submitted(services, response["Location"])
    assert (task.tags, task.result_ttl) == (["reports", "nightly", "customer:42"], 60)


def test_the_catalogue_shows_the_tasks_own_tags_and_ttl(operator: Client) -> None:
    html = operator.get(
        NEW, {"task": "tests.integration.backend.sample_tasks.tagged_report"}
    ).content.decode()

    assert '<span class="tag">reports</span>' in html
    assert "3600 s after it finished" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"tags": "bad tag"}, "tags", "must start with a letter or digit"),
        ({"tags": ",".join(f"t{n}" for n in range(21))}, "tags", "at most 20 tags"),
        ({"result_ttl": "0"}, "result_ttl", "greater than or equal to 1"),
    ],
)
def test_bad_tags_and_ttls_show_on_their_field(
    operator: Client, services: Services, fields: dict[str, str], field: str, message: str
) -> None:
    response = operator.post(NEW, {**VALID, **fields})

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, field))
    assert task_count(services) == 0
