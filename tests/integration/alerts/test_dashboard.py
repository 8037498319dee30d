"""The alerts pages: list, rule form with its live preview, detail, actions and the banner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django import Settings

from scheduler_core.alert_wiring import get_alert_services
from scheduler_core.bootstrap import reset_services
from scheduler_core.domain.alerts import AlertKind, AlertRule
from scheduler_core.models import AuditEntry
from tests.roles import role_group

from .conftest import Receiver, add_worker

LoginAs = Callable[[str], Client]


@pytest.fixture
def login_as(alias: str, settings: Settings) -> Iterator[LoginAs]:
    settings.SCHEDULER = {**settings.SCHEDULER, "DATABASE": alias}
    cache.clear()
    reset_services()

    def make(role: str) -> Client:
        user = User.objects.create_user(f"{role}-user")
        user.groups.add(role_group(role))
        client = Client()
        client.force_login(user)
        return client

    yield make
    reset_services()


def form(**fields: object) -> dict[str, object]:
    return {
        "name": "stuck",
        "kind": "no_live_worker",
        "queue": "default",
        "task": "",
        "threshold": "",
        "for_seconds": "20",
        "renotify_seconds": "3600",
        "window_seconds": "300",
        "min_count": "10",
        "enabled": "on",
        "webhook_urls": "",
        "email_to": "",
    } | fields


def test_an_admin_creates_a_rule_with_channels_and_sees_it(
    login_as: LoginAs, receiver: Receiver, alias: str
) -> None:
    admin = login_as("admin")
    answer = admin.post(
        "/alerts/rules/new/", form(webhook_urls=receiver.url, email_to="ops@example.com")
    )
    assert answer.status_code == 303, answer.content.decode()[:2000]
    (rule,) = get_alert_services().rules.all()
    assert [c.target for c in rule.channels] == [receiver.url, "ops@example.com"]
    page = admin.get(answer["Location"]).content.decode()
    assert "stuck" in page and receiver.url in page and rule.channels[0].secret in page
    assert AuditEntry.objects.using(alias).filter(action="create_alert_rule").count() == 1
    assert "stuck" in admin.get("/alerts/").content.decode()


def test_form_errors_are_shown_on_their_fields(login_as: LoginAs, receiver: Receiver) -> None:
    admin = login_as("admin")
    answer = admin.post(
        "/alerts/rules/new/",
        form(for_seconds="-1", webhook_urls="http://10.0.0.5/internal"),
    )
    assert answer.status_code == 422
    errors = answer.context["form"].errors
    assert "for_seconds" in errors
    answer = admin.post("/alerts/rules/new/", form(webhook_urls="http://10.0.0.5/internal"))
    assert answer.status_code == 422
    assert "ALERT_WEBHOOK_ALLOWED" in answer.context["form"].errors["webhook_urls"][0]
    answer = admin.post("/alerts/rules/new/", form(kind="bogus", threshold="x"))
    assert answer.status_code == 422
    assert set(answer.context["form"].errors) == {"kind", "threshold"}


def test_operators_shape_rules_but_cannot_set_channels(
    login_as: LoginAs, receiver: Receiver
) -> None:
    operator = login_as("operator")
    answer = operator.post("/alerts/rules/new/", form(webhook_urls=receiver.url))
    assert answer.status_code == 303
    (rule,) = get_alert_services().rules.all()
    assert rule.channels == []  # the field is read-only for them: the post is ignored
    assert login_as("viewer").get("/alerts/rules/new/").status_code == 403


def test_the_live_preview_says_whether_it_would_fire_now(login_as: LoginAs, alias: str) -> None:
    viewer = login_as("viewer")
    query = {
        "kind": "no_live_worker",
        "queue": "ghost",
        "for_seconds": "0",
        "min_count": "1",
        "window_seconds": "60",
    }
    page = viewer.get("/alerts/rules/preview/", query, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "Would fire now." in page.content.decode()
    services = get_alert_services()
    add_worker(alias, services.rules.now(), ["ghost"])
    page = viewer.get("/alerts/rules/preview/", query)
    assert "Would not fire now." in page.content.decode()
    page = viewer.get("/alerts/rules/preview/", query | {"for_seconds": "x"})
    assert "For (seconds)" in page.content.decode()


def test_a_banner_on_every_page_while_an_alert_fires_with_ack_and_silence(
    login_as: LoginAs, alias: str
) -> None:
    operator = login_as("operator")
    services = get_alert_services()
    add_worker(alias, services.rules.now() - timedelta(minutes=5), ["q"])
    rule = services.rules.create(
        AlertRule(name="q dead", kind=AlertKind.NO_LIVE_WORKER, queue="q", for_seconds=0)
    )
    assert 'class="alert-banner"' not in operator.get("/").content.decode()
    assert 'class="alert-banner"' not in operator.get("/alerts/banner/").content.decode()
    services.run_pass()
    fragment = operator.get("/alerts/banner/", headers={"HX-Request": "true"}).content.decode()
    assert "1 alert firing" in fragment and "q dead" in fragment and "<html" not in fragment
    for url in ("/", "/tasks/", "/workers/", "/queues/", "/schedules/", "/audit/", "/alerts/"):
        page = operator.get(url).content.decode()
        assert 'class="alert-banner"' in page, url
        assert f"/alerts/rules/{rule.id}/#incident-" in page, url
    (incident,) = services.rules.incidents(open_only=True)
    assert operator.post(f"/alerts/incidents/{incident.id}/acknowledge/").status_code == 303
    assert services.rules.incident(incident.id).acknowledged_by == "dashboard:operator-user"
    assert (
        operator.post(f"/alerts/rules/{rule.id}/silence/", {"seconds": "3600"}).status_code == 303
    )
    assert services.rules.get(rule.id or 0).silenced_until is not None
    assert operator.post(f"/alerts/rules/{rule.id}/silence/", {"seconds": "0"}).status_code == 303
    assert services.rules.get(rule.id or 0).silenced_until is None
    actions = set(AuditEntry.objects.using(alias).values_list("action", flat=True))
    assert actions == {"acknowledge_incident", "silence_alert_rule"}
    page = operator.get(f"/alerts/rules/{rule.id}/").content.decode()
    assert ">Acknowledge</button>" not in page and "by dashboard:operator-user" in page


def test_delivery_failures_are_visible_on_the_rules_page(
    login_as: LoginAs, alias: str, receiver: Receiver, settings: Settings
) -> None:
    settings.ALERT_RETRY_ATTEMPTS = 1
    admin = login_as("admin")
    receiver.statuses = [500]
    services = get_alert_services()
    add_worker(alias, services.rules.now() - timedelta(minutes=5), ["q"])
    from scheduler_core.domain.alerts import Channel, ChannelType

    rule = services.rules.create(
        AlertRule(
            name="fails",
            kind=AlertKind.NO_LIVE_WORKER,
            queue="q",
            for_seconds=0,
            channels=[Channel(type=ChannelType.WEBHOOK, url=receiver.url)],
        )
    )
    services.run_pass()
    page = admin.get(f"/alerts/rules/{rule.id}/").content.decode()
    assert "attempt 1: HTTP 500: nope" in page and "badge-failed" in page


@pytest.mark.parametrize(
    "url",
    ["/alerts/rules/99999999999999999999999/", "/alerts/rules/5/edit/", "/alerts/rules/0/"],
)
def test_unknown_rules_are_404(login_as: LoginAs, url: str) -> None:
    assert login_as("admin").get(url).status_code == 404


def test_an_operator_edits_a_rule_and_its_channels_stay_as_the_admin_set_them(
    login_as: LoginAs, receiver: Receiver, alias: str
) -> None:
    admin = login_as("admin")
    created = admin.post("/alerts/rules/new/", form(webhook_urls=receiver.url))
    rule_id = int(created["Location"].rstrip("/").rsplit("/", 1)[1])
    secret = get_alert_services().rules.get(rule_id).channels[0].secret
    operator = login_as("operator")
    page = operator.get(f"/alerts/rules/{rule_id}/edit/").content.decode()
    assert receiver.url in page and "Only the admin role may change channels." in page
    answer = operator.post(
        f"/alerts/rules/{rule_id}/edit/",
        form(name="stuck longer", for_seconds="60", webhook_urls="http://evil.example/"),
    )
    assert answer.status_code == 303
    changed = get_alert_services().rules.get(rule_id)
    assert changed.name == "stuck longer" and changed.for_seconds == 60
    assert [(c.url, c.secret) for c in changed.channels] == [(receiver.url, secret)]
    bad = operator.post(f"/alerts/rules/{rule_id}/edit/", form(window_seconds="0"))
    assert bad.status_code == 422 and "window_seconds" in bad.context["form"].errors


def test_deleting_a_rule_asks_first_then_deletes_and_audits(login_as: LoginAs, alias: str) -> None:
    operator = login_as("operator")
    rule = get_alert_services().rules.create(AlertRule(name="doomed", kind=AlertKind.TASK_FAILED))
    url = f"/alerts/rules/{rule.id}/delete/"
    assert "Delete alert rule doomed?" in operator.get(url).content.decode()
    assert operator.post(url).status_code == 303
    assert get_alert_services().rules.all() == []
    assert AuditEntry.objects.using(alias).filter(action="delete_alert_rule").count() == 1
    assert operator.post(url).status_code == 404
