"""The API's Django app: it owns the API token table."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API"
    default_auto_field = "django.db.models.BigAutoField"
