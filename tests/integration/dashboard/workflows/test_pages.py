"""The workflows pages: list and filters, the run's SVG graph and table, actions, task page."""

from __future__ import annotations

import re
from datetime import timedelta

from scheduler_core.bootstrap import Services
from scheduler_core.models import AuditEntry
from scheduler_core.services import RunView, StepRequest
from scheduler_core.storage import DjangoQueue, DjangoTaskRepository

from ..conftest import LoginAs

LEASE = timedelta(minutes=1)


def diamond(services: Services, name: str = "diamond", **first: object) -> RunView:
    return services.workflows.enqueue(
        name,
        [
            StepRequest(key="a", task="demo.tasks.add", args=[1, 2], **first),  # type: ignore[arg-type]
            StepRequest(key="b", task="demo.tasks.noop", after=("a",)),
            StepRequest(key="c", task="demo.tasks.noop", after=("a",)),
            StepRequest(key="d", task="demo.tasks.noop", after=("b", "c")),
        ],
    )


def fail_first(services: Services) -> RunView:
    run = diamond(services, "doomed", max_attempts=1, queue="doomed")
    [claimed] = DjangoQueue(DjangoTaskRepository()).claim("w1", ["doomed"], 1, LEASE)
    services.workers.fail(claimed, ValueError("boom"), retryable=False)
    return run


def test_the_list_filters_by_name_and_status(services: Services, login_as: LoginAs) -> None:
    diamond(services, "first")
    fail_first(services)
    client = login_as("viewer")

    def listed(**query: str) -> str:
        # The list itself: the search box's suggestions elsewhere on the page name runs too.
        html = client.get("/workflows/", query).content.decode()
        return html[html.index("<main") :][html[html.index("<main") :].find("<table") :]

    page = listed()
    by_name = listed(name="first")
    running = listed(status="running")
    failed = listed(status="failed")

    assert "first" in page and "doomed" in page
    assert "first" in by_name and "doomed" not in by_name
    assert "first" in running and "doomed" not in running
    assert "doomed" in failed and ">first<" not in failed


def test_the_run_page_draws_the_graph_and_lists_every_step(
    services: Services, login_as: LoginAs
) -> None:
    run = diamond(services)

    response = login_as("viewer").get(f"/workflows/{run.id}/")

    html = response.content.decode()
    [svg] = re.findall(r"<svg class=\"wf-graph\".*?</svg>", html, re.S)
    assert 'role="img"' in svg and "style=" not in svg and "<script" not in svg
    assert svg.count('class="wf-node status-') == 4
    assert svg.count('class="wf-edge"') == 4
    for step in run.steps:
        assert f'href="/tasks/{step.id}/"' in svg
    assert "status-ready" in svg and "status-blocked" in svg
    # Live while it runs; a viewer sees no actions.
    assert 'hx-trigger="every 3s' in html
    assert "Cancel run" not in html


def test_names_are_escaped_in_the_page_and_the_picture(
    services: Services, login_as: LoginAs
) -> None:
    run = diamond(services, "<b>bold</b>")

    html = login_as("viewer").get(f"/workflows/{run.id}/").content.decode()

    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html


def test_a_crowded_column_is_drawn_as_one_group(services: Services, login_as: LoginAs) -> None:
    steps = [StepRequest(key="root", task="demo.tasks.noop")]
    steps += [
        StepRequest(key=f"part-{n}", task="demo.tasks.noop", after=("root",)) for n in range(40)
    ]
    run = services.workflows.enqueue("wide", steps)

    html = login_as("viewer").get(f"/workflows/{run.id}/").content.decode()

    assert html.count('class="wf-node wf-group') == 1
    assert "40 steps" in html
    # The table still lists every step.
    assert html.count('href="/tasks/') >= 41


def test_operators_cancel_a_run_and_retry_its_failures(
    services: Services, login_as: LoginAs
) -> None:
    failed = fail_first(services)
    running = diamond(services, "to-cancel")
    operator = login_as("operator")

    page = operator.get(f"/workflows/{failed.id}/").content.decode()
    assert "Retry failed steps" in page
    retried = operator.post(f"/workflows/{failed.id}/retry-failed/")
    cancelled = operator.post(f"/workflows/{running.id}/cancel/")

    assert (retried.status_code, cancelled.status_code) == (303, 303)
    assert services.workflows.get(failed.id).step("b").status.value == "blocked"
    assert services.workflows.get(running.id).status == "cancelled"
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "retry_workflow",
        "cancel_workflow",
    }


def test_viewers_cannot_act(services: Services, login_as: LoginAs) -> None:
    run = diamond(services)
    viewer = login_as("viewer")

    assert viewer.post(f"/workflows/{run.id}/cancel/").status_code == 403
    assert viewer.post(f"/workflows/{run.id}/retry-failed/").status_code == 403
    assert viewer.get(f"/workflows/{run.id}/cancel/").status_code == 405


def test_a_task_page_shows_its_workflow_parents_and_children(
    services: Services, login_as: LoginAs
) -> None:
    run = diamond(services)
    b = run.step("b")

    html = login_as("viewer").get(f"/tasks/{b.id}/").content.decode()

    assert f'href="/workflows/{run.id}/"' in html
    assert f'href="/tasks/{run.step("a").id}/"' in html
    assert f'href="/tasks/{run.step("d").id}/"' in html
    assert "waits for 1 more" in html


def test_an_unknown_run_is_404(services: Services, login_as: LoginAs) -> None:
    response = login_as("viewer").get("/workflows/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404


def test_a_workflow_schedule_shows_its_template(services: Services, login_as: LoginAs) -> None:
    from scheduler_core.domain import Schedule

    services.schedules.create(
        Schedule(
            name="nightly",
            task="nightly-report",
            interval_seconds=60,
            workflow=[{"key": "a", "task": "demo.tasks.noop"}],
        )
    )

    html = login_as("viewer").get("/schedules/nightly/").content.decode()

    assert "each firing starts a run named" in html
    assert "/workflows/?name=nightly-report" in html
