"""Login throttling on both login doors: a lock after repeated failures, 429, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from scheduler_core.models import AuditEntry

PASSWORD = "the-right-password-7"
DOORS = ["/accounts/login/", "/admin/login/"]


@pytest.fixture
def alice(db: None, settings: Settings) -> User:
    settings.AXES_FAILURE_LIMIT = 5
    # A cheap hash: each login checks a password, and PBKDF2 takes a quarter second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    return User.objects.create_user("alice", password=PASSWORD, is_staff=True)


def log_in(client: Client, door: str, password: str) -> Any:
    return client.post(door, {"username": "alice", "password": password})


@pytest.mark.parametrize("door", DOORS)
def test_the_right_password_after_many_wrong_ones_is_refused_for_a_while(
    alice: User, door: str
) -> None:
    client = Client()
    for _ in range(4):
        assert log_in(client, door, "wrong").status_code == 200
    # The fifth failure locks at once.
    assert log_in(client, door, "wrong").status_code == 429

    response = log_in(client, door, PASSWORD)

    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    [entry] = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.source) == (
        "alice",
        "login_locked_out",
        "admin" if door.startswith("/admin/") else "dashboard",
    )


def test_the_lock_covers_both_doors(alice: User) -> None:
    client = Client()
    for _ in range(5):
        log_in(client, DOORS[0], "wrong")

    assert log_in(client, DOORS[1], PASSWORD).status_code == 429


def test_a_right_password_before_the_limit_resets_the_count(alice: User) -> None:
    client = Client()
    for _ in range(4):
        log_in(client, DOORS[0], "wrong")
    assert log_in(client, DOORS[0], PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        log_in(client, DOORS[0], "wrong")

    assert log_in(client, DOORS[0], PASSWORD).status_code == 302
    assert not AuditEntry.objects.exists()


def test_another_address_is_not_locked(alice: User) -> None:
    for _ in range(5):
        log_in(Client(REMOTE_ADDR="203.0.113.9"), DOORS[0], "wrong")

    assert log_in(Client(REMOTE_ADDR="198.51.100.7"), DOORS[0], PASSWORD).status_code == 302


def test_lifting_a_lock_in_the_admin_is_audited(alice: User) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        log_in(client, DOORS[0], "wrong")
    [attempt] = AccessAttempt.objects.all()
    root = User.objects.create_superuser("root")
    admin_client = Client()
    admin_client.force_login(root)

    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert log_in(Client(), DOORS[0], PASSWORD).status_code == 302
    actions = list(AuditEntry.objects.order_by("id").values_list("actor", "action"))
    assert actions == [("alice", "login_locked_out"), ("root", "admin.delete_accessattempt")]
