"""The dashboard's frame: login required everywhere, navigation, CSP, static assets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.integration.dashboard.conftest import LoginAs

PAGES = [
    "dashboard:overview",
    "dashboard:tasks:list",
    "dashboard:submit:new",
    "dashboard:workers:list",
    "dashboard:queues:list",
    "dashboard:schedules:list",
    "dashboard:audit:list",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", PAGES)
def test_a_user_without_a_role_gets_403(login_as: LoginAs, name: str) -> None:
    assert login_as("").get(reverse(name)).status_code == 403


def test_the_login_page_logs_in_and_lands_on_the_overview(client: Client, services: object) -> None:
    from django.contrib.auth.models import User

    User.objects.create_user("carol", password="a long and secret passphrase")
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(
        reverse("login"), {"username": "carol", "password": "a long and secret passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:overview")


def test_a_wrong_password_is_refused_with_a_message(client: Client, services: object) -> None:
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_logout_is_post_only_and_ends_the_session(viewer: Client) -> None:
    assert viewer.get(reverse("logout")).status_code == 405
    assert viewer.post(reverse("logout")).status_code == 302
    assert viewer.get(reverse("dashboard:overview")).status_code == 302


def test_every_page_sends_a_strict_content_security_policy(viewer: Client) -> None:
    response = viewer.get(reverse("dashboard:overview"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy


def test_the_frame_links_every_section_and_loads_only_our_own_assets(operator: Client) -> None:
    html = operator.get(reverse("dashboard:overview")).content.decode()
    for name in PAGES:
        assert f'href="{reverse(name)}"' in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    assert "/static/dashboard/app.css" in html
    assert "htmx" in html


def test_a_viewer_is_not_offered_the_submit_page(viewer: Client) -> None:
    html = viewer.get(reverse("dashboard:overview")).content.decode()
    assert f'href="{reverse("dashboard:submit:new")}"' not in html
