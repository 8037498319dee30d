"""Routes of the dashboard's audit log pages."""

from django.urls import URLPattern, path

from . import views

app_name = "audit"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    path("<int:entry_id>/", views.detail, name="detail"),
]
