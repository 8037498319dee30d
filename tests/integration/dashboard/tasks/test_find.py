"""Finding tasks: the search box, counts beside the statuses, the filter's total."""

from __future__ import annotations

import re
from unittest import mock
from uuid import uuid4

import pytest
from django.test import Client

from dashboard.tasks import totals
from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskFilter
from scheduler_core.domain.ports import SubmitRequest

from .conftest import Make, Submit

FIND = "/tasks/find/"


def test_a_task_id_jumps_to_the_task(viewer: Client, submit: Submit) -> None:
    task = submit()

    response = viewer.get(FIND, {"q": f" {task.id} "})

    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.id}/"


def test_an_unknown_task_id_says_so(viewer: Client, services: Services) -> None:
    missing = uuid4()

    response = viewer.get(FIND, {"q": str(missing)})

    assert response.status_code == 404
    assert f"No task has the id <code>{missing}</code>" in response.content.decode()


def test_the_end_of_a_task_name_opens_the_list_of_that_name(viewer: Client, submit: Submit) -> None:
    submit(name="demo.tasks.noop")

    # A prefix of the whole name: other test modules register tasks ending in "noop" too.
    response = viewer.get(FIND, {"q": "demo.tasks.no"})

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?name=demo.tasks.noop"


def test_a_queue_prefix_opens_the_list_of_that_queue(viewer: Client, submit: Submit) -> None:
    submit(queue="emails-urgent")

    response = viewer.get(FIND, {"q": "emails-u"})

    assert response["Location"] == "/tasks/?queue=emails-urgent"


def test_several_fits_ask_which_was_meant(viewer: Client, submit: Submit) -> None:
    submit(queue="demo-queue")

    body = viewer.get(FIND, {"q": "demo"}).content.decode()

    assert 'href="/tasks/?name=demo.tasks.add"' in body
    assert 'href="/tasks/?queue=demo-queue"' in body
    assert 'href="/tasks/?search=demo"' in body


def test_other_text_searches_the_arguments(viewer: Client, services: Services) -> None:
    response = viewer.get(FIND, {"q": "order-7"})

    assert response["Location"] == "/tasks/?search=order-7"


def test_the_box_suggests_task_names_and_queues(viewer: Client, submit: Submit) -> None:
    submit(queue="emails")

    body = viewer.get("/").content.decode()

    box = re.search(r'<datalist id="find-choices">(.*?)</datalist>', body, re.S)
    assert box
    options = re.findall(r'<option value="([^"]+)">', box.group(1))
    assert "demo.tasks.add" in options and "emails" in options
    assert options.index("demo.tasks.add") < options.index("emails")


def test_live_fragments_do_not_read_the_suggestions(viewer: Client, submit: Submit) -> None:
    submit()
    with mock.patch("dashboard.tasks.suggestions.queue_counts") as read:
        viewer.get("/tasks/", headers={"HX-Request": "true"})

    read.assert_not_called()


def counts_on(body: str) -> dict[str, int]:
    return {s: int(n) for s, n in re.findall(r'data-status-count="(\w+)">(\d+)<', body)}


def total_on(body: str) -> str:
    found = re.search(r'data-total="([\d+]+)"', body)
    assert found
    return found.group(1)


def test_each_status_shows_its_count_and_the_list_its_total(
    viewer: Client, submit: Submit, running: Make, failed: Make
) -> None:
    for _ in range(3):
        submit()
    submit(queue="emails")
    running()
    failed()

    body = viewer.get("/tasks/").content.decode()
    in_emails = viewer.get("/tasks/?queue=emails").content.decode()

    assert counts_on(body)["ready"] == 4
    assert counts_on(body)["running"] == 1 and counts_on(body)["failed"] == 1
    assert total_on(body) == "6"
    assert counts_on(in_emails)["ready"] == 1 and "Counts: queue emails" in in_emails
    assert total_on(viewer.get("/tasks/?status=ready&status=failed").content.decode()) == "5"
    assert total_on(viewer.get("/tasks/?name=demo.tasks.add&status=ready").content.decode()) == "4"


def test_a_total_past_the_cap_says_so(
    viewer: Client, submit: Submit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(totals, "TOTAL_CAP", 2)
    for n in range(26):
        submit(args=[n, n])

    # More than a page: counted, up to the cap.
    body = viewer.get("/tasks/?name=demo.tasks.add&size=25").content.decode()
    # A first page that holds every match is its own exact total, no count at all.
    whole = viewer.get("/tasks/?name=demo.tasks.add&search=[1,").content.decode()

    assert total_on(body) == "2+"
    assert "counted up to 2" in body
    assert total_on(whole) == "1"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_totals_agree_with_the_rows_on_both_engines(viewer: Client, on_backend: Services) -> None:
    for n in range(5):
        on_backend.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[n, n]))
    on_backend.tasks.submit(SubmitRequest(name="demo.tasks.noop", queue="q2"))

    def rows(query: str) -> tuple[str, int]:
        body = viewer.get(f"/tasks/?{query}").content.decode()
        return total_on(body), len(re.findall(r'href="/tasks/[0-9a-f-]{36}/"', body))

    assert rows("") == ("6", 6)
    assert rows("queue=q2") == ("1", 1)
    assert rows("name=demo.tasks.add") == ("5", 5)
    assert rows("search=3") == ("1", 1)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_enqueued_column_sorts_oldest_first_page_by_page(
    viewer: Client, on_backend: Services
) -> None:
    made = [
        on_backend.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[n, n])).task
        for n in range(5)
    ]

    def walk(query: str) -> list[str]:
        seen: list[str] = []
        url = f"/tasks/?size=25&{query}"
        body = viewer.get(url).content.decode()
        seen += re.findall(r'href="/tasks/([0-9a-f-]{36})/"', body)
        return seen

    newest = walk("")
    oldest = walk("sort=oldest")
    oldest_search = walk("sort=oldest&search=,")

    assert newest == [str(t.id) for t in reversed(made)]
    assert oldest == [str(t.id) for t in made] == oldest_search
    body = viewer.get("/tasks/").content.decode()
    assert 'aria-sort="descending"' in body and "sort=oldest" in body


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_search_total_stops_at_the_cap_either_way(
    viewer: Client, on_backend: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(totals, "TOTAL_CAP", 2)
    for n in range(27):
        on_backend.tasks.submit(
            SubmitRequest(name="demo.tasks.add", args=[n, n], kwargs={})
            if n
            else SubmitRequest(name="demo.tasks.noop", kwargs={}, args=[])
        )

    def total(term: str) -> str:
        return total_on(viewer.get(f"/tasks/?size=25&search={term}").content.decode())

    # "[1, 1]" ... every add: common among the newest rows, counted there up to the cap.
    assert total(", ") == "2+"
    # A term in one old task only: the index answers it exactly.
    assert total("[]") == "1"
    assert on_backend.tasks.count(TaskFilter(search=", "), up_to=3) == 3
    assert on_backend.tasks.count(TaskFilter(search=", ")) == 26
