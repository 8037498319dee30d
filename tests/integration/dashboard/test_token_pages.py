"""The dashboard's API token pages: list, create (secret shown once) and revoke."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from api.tokens import authenticate_token, issue_token
from scheduler_core.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/account/tokens/"
SECRET = re.compile(r'id="new-token-secret">(sch_[^<]+)<')


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    """A user without a password: tests log in with force_login."""
    return django_user_model.objects.create_user("alice")


@pytest.fixture
def logged_in(client: Client, alice: Any) -> Client:
    """The test client, logged in as alice."""
    client.force_login(alice)
    return client


def test_the_url_is_named() -> None:
    assert reverse("tokens") == URL
    assert reverse("token-revoke", args=[3]) == f"{URL}3/revoke/"


def test_anonymous_users_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_the_list_shows_only_the_users_own_tokens(
    logged_in: Client, alice: Any, django_user_model: Any
) -> None:
    issue_token(alice, "laptop <b>")
    revoked, _ = issue_token(alice, "old-ci")
    revoked.revoked_at = revoked.created_at
    revoked.save()
    issue_token(django_user_model.objects.create_user("bob"), "bobs-secret-box")

    page = logged_in.get(URL).content.decode()

    assert "laptop &lt;b&gt;" in page and "<b>" not in page
    assert "old-ci" in page and "revoked" in page and "active" in page
    assert "bobs-secret-box" not in page
    assert all(token.digest not in page for token in ApiToken.objects.all())


def test_creating_shows_the_secret_once_and_it_authenticates(logged_in: Client) -> None:
    response = logged_in.post(URL, {"name": "ci"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Copy it now; it will not be shown again." in page
    match = SECRET.search(page)
    assert match is not None
    secret = match.group(1)
    token = authenticate_token(secret)
    assert token is not None and token.name == "ci" and token.user.username == "alice"
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]

    listing = logged_in.get(URL).content.decode()
    assert secret not in listing and "ci" in listing
    assert "it will not be shown again" not in listing


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_bad_name_shows_the_error_and_creates_nothing(logged_in: Client, name: str) -> None:
    response = logged_in.post(URL, {"name": name})

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not SECRET.search(response.content.decode())
    assert not ApiToken.objects.exists()


def test_a_name_of_100_characters_is_accepted(logged_in: Client) -> None:
    logged_in.post(URL, {"name": "x" * 100})

    assert ApiToken.objects.get().name == "x" * 100


def test_csrf_is_enforced(alice: Any) -> None:
    token, secret = issue_token(alice, "ci")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(URL, {"name": "sneaky"}).status_code == 403
    assert client.post(reverse("token-revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1
    assert authenticate_token(secret) is not None


def test_the_form_carries_the_csrf_token(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(URL).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None

    response = client.post(URL, {"name": "ok", "csrfmiddlewaretoken": csrf.group(1)})

    assert response.status_code == 200 and ApiToken.objects.count() == 1


def test_revoking_an_own_token_stops_it_working(logged_in: Client, alice: Any) -> None:
    token, secret = issue_token(alice, "ci")

    response = logged_in.post(reverse("token-revoke", args=[token.pk]))

    assert response.status_code == 303 and response["Location"] == URL
    assert authenticate_token(secret) is None
    assert "revoked" in logged_in.get(URL).content.decode()
    # Revoking again is harmless.
    assert logged_in.post(reverse("token-revoke", args=[token.pk])).status_code == 303


def test_creating_and_revoking_are_audited_without_the_secret(logged_in: Client) -> None:
    created = logged_in.post(URL, {"name": "ci"})
    [token] = ApiToken.objects.all()
    logged_in.post(reverse("token-revoke", args=[token.pk]))
    logged_in.post(reverse("token-revoke", args=[token.pk]))  # nothing changes: no record

    secret = SECRET.search(created.content.decode())
    assert secret is not None
    rows = list(AuditEntry.objects.order_by("id").values("actor", "action", "source", "target"))
    assert rows == [
        {"actor": "alice", "action": "create_token", "source": "dashboard", "target": "ci"},
        {"actor": "alice", "action": "revoke_token", "source": "dashboard", "target": "ci"},
    ]
    assert secret.group(1) not in str(list(AuditEntry.objects.values()))
    assert AuditEntry.objects.first().details["prefix"] == token.prefix  # type: ignore[union-attr]


def test_someone_elses_token_is_not_found(logged_in: Client, django_user_model: Any) -> None:
    token, secret = issue_token(django_user_model.objects.create_user("bob"), "ci")

    assert logged_in.post(reverse("token-revoke", args=[token.pk])).status_code == 404
    assert logged_in.post(reverse("token-revoke", args=[token.pk + 100])).status_code == 404
    assert authenticate_token(secret) is not None


def test_revoking_needs_post(logged_in: Client, alice: Any) -> None:
    token, secret = issue_token(alice, "ci")

    assert logged_in.get(reverse("token-revoke", args=[token.pk])).status_code == 405
    assert authenticate_token(secret) is not None


def test_anonymous_users_cannot_revoke(client: Client, alice: Any) -> None:
    token, secret = issue_token(alice, "ci")

    response = client.post(reverse("token-revoke", args=[token.pk]))

    assert response.status_code == 302
    assert authenticate_token(secret) is not None
