"""Routes of the metrics pages (under /stats/: /metrics is the Prometheus exposition)."""

from django.urls import URLPattern, path

from .views import overview, queue, task_name

app_name = "metrics"

urlpatterns: list[URLPattern] = [
    path("", overview, name="overview"),
    path("tasks/<path:name>/", task_name, name="task"),
    path("queues/<path:queue>/", queue, name="queue"),
]
