"""Routes of the dashboard's schedules pages."""

from django.urls import URLPattern, path

from . import views

app_name = "schedules"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
]
