"""The JSON log formatter (LOG_FORMAT=json)."""

from __future__ import annotations

import json
import logging
import sys
from uuid import UUID

from dashboard.log_format import JsonFormatter


def _record(**extra: object) -> logging.LogRecord:
    logger = logging.getLogger("scheduler_core.executor.supervisor")
    return logger.makeRecord(
        logger.name, logging.INFO, "f.py", 1, "task %s done", ("t1",), None, extra=extra
    )


def test_one_json_line_with_the_extra_fields() -> None:
    task_id = UUID(int=7)
    line = JsonFormatter().format(_record(task_id=task_id, attempt=2, duration=0.5))

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "task t1 done"
    assert (entry["level"], entry["logger"]) == ("INFO", "scheduler_core.executor.supervisor")
    assert (entry["task_id"], entry["attempt"], entry["duration"]) == (str(task_id), 2, 0.5)
    assert "args" not in entry and "msg" not in entry


def test_exceptions_are_kept_in_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record()
        record.exc_info = sys.exc_info()

    entry = json.loads(JsonFormatter().format(record))

    assert "ValueError: boom" in entry["exception"]
