"""Re-arming the steps a failed step's failure cancelled, when an operator retries it.

Runs inside the transaction that stores the retry. On PostgreSQL it first locks the edges
into the steps it may re-arm: a parent finishing at that moment has consumed its edge (and
holds it) or has not yet; either way the statuses read after the lock say truthfully which
parents will still count, so a re-armed step waits for exactly the outcomes still to come.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import connections

from scheduler_core.domain import Task, TaskStatus, TaskTransition
from scheduler_core.domain.records import REARMED, WORKFLOW
from scheduler_core.domain.workflow import WorkflowEdge
from scheduler_core.domain.workflow_rearm import StepState, plan_rearm
from scheduler_core.models import TaskRecord, WorkflowEdgeRecord

from .event_rows import insert_transitions


def rearm_below(using: str, retried: Task, now: datetime) -> int:
    """Bring back the steps cancelled because `retried` failed, and on down; how many."""
    steps = TaskRecord.objects.using(using).filter(workflow_id=retried.workflow_id)
    edge_rows = WorkflowEdgeRecord.objects.using(using).filter(
        child__workflow_id=retried.workflow_id
    )
    candidates = steps.filter(status=TaskStatus.CANCELLED.value, upstream_failed__isnull=False)
    if connections[using].vendor == "postgresql":
        into = edge_rows.filter(child__in=candidates.values("id")).order_by("id")
        list(into.select_for_update().values_list("id", flat=True))
    states = {
        step_id: StepState(TaskStatus(status), upstream)
        for step_id, status, upstream in steps.values_list("id", "status", "upstream_failed")
    }
    edges = [
        WorkflowEdge(parent_id=parent, child_id=child, ignore_failure=ignore)
        for parent, child, ignore in edge_rows.values_list(
            "parent_id", "child_id", "ignore_failure"
        )
    ]
    plan = plan_rearm(retried.id, edges, states)
    transitions = []
    for child_id, parents in sorted(plan.items()):
        changed = steps.filter(
            id=child_id, status=TaskStatus.CANCELLED.value, upstream_failed__isnull=False
        ).update(
            status=TaskStatus.BLOCKED.value,
            parents_left=len(parents),
            upstream_failed=None,
            finished_at=None,
        )
        if not changed:
            continue
        WorkflowEdgeRecord.objects.using(using).filter(
            child_id=child_id, parent_id__in=parents
        ).update(resolved=False)
        transitions.append(_transition(child_id, now))
    insert_transitions(using, transitions)
    return len(transitions)


def _transition(task_id: UUID, now: datetime) -> TaskTransition:
    # Steps cancelled upstream never ran: their attempt is still 0.
    return TaskTransition(
        task_id=task_id,
        from_status=TaskStatus.CANCELLED,
        to_status=TaskStatus.BLOCKED,
        at=now,
        attempt=0,
        actor=WORKFLOW,
        reason=REARMED,
    )
