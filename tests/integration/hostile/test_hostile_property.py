"""Property: no hostile value in a dashboard or admin form or query string gets a 5xx.

Huge and tiny dates (with offsets PostgreSQL refuses), huge ints, NUL, lone surrogates
(as JSON escapes and as raw bytes), JSON nested far too deep, and any text, into every field
of the task list and bulk-action filters, the audit filter, the submit form, the dashboard's
and the admin's schedule forms and the schedule preview; on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import LoginAs

# Not traced by coverage: hundreds of generated requests walk the paths the example tests
# already measure, and tracing them cost about 40 % of these tests' CPU (make test).
pytestmark = pytest.mark.no_cover

# Per property and engine; HOSTILE_EXAMPLES=500 for a longer hunt.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))


def _moment(moment: datetime, minutes: int) -> str:
    return moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat()


MOMENTS = st.one_of(
    st.sampled_from(
        [
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01",
            "9999-12-31",
            "0000-00-00T00:00",
            "9999-12-31T23:59:59.999999+23:59",
            "2020-01-01T00:00:00+16:00",
        ]
    ),
    st.builds(
        _moment,
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.integers(min_value=-1439, max_value=1439),
    ),
    st.dates().map(str),
)
INTS = st.one_of(
    st.integers().map(str),
    st.sampled_from(["9" * 5000, "-" + "9" * 5000, "1e309", "-0", "0x10", "NaN"]),
)
JSON = st.one_of(
    st.sampled_from(
        [
            "[" * 200_000 + "]" * 200_000,
            '{"a":' * 5_000 + "1" + "}" * 5_000,
            '["\\ud800"]',
            '{"\\udfff": 1}',
            '["\\u0000"]',
            f"[{'9' * 5000}]",
            "[1e309]",
            "[NaN]",
        ]
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=10,
    ).map(lambda value: __import__("json").dumps(value)),
)
TEXT = st.one_of(
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x" * 10_000, "../../etc/passwd", "%00"]),
    st.text(max_size=50),
)
HOSTILE = st.one_of(MOMENTS, INTS, JSON, TEXT)
# Hypothesis with function-scoped fixtures: each example shares the test's users and rows.
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _encoded(fields: dict[str, str]) -> str:
    # Lone surrogates go out as the bytes a broken client would send (what UTF-8 refuses).
    return urlencode(fields, encoding="utf-8", errors="surrogatepass")


def _get(client: Client, path: str, fields: dict[str, str]) -> Any:
    return client.get(f"{path}?{_encoded(fields)}")


def _post(client: Client, path: str, fields: dict[str, str]) -> Any:
    return client.post(path, _encoded(fields), content_type="application/x-www-form-urlencoded")


def _fields(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Some of `names`, each holding a hostile value."""
    return st.dictionaries(st.sampled_from(names), HOSTILE, min_size=1, max_size=len(names))


TASK_FILTER = ["after", "before", "queue", "name", "worker", "search", "status", "size", "cursor"]
SUBMIT = ["task", "args", "kwargs", "queue", "priority", "delay", "run_at", "time_zone",
          "max_attempts", "unique_key"]  # fmt: skip
SCHEDULE = ["name", "task", "args", "kwargs", "cron", "interval_seconds", "timezone",
            "catch_up", "catch_up_limit", "queue", "priority", "max_attempts"]  # fmt: skip
VALID_SUBMIT = {"task": "demo.tasks.add", "args": "[1, 2]", "kwargs": "{}", "time_zone": "UTC"}
VALID_SCHEDULE = {"name": "s", "task": "demo.tasks.add", "args": "[1, 2]", "kwargs": "{}",
                  "cron": "0 6 * * *", "timezone": "UTC", "catch_up": "skip",
                  "catch_up_limit": "10", "enabled": "on"}  # fmt: skip


def _no_server_error(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])


def test_list_bulk_and_audit_query_strings(login_as: LoginAs) -> None:
    client = login_as("admin")

    @HYPOTHESIS
    @given(
        st.sampled_from(["/tasks/", "/tasks/bulk/cancel/", "/schedules/_preview/"]),
        _fields([*TASK_FILTER, "cron", "interval_seconds", "timezone"]),
        _fields(["actor", "action", "source", "day", "after"]),
    )
    def check(path: str, task_query: dict[str, str], audit_query: dict[str, str]) -> None:
        _no_server_error(_get(client, path, task_query))
        _no_server_error(_get(client, "/audit/", audit_query))

    check()


def test_paths(login_as: LoginAs) -> None:
    client = login_as("admin")

    @HYPOTHESIS
    @given(st.sampled_from(["/workers/", "/schedules/", "/tasks/new/?from="]), TEXT)
    def check(prefix: str, value: str) -> None:
        quoted = urlencode({"": value}, errors="surrogatepass")[1:]
        suffix = "" if "?" in prefix else "/"
        _no_server_error(client.get(f"{prefix}{quoted}{suffix}"))

    check()


def test_the_submit_form(login_as: LoginAs) -> None:
    client = login_as("admin")

    @HYPOTHESIS
    @given(_fields(SUBMIT))
    def check(fields: dict[str, str]) -> None:
        _no_server_error(_post(client, "/tasks/new/", {**VALID_SUBMIT, **fields}))

    check()


@pytest.mark.parametrize("path", ["/schedules/_new/", "/admin/scheduler_core/schedulerecord/add/"])
def test_the_schedule_forms(login_as: LoginAs, path: str) -> None:
    client = login_as("superuser")

    @HYPOTHESIS
    @given(_fields(SCHEDULE))
    def check(fields: dict[str, str]) -> None:
        _no_server_error(_post(client, path, {**VALID_SCHEDULE, **fields}))

    check()


def test_a_valid_run_reaches_the_database(login_as: LoginAs) -> None:
    # The properties above mean little if nothing valid ever got through: one that does.
    client = login_as("admin")
    moment = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    assert _get(client, "/tasks/", {"after": moment}).status_code == 200
    assert _post(client, "/tasks/new/", VALID_SUBMIT).status_code == 303
