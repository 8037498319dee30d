"""The dashboard's pages, under the "dashboard" URL namespace; each area owns its routes."""

from django.urls import URLPattern, URLResolver, include, path

from .overview.views import overview

app_name = "dashboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", overview, name="overview"),
    # Before tasks/<uuid>/ so that "new" is never read as a task id.
    path("tasks/new/", include("dashboard.submit.urls")),
    path("tasks/", include("dashboard.tasks.urls")),
    path("failures/", include("dashboard.failures.urls")),
    path("stats/", include("dashboard.metrics.urls")),
    path("workers/", include("dashboard.workers.urls")),
    path("queues/", include("dashboard.queues.urls")),
    path("schedules/", include("dashboard.schedules.urls")),
    path("workflows/", include("dashboard.workflows.urls")),
    path("audit/", include("dashboard.audit_log.urls")),
    path("alerts/", include("dashboard.alerts.urls")),
]
