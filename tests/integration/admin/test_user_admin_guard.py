"""The admin site cannot be used to climb: only superusers grant power or touch superusers.

Every change made there (users, groups, schedules) lands in the scheduler's audit log.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.models import AuditEntry, ScheduleRecord
from tests.roles import role_group

USERS = "/admin/auth/user/"


@pytest.fixture
def boss(services: Services) -> User:
    """A staff user of the admin role: may change users, is not a superuser."""
    user = User.objects.create_user("boss", is_staff=True)
    user.groups.add(role_group("admin"))
    return user


@pytest.fixture
def boss_client(boss: User) -> Client:
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def root(services: Services) -> User:
    return User.objects.create_superuser("root", password="the-original-password-1")


def user_form(user: User, **changes: Any) -> dict[str, Any]:
    """The change form of `user` as a browser posts it, with `changes` applied."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "00:00:00",
        "groups": [group.pk for group in user.groups.all()],
    }
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def entries(alias: str) -> list[tuple[str, str, str, str]]:
    return [
        (e.actor, e.action, e.source, e.target.split(" ")[0])
        for e in AuditEntry.objects.using(alias).order_by("id")
    ]


def test_an_admin_cannot_make_itself_superuser_or_staff_of_more(
    boss: User, boss_client: Client, alias: str
) -> None:
    response = boss_client.post(
        f"{USERS}{boss.pk}/change/", user_form(boss, is_superuser="on", first_name="B")
    )

    assert response.status_code == 302, response.content[:500]
    boss.refresh_from_db()
    assert (boss.is_superuser, boss.first_name) == (False, "B")
    assert entries(alias) == [("boss", "admin.change_user", "admin", f"auth.user:{boss.pk}")]


def test_an_admin_cannot_grant_admin_group_membership(
    boss: User, boss_client: Client, services: Services
) -> None:
    other = User.objects.create_user("other")
    admin_group = Group.objects.get(name="admin")

    response = boss_client.post(
        f"{USERS}{other.pk}/change/", user_form(other, groups=[admin_group.pk])
    )

    assert response.status_code == 200
    assert "Only a superuser may grant" in str(response.context["adminform"].form.errors)
    assert not other.groups.exists()


def test_an_admin_may_hand_out_the_operator_role(
    boss: User, boss_client: Client, alias: str
) -> None:
    other = User.objects.create_user("other")

    response = boss_client.post(
        f"{USERS}{other.pk}/change/", user_form(other, groups=[role_group("operator").pk])
    )

    assert response.status_code == 302
    assert list(other.groups.values_list("name", flat=True)) == ["operator"]
    [entry] = AuditEntry.objects.using(alias).all()
    assert "Groups" in entry.details["changes"][0]["changed"]["fields"]


def test_an_admin_cannot_touch_a_superuser(
    boss_client: Client, root: User, services: Services
) -> None:
    password_form = f"{USERS}{root.pk}/password/"
    new = {"password1": "a-new-password-42", "password2": "a-new-password-42"}

    assert boss_client.get(password_form).status_code in (403, 404)
    assert boss_client.post(password_form, new).status_code in (403, 404)
    assert boss_client.post(f"{USERS}{root.pk}/change/", user_form(root)).status_code == 403
    assert boss_client.post(f"{USERS}{root.pk}/delete/", {"post": "yes"}).status_code == 403
    root.refresh_from_db()
    assert root.check_password("the-original-password-1")


def test_a_superuser_may_grant_superuser_status_and_it_is_audited(root: User, alias: str) -> None:
    client = Client()
    client.force_login(root)
    other = User.objects.create_user("other")

    response = client.post(f"{USERS}{other.pk}/change/", user_form(other, is_superuser="on"))
    password = client.post(
        f"{USERS}{other.pk}/password/",
        {"password1": "a-new-password-42", "password2": "a-new-password-42"},
    )

    assert (response.status_code, password.status_code) == (302, 302)
    other.refresh_from_db()
    assert other.is_superuser
    assert [action for _, action, _, _ in entries(alias)] == [
        "admin.change_user",
        "admin.change_user",
    ]
    last = AuditEntry.objects.using(alias).order_by("id").last()
    assert last is not None
    assert last.details["changes"] == [{"changed": {"fields": ["password"]}}]


def test_schedule_changes_in_the_admin_are_audited(root: User, alias: str) -> None:
    client = Client()
    client.force_login(root)
    form = {
        "name": "nightly",
        "task": "demo.tasks.add",
        "cron": "0 6 * * *",
        "timezone": "UTC",
        "enabled": "on",
        "catch_up": "skip",
        "catch_up_limit": "10",
        "args": "[1, 2]",
        "kwargs": "{}",
    }

    added = client.post("/admin/scheduler_core/schedulerecord/add/", form)
    pk = ScheduleRecord.objects.using(alias).get(name="nightly").pk
    changed = client.post(
        f"/admin/scheduler_core/schedulerecord/{pk}/change/", {**form, "cron": "0 7 * * *"}
    )
    deleted = client.post(f"/admin/scheduler_core/schedulerecord/{pk}/delete/", {"post": "yes"})

    assert [r.status_code for r in (added, changed, deleted)] == [302, 302, 302]
    assert [action for _, action, _, _ in entries(alias)] == [
        "admin.add_schedulerecord",
        "admin.change_schedulerecord",
        "admin.delete_schedulerecord",
    ]
