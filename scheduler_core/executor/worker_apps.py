"""The installed apps of a worker process: the project's, less what only the web side uses.

A worker (its supervisor, the slots' forkserver and the slots) sets Django up like any
process, and on its way imports what it never uses: the admin's autodiscovery imports
every `admin` module with the forms, widgets and URL machinery they pull in, and an app
installed for its static files (django-ninja's Swagger UI) imports pydantic. Measured on
this project, that was about half of the forkserver's set-up and a third of the
supervisor's: the larger part of the time from `runworkers` to its first task.

So before `django.setup()` a worker keeps the admin installed (its models, its log of
changes) without the autodiscovery, as Django's own `SimpleAdminConfig` does, and leaves
out the apps in WEB_ONLY_APPS. A project whose tasks use the admin's registry turns this
off with SCHEDULER["WORKER_LEAN_START"] = False (env SCHEDULER_WORKER_LEAN_START=0).
"""

from __future__ import annotations

from collections.abc import Sequence

ADMIN_APPS = ("django.contrib.admin", "django.contrib.admin.apps.AdminConfig")
ADMIN_WITHOUT_DISCOVERY = "django.contrib.admin.apps.SimpleAdminConfig"
# Installed for the web side alone: no models, nothing a task or the supervisor imports.
WEB_ONLY_APPS = frozenset({"ninja"})


def worker_apps(installed: Sequence[str]) -> list[str]:
    """`installed` as a worker process installs it, in the same order."""
    return [
        ADMIN_WITHOUT_DISCOVERY if app in ADMIN_APPS else app
        for app in installed
        if app not in WEB_ONLY_APPS
    ]


def use_worker_apps() -> None:
    """Trim settings.INSTALLED_APPS for this worker process; before Django is set up.

    Not once the apps are loaded (too late to matter, and a change now would confuse the
    registry), nor when the setting turns it off.
    """
    from django.apps import apps
    from django.conf import settings

    from scheduler_core.conf import lean_start_setting

    if apps.ready or apps.loading or not lean_start_setting(getattr(settings, "SCHEDULER", {})):
        return
    settings.INSTALLED_APPS = worker_apps(settings.INSTALLED_APPS)
