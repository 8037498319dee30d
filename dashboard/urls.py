"""URL routes of the project."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    # /api/v1/, /healthz, /readyz and /metrics.
    path("", include("api.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The user's own API tokens: create, list, revoke.
    path("account/tokens/", include("dashboard.tokens.urls")),
    # The operator dashboard: overview, tasks, submit, workers, queues, schedules, audit.
    path("", include("dashboard.routes")),
]

# Under /api/ the errors Django answers before a route runs come back as the API's JSON.
handler400 = "api.fallback_errors.bad_request"
handler404 = "api.fallback_errors.not_found"
handler500 = "api.fallback_errors.server_error"
