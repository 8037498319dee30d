"""Keyset cursors and page requests for task lists."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from scheduler_core.domain import Cursor, Page, PageRequest, TaskFilter, TaskInvalid
from scheduler_core.domain.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


def token_of(value: object) -> str:
    """A well-formed token around any JSON value, the way a forger would make one."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


MOMENT = "2026-01-01T12:00:00+00:00"
TASK_ID = "0b9a7c55-8d4e-4a1b-9c1a-3f6a2d9e8b7c"


@pytest.mark.parametrize(
    "enqueued_at",
    [
        datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 6, 1, tzinfo=timezone(-timedelta(hours=7))),
    ],
)
def test_cursor_round_trip(enqueued_at: datetime) -> None:
    cursor = Cursor(enqueued_at, uuid4())

    token = cursor.encode()
    back = Cursor.decode(token)

    assert back == cursor
    assert back.enqueued_at.utcoffset() == enqueued_at.utcoffset()
    assert "=" not in token
    assert token.isascii() and "/" not in token and "+" not in token


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a",
        "!!!!",
        "not a cursor",
        "é",
        token_of(None),
        token_of("text"),
        token_of(5),
        token_of([]),
        token_of([MOMENT]),
        token_of([MOMENT, TASK_ID, "extra"]),
        token_of(["yesterday", TASK_ID]),
        token_of([MOMENT, "not-a-uuid"]),
        token_of([MOMENT, 5]),
        token_of([MOMENT, [TASK_ID]]),
        token_of([12345, TASK_ID]),
        token_of([None, TASK_ID]),
        token_of({"a": 1}),
        base64.urlsafe_b64encode(b"\xff\xfe[1, 2]").decode(),
    ],
)
def test_garbage_cursor_is_refused(token: str) -> None:
    with pytest.raises(TaskInvalid) as caught:
        Cursor.decode(token)

    assert caught.value.field == "cursor"


def test_cursor_with_a_naive_datetime_is_refused() -> None:
    token = Cursor(datetime(2026, 1, 1, 12, 0), UUID(TASK_ID)).encode()

    with pytest.raises(TaskInvalid) as caught:
        Cursor.decode(token)

    assert caught.value.field == "cursor"


def test_a_hand_made_token_in_the_right_shape_decodes() -> None:
    cursor = Cursor.decode(token_of([MOMENT, TASK_ID]).rstrip("="))

    assert cursor == Cursor(datetime.fromisoformat(MOMENT), UUID(TASK_ID))


@pytest.mark.parametrize("limit", [1, 2, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE])
def test_page_request_accepts_limits_in_range(limit: int) -> None:
    assert PageRequest(limit=limit).limit == limit


@pytest.mark.parametrize("limit", [0, -1, MAX_PAGE_SIZE + 1, True, 1.5, "10", None])
def test_page_request_refuses_other_limits(limit: object) -> None:
    with pytest.raises(TaskInvalid) as caught:
        PageRequest(limit=limit)  # type: ignore[arg-type]

    assert caught.value.field == "limit"


def test_defaults_restrict_nothing() -> None:
    assert PageRequest() == PageRequest(limit=DEFAULT_PAGE_SIZE, after=None)
    assert TaskFilter().statuses == frozenset()
    assert (TaskFilter().queue, TaskFilter().search) == (None, None)
    assert Page[int]() == Page(items=[], next_cursor=None)
