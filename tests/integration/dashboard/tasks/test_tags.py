"""Tags in the task list: shown as links, filtered by ?tag=, and kept by "all matching"."""

from __future__ import annotations

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain import TaskStatus
from scheduler_core.models import AuditEntry

from .conftest import Submit

LIST = "/tasks/"


def test_the_list_filters_by_tag_and_links_each_tag(viewer: Client, submit: Submit) -> None:
    mine = submit(tags=["customer:42", "billing"])
    other = submit(tags=["customer:7"])

    html = viewer.get(LIST, {"tag": "customer:42"}).content.decode()

    assert str(mine.id) in html and str(other.id) not in html
    assert 'href="/tasks/?tag=customer%3A42">customer:42</a>' in html
    assert 'href="/tasks/?tag=billing">billing</a>' in html
    assert "1</strong> task match this filter" in html


def test_a_bad_tag_is_a_field_error(viewer: Client, submit: Submit) -> None:
    response = viewer.get(LIST, {"tag": "no spaces"})

    assert response.status_code == 400
    assert "must start with a letter or digit" in response.content.decode()


def test_all_matching_keeps_the_tag_filter(
    operator: Client, services: Services, submit: Submit
) -> None:
    tagged = [submit(tags=["import:7"]) for _ in range(3)]
    untagged = submit()

    confirm = operator.get("/tasks/bulk/cancel/", {"tag": "import:7"}).content.decode()
    response = operator.post("/tasks/bulk/cancel/?tag=import%3A7")

    assert 'id="bulk-count">3<' in confirm
    assert response.status_code == 303
    assert {services.tasks.status(t.id).status for t in tagged} == {TaskStatus.CANCELLED}
    assert services.tasks.status(untagged.id).status is TaskStatus.READY
    assert "tag=import%3A7" in AuditEntry.objects.get().target


def test_the_task_page_shows_tags_and_how_long_the_result_is_kept(
    viewer: Client, submit: Submit
) -> None:
    task = submit(tags=["billing"], result_ttl=3600)

    html = viewer.get(f"/tasks/{task.id}/").content.decode()

    assert '<a class="tag" href="/tasks/?tag=billing">billing</a>' in html
    assert "3600 s after the task finished" in html
