"""Routes of the dashboard's queues pages."""

from django.urls import URLPattern, path

from . import views

app_name = "queues"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="list"),
    path("<str:name>/pause/", views.pause, name="pause"),
    path("<str:name>/resume/", views.resume, name="resume"),
    path("<str:name>/limit/", views.limit, name="limit"),
    path("<str:name>/rate/", views.rate, name="rate"),
]
