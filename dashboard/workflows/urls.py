"""Routes of the dashboard's workflows pages."""

from django.urls import URLPattern, path

from . import actions, views

app_name = "workflows"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    path("<uuid:run_id>/", views.detail, name="detail"),
    path("<uuid:run_id>/cancel/", actions.cancel, name="cancel"),
    path("<uuid:run_id>/retry-failed/", actions.retry_failed, name="retry-failed"),
]
