"""URL routes of the project."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    # /api/v1/, /healthz, /readyz and /metrics.
    path("", include("api.urls")),
    # The user's own API tokens: create, list, revoke.
    path("account/tokens/", include("dashboard.tokens.urls")),
    # Until the dashboard pages exist the admin is the only UI.
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
]
