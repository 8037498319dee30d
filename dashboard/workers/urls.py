"""Routes of the dashboard's workers pages."""

from django.urls import URLPattern, path

from . import controls, views

app_name = "workers"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    # path, not str: a worker id is free text and may hold a slash. The actions come first,
    # or a worker id ending in "/quiet" could not be told from them.
    path("<path:worker_id>/quiet/", controls.quiet, name="quiet"),
    path("<path:worker_id>/stop/", controls.stop, name="stop"),
    path("<path:worker_id>/resume/", controls.resume, name="resume"),
    path("<path:worker_id>/", views.detail, name="detail"),
]
