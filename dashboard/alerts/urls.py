"""Routes of the dashboard's alerts pages."""

from django.urls import URLPattern, path

from . import actions, editing, views

app_name = "alerts"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    path("banner/", views.banner, name="banner"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<int:incident_id>/acknowledge/", actions.acknowledge, name="acknowledge"),
    path("rules/new/", editing.new, name="new"),
    path("rules/preview/", views.preview, name="preview"),
    path("rules/<int:rule_id>/", views.detail, name="detail"),
    path("rules/<int:rule_id>/edit/", editing.edit, name="edit"),
    path("rules/<int:rule_id>/delete/", editing.delete, name="delete"),
    path("rules/<int:rule_id>/silence/", actions.silence, name="silence"),
]
