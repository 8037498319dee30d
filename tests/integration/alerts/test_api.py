"""The /api/v1/alerts endpoints: roles, audit entries, field errors, never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from api.tokens import issue_token
from scheduler_core.bootstrap import Services
from scheduler_core.models import AuditEntry
from tests.roles import role_group

from .conftest import Receiver

RULES = "/api/v1/alerts/rules"
MakeClient = Callable[[str], Client]


@pytest.fixture
def client_for(services: Services) -> MakeClient:
    def make(role: str) -> Client:
        user = User.objects.create_user(f"{role}-user")
        user.groups.add(role_group(role))
        _, secret = issue_token(user, "tests")
        return Client(headers={"Authorization": f"Bearer {secret}"})

    return make


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def issue_body(receiver: Receiver) -> dict[str, Any]:
    """The body the issue gives as its example."""
    return {
        "name": "default stuck",
        "kind": "no_live_worker",
        "queue": "default",
        "for_seconds": 20,
        "channels": [{"type": "webhook", "url": receiver.url}],
    }


def test_an_admin_creates_reads_changes_and_deletes_a_rule_all_audited(
    client_for: MakeClient, receiver: Receiver, alias: str
) -> None:
    admin = client_for("admin")
    created = send(admin, "post", RULES, issue_body(receiver))
    assert created.status_code == 201, created.json()
    rule = created.json()
    assert rule["kind"] == "no_live_worker" and rule["for_seconds"] == 20
    assert rule["channels"][0]["url"] == receiver.url
    assert len(rule["channels"][0]["secret"]) > 20  # made, shown to an admin
    url = f"{RULES}/{rule['id']}"
    assert admin.get(url).json()["name"] == "default stuck"
    assert [r["id"] for r in admin.get(RULES).json()] == [rule["id"]]

    changed = send(admin, "patch", url, {"for_seconds": 5, "threshold": 15})
    assert changed.status_code == 200 and changed.json()["for_seconds"] == 5
    # The secret survives a change that keeps the URL.
    same = send(admin, "patch", url, {"channels": [{"type": "webhook", "url": receiver.url}]})
    assert same.json()["channels"][0]["secret"] == rule["channels"][0]["secret"]
    silenced = send(admin, "post", f"{url}/silence", {"seconds": 600})
    assert silenced.json()["silenced_until"] is not None
    far = send(admin, "post", f"{url}/silence", {"until": "2999-01-01T00:00:00Z"})
    assert far.status_code == 422 and far.json()["error"]["field"] == "until"
    naive = send(admin, "post", f"{url}/silence", {"until": "2030-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.json()["error"]["field"] == "until"
    assert admin.delete(url).status_code == 204
    assert admin.get(url).status_code == 404
    actions = list(
        AuditEntry.objects.using(alias).order_by("id").values_list("action", "source", "target")
    )
    assert actions == [
        ("create_alert_rule", "api", "default stuck"),
        ("change_alert_rule", "api", "default stuck"),
        ("change_alert_rule", "api", "default stuck"),
        ("silence_alert_rule", "api", "default stuck"),
        ("delete_alert_rule", "api", "default stuck"),
    ]
    assert "secret" not in str(AuditEntry.objects.using(alias).values_list("details", flat=True))


def test_only_the_admin_role_adds_channels(client_for: MakeClient, receiver: Receiver) -> None:
    operator = client_for("operator")
    refused = send(operator, "post", RULES, issue_body(receiver))
    assert refused.status_code == 403
    assert "manage_alert_channels" in refused.json()["error"]["message"]
    bare = issue_body(receiver) | {"channels": []}
    created = send(operator, "post", RULES, bare)
    assert created.status_code == 201
    url = f"{RULES}/{created.json()['id']}"
    assert send(operator, "patch", url, {"for_seconds": 1}).status_code == 200
    again = send(operator, "patch", url, {"channels": issue_body(receiver)["channels"]})
    assert again.status_code == 403


def test_viewers_read_but_change_nothing(client_for: MakeClient, receiver: Receiver) -> None:
    viewer = client_for("viewer")
    assert viewer.get(RULES).status_code == 200
    assert viewer.get("/api/v1/alerts/incidents").status_code == 200
    assert send(viewer, "post", RULES, issue_body(receiver) | {"channels": []}).status_code == 403


def test_incidents_are_listed_and_acknowledged(
    client_for: MakeClient, receiver: Receiver, services: Services, alias: str
) -> None:
    from scheduler_core.alert_wiring import get_alert_services

    admin = client_for("admin")
    body = issue_body(receiver) | {"for_seconds": 0, "queue": "nobody-serves-this"}
    rule_id = send(admin, "post", RULES, body).json()["id"]
    get_alert_services().run_pass()
    (incident,) = admin.get("/api/v1/alerts/incidents", {"open_only": True}).json()
    assert incident["state"] == "firing" and incident["rule_id"] == rule_id
    acked = send(admin, "post", f"/api/v1/alerts/incidents/{incident['id']}/acknowledge")
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "api:admin-user"
    assert AuditEntry.objects.using(alias).filter(action="acknowledge_incident").count() == 1
    assert [post["body"]["event"] for post in receiver.posts] == ["firing"]


def test_the_preview_says_whether_a_rule_would_fire_now(client_for: MakeClient) -> None:
    viewer = client_for("viewer")
    body = {"name": "p", "kind": "no_live_worker", "queue": "ghost", "for_seconds": 0}
    answer = send(viewer, "post", "/api/v1/alerts/preview", body)
    assert answer.status_code == 200
    assert answer.json()["fires_now"] is True
    assert "no live worker serves queue ghost" in answer.json()["summary"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "no_live_worker"}, "name"),
        ({"name": "x", "kind": "nope"}, "kind"),
        ({"name": "x", "kind": "failure_rate", "threshold": 150}, "threshold"),
        ({"name": "x", "kind": "task_failed", "for_seconds": -5}, "for_seconds"),
        ({"name": "x", "kind": "task_failed", "for_seconds": 10**30}, "for_seconds"),
        ({"name": "x", "kind": "task_failed", "window_seconds": 0}, "window_seconds"),
        ({"name": "x\u0000", "kind": "task_failed"}, "name"),
        ({"name": "x", "kind": "task_failed", "bogus": 1}, "bogus"),
        (
            {
                "name": "x",
                "kind": "task_failed",
                "channels": [{"type": "webhook", "url": "http://10.0.0.5/"}],
            },
            "channels.0.url",
        ),
        (
            {"name": "x", "kind": "task_failed", "channels": [{"type": "email", "to": ["@"]}]},
            "channels.0.to",
        ),
        ({"name": "x", "kind": "task_failed", "channels": [{"type": "pager"}]}, "channels.0.type"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(
    client_for: MakeClient, receiver: Receiver, body: dict[str, Any], field: str
) -> None:
    answer = send(client_for("admin"), "post", RULES, body)
    assert 400 <= answer.status_code < 500, answer.content
    error = answer.json()["error"]
    assert error["field"].replace("[", ".").replace("]", "") == field, error


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", f"{RULES}/99999999999999999999", None),
        ("get", f"{RULES}/0", None),
        ("get", f"{RULES}/abc", None),
        ("patch", f"{RULES}/12345", {"for_seconds": 3}),
        ("delete", f"{RULES}/12345", None),
        ("post", "/api/v1/alerts/incidents/12345/acknowledge", None),
        ("post", f"{RULES}/12345/silence", {"seconds": 5}),
        ("get", "/api/v1/alerts/incidents?limit=0", None),
    ],
)
def test_unknown_ids_and_bad_paths_are_4xx(
    client_for: MakeClient, method: str, url: str, body: Any
) -> None:
    answer = send(client_for("admin"), method, url, body)
    assert 400 <= answer.status_code < 500
    assert "error" in answer.json()


def test_a_name_already_taken_is_refused_on_the_name(client_for: MakeClient) -> None:
    admin = client_for("admin")
    body = {"name": "dup", "kind": "task_failed"}
    assert send(admin, "post", RULES, body).status_code == 201
    again = send(admin, "post", RULES, body)
    assert again.status_code == 422 and again.json()["error"]["field"] == "name"


def test_the_endpoints_are_in_the_openapi_document(client_for: MakeClient) -> None:
    paths = client_for("viewer").get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/alerts/rules",
        "/api/v1/alerts/rules/{rule_id}",
        "/api/v1/alerts/rules/{rule_id}/silence",
        "/api/v1/alerts/incidents",
        "/api/v1/alerts/incidents/{incident_id}/acknowledge",
        "/api/v1/alerts/preview",
    ):
        assert path in paths
    create = paths["/api/v1/alerts/rules"]["post"]["description"]
    assert "Role: operator" in create and "admin" in create and "create_alert_rule" in create
