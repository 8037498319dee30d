"""Arguments are checked against the task's signature, each mistake shown on args or kwargs."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from tests.integration.dashboard.submit import signature_tasks

from .helpers import NEW, VALID, field_errors, task_count

KEYWORD_ONLY = signature_tasks.keyword_only.module_path
OPEN_ENDED = signature_tasks.open_ended.module_path

MISTAKES = [
    # (task, args, kwargs, field at fault, part of the message)
    (KEYWORD_ONLY, "[1]", "{}", "kwargs", "missing a required keyword-only argument: 'flag'"),
    (KEYWORD_ONLY, "[1, true]", "{}", "args", "too many positional arguments"),
    (KEYWORD_ONLY, "[]", '{"flag": true}', "args", "missing a required argument: 'a'"),
    (KEYWORD_ONLY, "[1]", '{"flag": true, "speed": 2}', "kwargs", "keyword argument 'speed'"),
    (KEYWORD_ONLY, "[1]", '{"a": 1, "flag": true}', "kwargs", "multiple values for argument 'a'"),
    (OPEN_ENDED, "[]", '{"x": 1}', "args", "missing a required argument: 'first'"),
    (OPEN_ENDED, "[1]", '{"first": 2}', "kwargs", "multiple values for argument 'first'"),
]

FITS = [
    (KEYWORD_ONLY, "[1]", '{"flag": false}'),
    (KEYWORD_ONLY, "[]", '{"a": 1, "flag": true, "mode": "slow"}'),
    (OPEN_ENDED, "[1, 2, 3]", '{"any": 4, "names": 5}'),
]


@pytest.mark.parametrize(("task", "args", "kwargs", "field", "message"), MISTAKES)
def test_a_call_that_does_not_fit_is_a_field_error(
    operator: Client,
    services: Services,
    task: str,
    args: str,
    kwargs: str,
    field: str,
    message: str,
) -> None:
    response = operator.post(NEW, {**VALID, "task": task, "args": args, "kwargs": kwargs})

    [error] = field_errors(response, field)
    assert error.startswith("the arguments do not fit the task's parameters: ")
    assert message in error
    assert task_count(services) == 0


@pytest.mark.parametrize(("task", "args", "kwargs"), FITS)
def test_a_call_that_fits_is_submitted(
    operator: Client, services: Services, task: str, args: str, kwargs: str
) -> None:
    response = operator.post(NEW, {**VALID, "task": task, "args": args, "kwargs": kwargs})

    assert response.status_code == 303
    assert task_count(services) == 1


@pytest.mark.parametrize(
    ("task", "args", "kwargs", "field", "message"),
    [
        ("demo.tasks.add", '["two", "three"]', "{}", "args", "args[0]: must be a number"),
        ("demo.tasks.add", "[1, true]", "{}", "args", "args[1]: must be a number"),
        (KEYWORD_ONLY, "[1]", '{"flag": "yes"}', "kwargs", "kwargs.flag: must be true or false"),
        (OPEN_ENDED, "[1, 2, 3.5]", "{}", "args", "args[2]: must be a whole number"),
    ],
)
def test_a_value_of_the_wrong_annotated_type_is_a_field_error(
    operator: Client,
    services: Services,
    task: str,
    args: str,
    kwargs: str,
    field: str,
    message: str,
) -> None:
    response = operator.post(NEW, {**VALID, "task": task, "args": args, "kwargs": kwargs})

    [error] = field_errors(response, field)
    assert error.startswith(message)
    assert task_count(services) == 0
