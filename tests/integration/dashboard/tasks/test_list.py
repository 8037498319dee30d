"""The task list: rows, filters, keyset pages, live region, bad input."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from django.test import Client
from django.utils import timezone

from scheduler_core.bootstrap import Services

from .conftest import Make, Submit

LIST = "/tasks/"


def ids_on(body: str) -> list[str]:
    """Task ids linked from the table, in order."""
    return re.findall(r'href="/tasks/([0-9a-f-]{36})/"', body)


def test_anonymous_visitors_are_sent_to_log_in(client: Client, services: Services) -> None:
    response = client.get(LIST)

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_list_shows_each_task_with_its_facts(
    viewer: Client, submit: Submit, failed: Make
) -> None:
    ready = submit(args=[40, 2], queue="maths", priority=7)
    broken = failed()

    body = viewer.get(LIST).content.decode()

    # Newest first; enqueued in the same clock tick, the ids (made in order) break the tie.
    assert ids_on(body) == [str(broken.id), str(ready.id)]
    assert "badge-ready" in body and "badge-failed" in body
    assert "maths" in body and "[40, 2]" in body
    assert "1/1" in body and 'href="/workers/w1/"' in body


def test_tasks_enqueued_in_one_clock_tick_list_later_submit_first(
    viewer: Client, submit: Submit
) -> None:
    # SQLite stamps to the millisecond: forty quick submits share ticks, which random ids
    # used to order at random.
    made = [submit(args=[n, n]) for n in range(40)]

    body = viewer.get(LIST).content.decode()

    assert ids_on(body) == [str(task.id) for task in reversed(made)]


def test_the_empty_state_says_so(viewer: Client, services: Services) -> None:
    body = viewer.get(LIST).content.decode()

    assert "No tasks yet" in body


def test_each_filter_narrows_the_list(
    viewer: Client, submit: Submit, running: Make, failed: Make
) -> None:
    plain = submit(args=[1, 1])
    emails = submit(queue="emails", args=[5, 5])
    by_kwarg = submit(kwargs={"a": "Needle", "b": 1}, args=[])
    noop = submit(name="demo.tasks.noop")
    run = running(worker_id="w7")
    fail = failed()
    everything = {plain.id, emails.id, by_kwarg.id, noop.id, run.id, fail.id}

    def listed(**query: str | list[str]) -> set[str]:
        response = viewer.get(LIST, query)
        assert response.status_code == 200
        return set(ids_on(response.content.decode()))

    assert listed() == {str(i) for i in everything}
    assert listed(status=["running", "failed"]) == {str(run.id), str(fail.id)}
    assert listed(queue="emails") == {str(emails.id)}
    assert listed(name="demo.tasks.noop") == {str(noop.id)}
    assert listed(worker="w7") == {str(run.id)}
    assert listed(search="needle") == {str(by_kwarg.id)}
    assert listed(queue="emails", status=["failed"]) == set()
    tomorrow = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    yesterday = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert listed(after=tomorrow) == set()
    assert listed(before=yesterday) == set()
    assert len(listed(after=yesterday, before=tomorrow)) == 6


def test_no_match_shows_the_filtered_empty_state(viewer: Client, submit: Submit) -> None:
    submit()

    body = viewer.get(LIST, {"queue": "nowhere"}).content.decode()

    assert "No tasks match these filters." in body


def test_pages_follow_the_cursor_keeping_filters_without_duplicates(
    viewer: Client, submit: Submit
) -> None:
    wanted = {str(submit(args=[n, n]).id) for n in range(60)}
    for _ in range(3):
        submit(queue="other")

    seen: list[str] = []
    url = f"{LIST}?queue=default&size=25"
    pages = 0
    while url:
        body = viewer.get(url).content.decode()
        seen += ids_on(body)
        pages += 1
        older = re.search(r'href="(\?[^"]*)" rel="next"', body)
        url = LIST + older.group(1).replace("&amp;", "&") if older else ""
        if older:
            assert "queue=default" in url and "size=25" in url

    assert pages == 3
    assert len(seen) == len(set(seen)) == 60
    assert set(seen) == wanted


def test_page_size_is_chosen_from_the_list(viewer: Client, submit: Submit) -> None:
    for n in range(30):
        submit(args=[n, n])

    assert len(ids_on(viewer.get(LIST, {"size": "25"}).content.decode())) == 25
    assert len(ids_on(viewer.get(LIST).content.decode())) == 30
    refused = viewer.get(LIST, {"size": "7"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()


def test_only_the_first_page_is_live(viewer: Client, submit: Submit) -> None:
    for n in range(30):
        submit(args=[n, n])

    first = viewer.get(LIST, {"size": "25"}).content.decode()
    cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", first)
    assert cursor is not None
    later = viewer.get(LIST, {"size": "25", "cursor": cursor.group(1)}).content.decode()

    assert "data-live" in first and 'hx-trigger="every 2s, live-refresh"' in first
    assert 'id="live-toggle"' in first and "live-indicator" in first
    assert "data-live" not in later and "Newest" in later
    assert len(ids_on(later)) == 5


def test_an_htmx_poll_gets_the_table_fragment_only(viewer: Client, submit: Submit) -> None:
    task = submit()

    response = viewer.get(LIST, headers={"HX-Request": "true"})
    body = response.content.decode()

    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="task-table"')
    assert str(task.id) in body and "<html" not in body


def test_bad_filters_get_a_clear_message_not_a_500(viewer: Client, submit: Submit) -> None:
    submit()
    cases = {
        "status=exploded": "Select a valid choice",
        "cursor=not-a-cursor": "page link is broken",
        "after=yesterday": "Enter a date and time",
        "after=2026-01-02T00:00&before=2026-01-01T00:00": "Must be later",
        "queue=" + "q" * 101: "at most 100 characters",
        "search=%00": "Null characters are not allowed",
    }
    for query, message in cases.items():
        response = viewer.get(f"{LIST}?{query}")
        body = response.content.decode()
        assert response.status_code == 400, query
        assert message in body, query
        assert "<table" not in body, query


def test_a_time_without_offset_is_read_as_utc(viewer: Client, submit: Submit) -> None:
    task = submit()
    moment = task.enqueued_at.astimezone(UTC)
    just_before = (moment - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    just_after = (moment + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")

    assert ids_on(viewer.get(LIST, {"after": just_before}).content.decode()) == [str(task.id)]
    assert ids_on(viewer.get(LIST, {"after": just_after}).content.decode()) == []
    assert "UTC" in viewer.get(LIST).content.decode()


def test_selection_checkboxes_and_bulk_bar_only_for_operators(
    viewer: Client, operator: Client, admin: Client, submit: Submit
) -> None:
    submit()

    seen = viewer.get(LIST).content.decode()
    acting = operator.get(LIST).content.decode()
    deleting = admin.get(LIST).content.decode()

    assert 'data-select="tasks"' not in seen and "bulk-form" not in seen
    assert 'data-select="tasks"' in acting and 'form="bulk-form"' in acting
    assert 'value="cancel"' in acting and 'value="delete"' not in acting
    assert 'value="delete"' in deleting
