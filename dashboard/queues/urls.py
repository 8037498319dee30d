"""Routes of the dashboard's queues pages."""

from django.urls import URLPattern, path

from . import views

app_name = "queues"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
]
