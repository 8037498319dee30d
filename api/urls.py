"""Routes of the API, the probes and the metrics; included at the site root."""

from django.urls import URLPattern, URLResolver, path

from .app import api
from .health import healthz, readyz
from .metrics import metrics

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
]
