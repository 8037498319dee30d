"""The queue page's rate form: set, change and clear a queue's rate limit, audited."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.models import AuditEntry
from tests.integration.dashboard.conftest import LoginAs

from .test_queue_page import LIST, claim, row_of, submit, url


def test_a_rate_caps_a_real_claim_and_clear_lifts_it(operator: Client, services: Services) -> None:
    submit(services, "mail", 5)

    response = operator.post(url("rate", "mail"), {"limit": "2", "per": "minute"})

    assert response.status_code == 303
    assert services.tasks.queue_rates() == {"mail": QueueRate(2, "minute")}
    assert len(claim("mail")) == 2
    assert claim("mail") == []
    row = row_of(operator.get(LIST).content.decode(), "mail")
    assert 'id="rate-mail" name="limit"' in row and 'value="2"' in row
    assert '<option value="minute" selected>' in row

    operator.post(url("rate", "mail"), {"limit": "", "per": "second", "clear": "1"})

    assert services.tasks.queue_rates() == {}
    assert len(claim("mail")) == 3
    rate = {"limit": 2, "per": "minute", "partition_by": None}
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "source", "details"))
    assert actions == [
        ("set_queue_rate", "dashboard", {"rate": rate, "previous": None}),
        ("clear_queue_rate", "dashboard", {"rate": None, "previous": rate}),
    ]


def test_a_partitioned_rate_is_set_and_shown(operator: Client, services: Services) -> None:
    submit(services, "mail")

    operator.post(
        url("rate", "mail"), {"limit": "3", "per": "second", "partition_by": "customer_id"}
    )

    assert services.tasks.queue_rates() == {"mail": QueueRate(3, "second", "customer_id")}
    assert 'value="customer_id"' in row_of(operator.get(LIST).content.decode(), "mail")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"limit": "0", "per": "second"}, "greater than or equal to 1"),
        ({"limit": "many", "per": "second"}, "whole number"),
        ({"limit": "", "per": "second"}, "Enter a rate"),
        ({"limit": "3", "per": "hour"}, "Select a valid choice"),
        ({"limit": "3", "per": "second", "partition_by": "no spaces"}, "keyword argument"),
    ],
)
def test_a_bad_rate_is_a_field_error_that_keeps_the_input(
    operator: Client, services: Services, data: dict[str, str], message: str
) -> None:
    submit(services, "mail")

    response = operator.post(url("rate", "mail"), data)

    html = response.content.decode()
    row = row_of(html, "mail")
    assert response.status_code == 400
    assert message in row
    assert 'aria-invalid="true"' in row or "Select a valid choice" in row
    assert f'value="{data["limit"]}"' in row
    assert "data-live" not in html
    assert services.tasks.queue_rates() == {}
    assert not AuditEntry.objects.exists()


def test_rates_need_the_role_and_the_csrf_token(
    viewer: Client, login_as: LoginAs, services: Services
) -> None:
    submit(services, "mail")
    services.tasks.set_queue_rate("mail", QueueRate(4))

    assert viewer.post(url("rate", "mail"), {"limit": "3", "per": "second"}).status_code == 403
    assert "4 per second" in row_of(viewer.get(LIST).content.decode(), "mail")
    browser = login_as("operator", csrf=True)
    assert browser.post(url("rate", "mail"), {"limit": "3", "per": "second"}).status_code == 403
    assert services.tasks.queue_rates() == {"mail": QueueRate(4)}
    assert not AuditEntry.objects.exists()


def test_a_bad_queue_name_changes_nothing(operator: Client, services: Services) -> None:
    response = operator.post(url("rate", "no spaces"), {"limit": "3", "per": "second"}, follow=True)

    assert "Nothing changed" in response.content.decode()
    assert services.tasks.queue_rates() == {}
