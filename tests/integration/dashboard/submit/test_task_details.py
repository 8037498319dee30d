"""The task select lists registered tasks only; the chosen one's signature, doc and defaults."""

from __future__ import annotations

import re

from django.test import Client

from scheduler_core.task_backend.registry import registry
from tests.integration.dashboard.submit import xss_tasks

from .helpers import NEW, SIGNATURE

HOSTILE = xss_tasks.hostile.module_path
PAYLOADS_RAW = ("<script>alert(", "<img src=x")


def task_options(html: str) -> list[str]:
    """The values of the task <select>'s options."""
    select = re.search(r'<select name="task".*?</select>', html, re.DOTALL)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def test_the_select_lists_exactly_the_registered_tasks(operator: Client) -> None:
    options = task_options(operator.get(NEW).text)

    assert options == registry.names()
    assert "demo.tasks.add" in options
    assert HOSTILE in options
    assert not any(name.startswith(("os.", "builtins.")) for name in options)


def test_the_select_asks_for_the_signature_when_it_changes(operator: Client) -> None:
    html = operator.get(NEW).text

    assert f'hx-get="{SIGNATURE}" hx-trigger="change"' in html
    assert 'hx-target="#task-details"' in html


def test_the_page_describes_the_chosen_task(operator: Client) -> None:
    response = operator.get(NEW, {"task": "demo.tasks.sleep_for"})

    assert '<option value="demo.tasks.sleep_for" selected>' in response.text
    assert "sleep_for(seconds: float | None = None) -&gt; float" in response.text
    assert "Sleep for `seconds`" in response.text
    assert "<dt>Timeout</dt><dd>60 s</dd>" in response.text


def test_the_fragment_gives_signature_doc_and_defaults(operator: Client) -> None:
    response = operator.get(SIGNATURE, {"task": "demo.tasks.greet"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert 'id="task-details"' in html
    assert "greet(name: str) -&gt; str" in html
    assert "then greet `name`" in html
    assert "<dt>Priority</dt><dd>10</dd>" in html
    # The "task's default" hints next to the fields follow the chosen task.
    assert '<span id="default-priority" class="default-value" hx-swap-oob="true">10</span>' in html


def test_the_fragment_escapes_the_task_docstring_and_defaults(operator: Client) -> None:
    html = operator.get(SIGNATURE, {"task": HOSTILE}).text

    assert not any(raw in html for raw in PAYLOADS_RAW)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_escapes_the_task_docstring(operator: Client) -> None:
    html = operator.get(NEW, {"task": HOSTILE}).text

    assert not any(raw in html for raw in PAYLOADS_RAW)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_an_unknown_name_gets_404_and_is_escaped(operator: Client) -> None:
    response = operator.get(SIGNATURE, {"task": "<script>alert(1)</script>"})

    assert response.status_code == 404
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is not a registered task" in response.text
    assert "<script>alert(" not in response.text


def test_the_fragment_gives_the_effective_retry_policy(operator: Client) -> None:
    response = operator.get(
        SIGNATURE, {"task": "demo.tasks.import_rows"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert "data-retry-policy" in html
    assert "retries only on OSError" in html and "never retries on ValueError" in html
    assert "soft time limit 50s" in html
