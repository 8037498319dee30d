"""Routes of the dashboard's tasks pages."""

from django.urls import URLPattern, path

from . import actions, bulk
from .detail_view import task_detail
from .find_view import find_task
from .list_view import task_list

app_name = "tasks"

urlpatterns: list[URLPattern] = [
    path("", task_list, name="list"),
    path("find/", find_task, name="find"),
    path("bulk/", bulk.bulk_selected, name="bulk"),
    path("bulk/<slug:name>/", bulk.bulk_filter, name="bulk_filter"),
    path("<uuid:task_id>/", task_detail, name="detail"),
    path("<uuid:task_id>/cancel/", actions.cancel, name="cancel"),
    path("<uuid:task_id>/retry/", actions.retry, name="retry"),
    path("<uuid:task_id>/run-now/", actions.run_now, name="run_now"),
    path("<uuid:task_id>/delete/", actions.delete, name="delete"),
]
