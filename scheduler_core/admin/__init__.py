"""The admin site's pages over the scheduler's tables, one module per kind of row.

Django imports `scheduler_core.admin` to find them; `tasks` registers the task, error,
event, worker and audit pages and imports the other modules, which register their own.
"""

from . import tasks  # noqa: F401
