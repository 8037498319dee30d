"""Login throttling's attempts in the admin; deleting one lifts a lock, so it is audited."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

from scheduler_core.admin.audit import AuditedAdminMixin


class AuditedAccessAttemptAdmin(AuditedAdminMixin, AccessAttemptAdmin):  # type: ignore[misc]
    """axes' page of failed-login counts, with each deletion in the audit log."""


# axes registers its page only when AXES_ENABLE_ADMIN is on; keep that choice.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AuditedAccessAttemptAdmin)
