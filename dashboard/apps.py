"""The dashboard's Django app: templates, template tags and the login lockout's audit."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        """Audit login lockouts (axes sends user_locked_out)."""
        from axes.signals import user_locked_out

        from .login_throttle import audit_lockout

        user_locked_out.connect(audit_lockout, dispatch_uid="dashboard.audit_lockout")
