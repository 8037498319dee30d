"""Bad arguments are refused before they reach the database, and nothing is stored."""

from __future__ import annotations

import pytest

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskInvalid, TaskStatus
from scheduler_core.domain.json_values import MAX_PAYLOAD_BYTES
from scheduler_core.domain.ports import SubmitRequest

BAD_ARGUMENTS = [
    pytest.param([{"note": "nul\x00byte"}], {}, "args[0].note", id="nul-in-value"),
    pytest.param([], {"k\x00ey": 1}, "kwargs", id="nul-in-key"),
    pytest.param(["lone \ud800 surrogate"], {}, "args[0]", id="lone-surrogate"),
    pytest.param([], {"text": "\udfff"}, "kwargs.text", id="lone-low-surrogate"),
    pytest.param(["x" * MAX_PAYLOAD_BYTES], {}, "args", id="oversized"),
]


@pytest.mark.parametrize(("args", "kwargs", "field"), BAD_ARGUMENTS)
def test_bad_arguments_are_refused_naming_the_field(
    services: Services, args: list[object], kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(TaskInvalid) as refused:
        services.tasks.submit(SubmitRequest(name="demo.noop", args=args, kwargs=kwargs))

    assert refused.value.field == field
    assert field in str(refused.value)
    assert sum(services.tasks.counts().values()) == 0


def test_a_bad_request_in_a_batch_stores_none_of_it(services: Services) -> None:
    good = SubmitRequest(name="demo.noop", args=[1])
    bad = SubmitRequest(name="demo.noop", args=["\x00"])

    with pytest.raises(TaskInvalid) as refused:
        services.tasks.submit_many([good, good, bad])

    assert refused.value.field.startswith("requests[2].")
    assert services.tasks.counts()[TaskStatus.READY] == 0
