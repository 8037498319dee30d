"""Whether anything in this process hears django.tasks' task_started and task_finished.

A slot sends both signals for each attempt, with a django.tasks TaskResult built for them.
For a no-op that was about a third of a slot's busy CPU (py-spy of a drain, round 17).
Django connects a receiver of its own to each, which logs the attempt at INFO on the
"django.tasks" logger. Where that logger drops INFO (LOG_LEVEL=WARNING) and no other
receiver is connected, sending them has no effect at all, and the slot skips them and the
TaskResult (execution.py). A failure is told all the same: Django's receiver logs it at
ERROR. Asked at each attempt, so a receiver connected at any time is heard from then on.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from django.tasks import signals


def started_and_finished_heard(sender: type) -> bool:
    """True when sending task_started and task_finished from `sender` does anything."""
    if signals.logger.isEnabledFor(logging.INFO):
        return True
    return _others_listen(signals.task_started, signals.log_task_started, sender) or (
        _others_listen(signals.task_finished, signals.log_task_finished, sender)
    )


def _others_listen(signal: Any, own: Any, sender: type) -> bool:
    # Most often Django's own receiver is the only one connected: known without resolving
    # the receivers for the sender under the signal's lock (a twentieth of a no-op's slot
    # CPU, round 20).
    if len(signal.receivers) == 1 and not signal._dead_receivers:
        only = signal.receivers[0][1]
        if (only() if isinstance(only, weakref.ReferenceType) else only) is own:
            return False
    # The receivers `send` would call (weak references resolved, dead ones dropped).
    sync, asynchronous = signal._live_receivers(sender)
    return bool(asynchronous) or any(receiver is not own for receiver in sync)
