"""Routes of the failures page."""

from django.urls import URLPattern, path

from .views import failures

app_name = "failures"

urlpatterns: list[URLPattern] = [path("", failures, name="list")]
