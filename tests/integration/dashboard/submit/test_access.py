"""Only roles that may submit see or use the form; CSRF guards the POST; GET changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_core.bootstrap import Services
from tests.integration.dashboard.conftest import LoginAs

from .helpers import NEW, SIGNATURE, VALID, task_count


@pytest.mark.parametrize("role", ["viewer", ""])
def test_roles_without_submit_get_403(login_as: LoginAs, services: Services, role: str) -> None:
    client = login_as(role)

    assert client.get(NEW).status_code == 403
    assert client.post(NEW, VALID).status_code == 403
    assert client.get(SIGNATURE, {"task": "demo.tasks.add"}).status_code == 403
    assert task_count(services) == 0


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operators_and_admins_may_submit(login_as: LoginAs, services: Services, role: str) -> None:
    client = login_as(role)

    assert client.get(NEW).status_code == 200
    assert client.post(NEW, VALID).status_code == 303
    assert task_count(services) == 1


def test_anonymous_visitors_are_sent_to_log_in(client: Client, services: Services) -> None:
    response = client.post(NEW, VALID)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={NEW}"
    assert task_count(services) == 0


def test_a_post_without_the_csrf_token_is_refused(login_as: LoginAs, services: Services) -> None:
    browser = login_as("operator", csrf=True)

    assert browser.post(NEW, VALID).status_code == 403
    assert task_count(services) == 0


def test_a_post_with_the_csrf_token_goes_through(login_as: LoginAs, services: Services) -> None:
    browser = login_as("operator", csrf=True)
    browser.get(NEW)
    token = browser.cookies["csrftoken"].value

    assert browser.post(NEW, {**VALID, "csrfmiddlewaretoken": token}).status_code == 303
    assert task_count(services) == 1


def test_a_get_with_every_field_in_the_query_only_presets_the_form(
    operator: Client, services: Services
) -> None:
    response = operator.get(NEW, {**VALID, "queue": "mail", "action": "submit"})

    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert response.context["form"]["queue"].value() == "mail"
    assert task_count(services) == 0


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(operator: Client, method: str) -> None:
    assert getattr(operator, method)(NEW).status_code == 405
