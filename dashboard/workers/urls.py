"""Routes of the dashboard's workers pages."""

from django.urls import URLPattern, path

from . import views

app_name = "workers"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    # path, not str: a worker id is free text and may hold a slash.
    path("<path:worker_id>/", views.detail, name="detail"),
]
