"""The admin's alert rule pages: checked by the service, the allow-list on channels, audited."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.bootstrap import reset_services
from scheduler_core.models import AuditEntry

from .conftest import Receiver

ADD = "/admin/scheduler_core/alertrulerecord/add/"


@pytest.fixture
def superuser(alias: str, settings: Settings) -> Iterator[Client]:
    settings.SCHEDULER = {**settings.SCHEDULER, "DATABASE": alias}
    cache.clear()
    reset_services()
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", None))
    yield client
    reset_services()


def fields(channels: object) -> dict[str, object]:
    return {
        "name": "via admin",
        "kind": "task_failed",
        "queue": "",
        "task": "",
        "threshold": "",
        "for_seconds": "0",
        "renotify_seconds": "0",
        "window_seconds": "60",
        "min_count": "1",
        "enabled": "on",
        "channels": json.dumps(channels),
    }


def test_the_admin_refuses_a_webhook_off_the_allow_list_on_its_field(
    superuser: Client, receiver: Receiver
) -> None:
    page = superuser.post(ADD, fields([{"type": "webhook", "url": "http://169.254.169.254/"}]))
    assert page.status_code == 200
    assert "ALERT_WEBHOOK_ALLOWED" in str(page.context["adminform"].form.errors["channels"])
    assert get_alert_services().rules.all() == []


def test_the_admin_stores_through_the_service_and_audits(
    superuser: Client, receiver: Receiver, alias: str
) -> None:
    answer = superuser.post(ADD, fields([{"type": "webhook", "url": receiver.url}]))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    (rule,) = get_alert_services().rules.all()
    assert rule.channels[0].url == receiver.url and rule.channels[0].secret
    assert AuditEntry.objects.using(alias).filter(action="admin.add_alertrulerecord").exists()
