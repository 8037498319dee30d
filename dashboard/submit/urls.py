"""Routes of the dashboard's submit pages."""

from django.urls import URLPattern, path

from . import views

app_name = "submit"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="new"),
]
