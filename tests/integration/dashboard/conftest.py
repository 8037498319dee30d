"""Fixtures for the dashboard's view tests: services on the test database, users by role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

# The demo tasks (demo.add, demo.sleep, ...) are what the pages list and the forms submit.
from demo import tasks as demo_tasks  # noqa: F401
from scheduler_core.bootstrap import Services, get_services, reset_services
from tests.roles import role_group


@pytest.fixture
def services(db: None) -> Iterator[Services]:
    """The process's services (what the views call), on a fresh default database."""
    cache.clear()
    reset_services()
    yield get_services()
    reset_services()
    cache.clear()


@pytest.fixture
def on_backend(alias: str, settings: Settings, services: Services) -> Iterator[Services]:
    """The services on the database under test (`backend`: sqlite or postgres) instead.

    Users and sessions stay on the default database; the scheduler's tables, which the
    pages read, are those of `alias`.
    """
    settings.SCHEDULER = {**settings.SCHEDULER, "DATABASE": alias}
    reset_services()
    yield get_services()
    reset_services()


LoginAs = Callable[..., Client]


@pytest.fixture
def login_as(services: Services) -> LoginAs:
    """A client logged in as a new user of `role` ("" for a user with no role at all).

    `csrf=True` gives a client that enforces CSRF like a real browser session does.
    """

    def make(role: str = "operator", *, username: str | None = None, csrf: bool = False) -> Client:
        user = User.objects.create_user(username or f"{role or 'nobody'}-user")
        if role:
            user.groups.add(role_group(role))
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def viewer(login_as: LoginAs) -> Client:
    """A client of the viewer role (read only)."""
    return login_as("viewer")


@pytest.fixture
def operator(login_as: LoginAs) -> Client:
    """A client of the operator role."""
    return login_as("operator")


@pytest.fixture
def admin(login_as: LoginAs) -> Client:
    """A client of the admin role."""
    return login_as("admin")
