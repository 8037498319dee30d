"""The NinjaAPI instance: routers, authentication, error shapes, OpenAPI at /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from .auth import API_AUTH
from .errors import install_error_handlers
from .parser import StrictJsonParser
from .routes import alerts, bulk, catalog, queues, schedules, tasks, workers, workflows

api = NinjaAPI(
    title="Scheduler API",
    version="1",
    description=(
        "Submit, inspect and steer tasks. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `manage.py api_token create`) or a logged-in session with its "
        "CSRF token. Errors have the body `{error: {code, message, field}}`."
    ),
    auth=API_AUTH,
    parser=StrictJsonParser(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api-v1",
)
install_error_handlers(api)
# Before tasks: its /tasks/cancel and /tasks/retry are not task ids.
api.add_router("", bulk.router)
api.add_router("", tasks.router)
api.add_router("", workers.router)
api.add_router("", queues.router)
api.add_router("", catalog.router)
api.add_router("", schedules.router)
api.add_router("", alerts.router)
api.add_router("", workflows.router)
