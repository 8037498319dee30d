"""Routes of the dashboard's submit page, under /tasks/new/."""

from django.urls import URLPattern, path

from . import views

app_name = "submit"

urlpatterns: list[URLPattern] = [
    path("", views.new, name="new"),
    path("signature/", views.signature, name="signature"),
]
