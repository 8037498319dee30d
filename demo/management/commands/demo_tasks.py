"""`manage.py demo_tasks --count N`: enqueue a mix of the demo tasks to watch them run."""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.tasks import Task
from django.utils import timezone

from demo import tasks
from scheduler_core.bootstrap import get_services

MAX_COUNT = 10_000
# Share of tasks held back, to show scheduled tasks becoming due.
DELAYED_SHARE = 0.2

Arguments = Callable[[random.Random], list[Any]]
# Each kind of task: the task, its weight in the mix (quick ones dominate, as in real life),
# and the arguments of one call.
KINDS: dict[str, tuple[Task[..., Any], int, Arguments]] = {
    "add": (tasks.add, 4, lambda rng: [rng.randint(1, 99), rng.randint(1, 99)]),
    "sleep_for": (tasks.sleep_for, 2, lambda rng: []),
    "flaky": (tasks.flaky, 2, lambda rng: [0.5]),
    "always_fails": (tasks.always_fails, 1, lambda rng: ["a demo failure"]),
    "report": (tasks.report, 1, lambda rng: ["demo"]),
    "greet": (tasks.greet, 1, lambda rng: [rng.choice(["Ada", "Grace", "Linus"])]),
}


def positive_count(text: str) -> int:
    """argparse type: a whole number from 1 to MAX_COUNT."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_COUNT}")
    return count


class Command(BaseCommand):
    help = "Enqueue a mix of demo tasks: quick, slow, flaky, failing, delayed and async."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--count", type=positive_count, default=20, help="how many tasks (default 20)"
        )
        parser.add_argument("--seed", type=int, help="random seed, for a repeatable mix")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only when the database holds no task (make run: demo work on the first run)",
        )

    def handle(
        self, *args: Any, count: int, seed: int | None, if_empty: bool, **options: Any
    ) -> None:
        if if_empty and any(get_services().tasks.counts().values()):
            self.stdout.write("Tasks exist already: no demo tasks enqueued (run demo_tasks).")
            return
        rng = random.Random(seed)
        kinds = rng.choices(list(KINDS), weights=[w for _, w, _ in KINDS.values()], k=count)
        delayed = 0
        for kind in kinds:
            task, _, arguments = KINDS[kind]
            if rng.random() < DELAYED_SHARE:
                delayed += 1
                task = task.using(run_after=timezone.now() + timedelta(seconds=rng.randint(10, 60)))
            task.enqueue(*arguments(rng))
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(kinds).items()))
        self.stdout.write(f"Enqueued {count} demo tasks ({delayed} delayed by 10-60 s): {summary}.")
