"""`manage.py runworkers` refuses bad options with a message naming what is wrong."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--concurrency", "0"], "0 is not at least 1"),
        (["--lease", "0"], "0 is not at least 1"),
        (["--concurrency", "many"], "not a whole number"),
        (["--queues", "a,a"], "named twice"),
        (["--queues", "bad queue"], "not a valid queue name"),
        (["--queues", ","], "at least one queue"),
        (["--pool", "fibers"], "invalid choice"),
        (["--shutdown-timeout", "-1"], "must not be negative"),
        (["--maintenance-interval", "0"], "above zero"),
        (["--pool", "thread", "--max-tasks-per-child", "5"], "needs --pool process"),
    ],
)
def test_bad_options_are_refused(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("runworkers", *arguments)
