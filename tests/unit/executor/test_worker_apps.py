"""A worker process's installed apps: the project's, without what only the web side uses."""

from __future__ import annotations

from scheduler_core.executor.worker_apps import ADMIN_WITHOUT_DISCOVERY, worker_apps


def test_the_admin_stays_installed_without_its_autodiscovery_and_web_only_apps_go() -> None:
    installed = [
        "django.contrib.admin",
        "django.contrib.auth",
        "scheduler_core",
        "ninja",
        "demo",
    ]

    assert worker_apps(installed) == [
        ADMIN_WITHOUT_DISCOVERY,
        "django.contrib.auth",
        "scheduler_core",
        "demo",
    ]


def test_the_admin_named_by_its_config_is_replaced_too() -> None:
    assert worker_apps(["django.contrib.admin.apps.AdminConfig"]) == [ADMIN_WITHOUT_DISCOVERY]


def test_a_project_without_the_admin_or_ninja_keeps_its_apps() -> None:
    installed = ["django.contrib.auth", "scheduler_core"]

    assert worker_apps(installed) == installed
