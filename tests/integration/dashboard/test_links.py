"""Issue 17 point 7 and the metrics pages' entrances: overview counts and queue names open
the filtered task list, the nav and the tokens page link the API docs, and the task list,
the queues page and the overview link the metrics pages."""

from __future__ import annotations

import re

from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest


def test_overview_counts_and_queue_names_open_the_filtered_list(
    viewer: Client, services: Services
) -> None:
    for _ in range(2):
        services.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[1, 2], queue="mail"))
    html = viewer.get("/").content.decode()
    assert '<a href="/tasks/?queue=mail">mail</a>' in html
    assert re.search(r'<a href="/tasks/\?queue=mail&amp;status=ready"[^>]*>2</a>', html)
    assert re.search(r'<a href="/tasks/\?queue=mail"[^>]*>2</a>', html)  # the total
    assert 'href="/stats/queues/mail/"' in html
    # The list those links open shows those tasks.
    listed = viewer.get("/tasks/?queue=mail&status=ready").content.decode()
    assert 'data-total="2"' in listed


def test_the_nav_and_the_tokens_page_link_the_api_docs_and_the_metrics(viewer: Client) -> None:
    tokens = viewer.get("/account/tokens/").content.decode()
    nav = tokens.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/api/v1/docs"' in nav
    assert 'href="/stats/"' in nav
    assert "data-api-docs" in tokens.split("</nav>", 1)[1]


def test_the_task_list_and_queues_page_link_the_metrics_pages(
    viewer: Client, services: Services
) -> None:
    services.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[1, 2], queue="mail"))
    by_name = viewer.get("/tasks/?name=demo.tasks.add").content.decode()
    assert 'href="/stats/tasks/demo.tasks.add/" data-metrics-link' in by_name
    by_queue = viewer.get("/tasks/?queue=mail").content.decode()
    assert 'href="/stats/queues/mail/" data-metrics-link' in by_queue
    queues = viewer.get("/queues/").content.decode()
    assert 'href="/stats/queues/mail/"' in queues
    assert viewer.get("/stats/queues/mail/").status_code == 200
