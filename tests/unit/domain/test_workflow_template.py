"""A schedule's workflow template: its steps read with defaults, and each fault named."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler_core.domain import ScheduleInvalid
from scheduler_core.domain.defaults import DEFAULT_MAX_ATTEMPTS, DEFAULT_QUEUE
from scheduler_core.domain.workflow import MAX_STEPS, StepSpec, check_steps
from scheduler_core.domain.workflow_template import TemplateStep, read_template


def test_a_step_is_read_with_every_option_it_leaves_out_filled_in() -> None:
    steps = read_template(
        "nightly",
        [
            {"key": "fetch", "task": "jobs.fetch"},
            {
                "key": "load",
                "task": "jobs.load",
                "args": [1],
                "kwargs": {"full": True},
                "after": ["fetch"],
                "queue": "etl",
                "priority": 5,
                "max_attempts": 7,
                "ignore_failure_of": ["fetch"],
            },
        ],
    )

    assert steps == [
        TemplateStep(key="fetch", task="jobs.fetch"),
        TemplateStep(
            key="load",
            task="jobs.load",
            args=[1],
            kwargs={"full": True},
            after=("fetch",),
            queue="etl",
            priority=5,
            max_attempts=7,
            ignore_failure_of=("fetch",),
        ),
    ]
    assert (steps[0].queue, steps[0].priority, steps[0].max_attempts) == (
        DEFAULT_QUEUE,
        0,
        DEFAULT_MAX_ATTEMPTS,
    )


def test_explicit_nulls_take_the_defaults() -> None:
    [step] = read_template(
        "n", [{"key": "a", "task": "t", "queue": None, "priority": None, "max_attempts": None}]
    )
    assert (step.queue, step.priority, step.max_attempts) == (
        DEFAULT_QUEUE,
        0,
        DEFAULT_MAX_ATTEMPTS,
    )


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        (None, "workflow", "non-empty list"),
        ([], "workflow", "non-empty list"),
        ({"key": "a", "task": "t"}, "workflow", "non-empty list"),
        (["a"], "workflow[0]", "each step is an object"),
        ([{"key": "a", "task": "t", "retries": 3}], "workflow[0]", "unknown keys ['retries']"),
        ([{"task": "t"}], "workflow[0]", "string key and a string task"),
        ([{"key": "a", "task": ""}], "workflow[0]", "string key and a string task"),
        ([{"key": "a", "task": 5}], "workflow[0]", "string key and a string task"),
        ([{"key": "a", "task": "t"}, 7], "workflow[1]", "each step is an object"),
        ([{"key": "a", "task": "t", "after": "b"}], "workflow[0].after", "list of step keys"),
        (
            [{"key": "a", "task": "t", "ignore_failure_of": [1]}],
            "workflow[0].ignore_failure_of",
            "list of step keys",
        ),
    ],
)
def test_a_malformed_template_names_the_step_and_the_field(
    raw: object, field: str, words: str
) -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        read_template("nightly", raw)
    assert caught.value.field == field
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("steps", "field", "words"),
    [
        ([{"key": "a b", "task": "t"}], "workflow.steps['a b'].key", "A-Z a-z"),
        ([{"key": "a", "task": "t"}] * 2, "workflow.steps['a'].key", "another step"),
        ([{"key": "a", "task": "t", "after": ["z"]}], "workflow.steps['a'].after", "no step"),
        ([{"key": "a", "task": "t", "after": ["a"]}], "workflow.steps['a'].after", "itself"),
        (
            [{"key": "a", "task": "t"}, {"key": "b", "task": "t", "after": ["a", "a"]}],
            "workflow.steps['b'].after",
            "named twice",
        ),
        (
            [{"key": "a", "task": "t"}, {"key": "b", "task": "t", "ignore_failure_of": ["a"]}],
            "workflow.steps['b'].ignore_failure_of",
            "not in after",
        ),
        (
            [{"key": "a", "task": "t", "after": ["b"]}, {"key": "b", "task": "t", "after": ["a"]}],
            "workflow.steps['a'].after",
            "cycle: a -> b -> a",
        ),
        (
            [{"key": "a", "task": "t", "priority": "high"}],
            "workflow.steps['a'].priority",
            "integer",
        ),
        ([{"key": "a", "task": "t", "queue": ""}], "workflow.steps['a'].queue", "non-empty"),
        (
            [{"key": "a", "task": "no spaces allowed"}],
            "workflow.steps['a'].task",
            "dotted Python name",
        ),
        (
            [{"key": "a", "task": "t", "args": {"x": 1}}],
            "workflow.steps['a'].args",
            "must be a list",
        ),
    ],
)
def test_a_step_that_breaks_a_rule_names_itself_under_workflow(
    steps: list[dict[str, Any]], field: str, words: str
) -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        read_template("nightly", steps)
    assert caught.value.field == field
    assert words in caught.value.message


@pytest.mark.parametrize(("name", "field"), [("", "workflow.name"), ("n" * 201, "workflow.name")])
def test_the_workflow_s_name_follows_the_workflow_rule(name: str, field: str) -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        read_template(name, [{"key": "a", "task": "t"}])
    assert caught.value.field == field


def test_parents_come_first_in_the_order_check_steps_gives() -> None:
    steps = read_template(
        "n",
        [
            {"key": "c", "task": "t", "after": ["b"]},
            {"key": "b", "task": "t", "after": ["a"]},
            {"key": "a", "task": "t"},
        ],
    )
    order = check_steps("n", [StepSpec(key=s.key, after=s.after) for s in steps])
    assert order == ["a", "b", "c"]


def test_more_steps_than_a_run_holds_are_refused() -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        read_template("n", [{"key": f"s{i}", "task": "t"} for i in range(MAX_STEPS + 1)])
    assert caught.value.field == "workflow.steps"
    assert str(MAX_STEPS) in caught.value.message
