"""Routes of the dashboard's schedules pages.

A schedule name starts with a letter or digit, so "_new" and "_preview" can never be one.
"""

from django.urls import URLPattern, path, register_converter

from . import actions, editing, views


class ScheduleNameConverter:
    """A schedule name in a URL: letters, digits, '_', '.', ':' and '-' (Schedule's rule)."""

    regex = r"[A-Za-z0-9][A-Za-z0-9_.:-]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ScheduleNameConverter, "schedule")

app_name = "schedules"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    path("_new/", editing.new, name="new"),
    path("_preview/", views.preview, name="preview"),
    path("<schedule:name>/", views.detail, name="detail"),
    path("<schedule:name>/edit/", editing.edit, name="edit"),
    path("<schedule:name>/delete/", editing.delete, name="delete"),
    path("<schedule:name>/run-now/", actions.run_now, name="run-now"),
    path("<schedule:name>/pause/", actions.pause, name="pause"),
    path("<schedule:name>/resume/", actions.resume, name="resume"),
]
