"""Routes of the dashboard's tasks pages."""

from django.urls import URLPattern, path

from . import views

app_name = "tasks"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
]
