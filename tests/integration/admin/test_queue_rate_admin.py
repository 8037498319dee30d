"""The queue rate admin: rates set, changed and lifted through the service, audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from scheduler_core.bootstrap import get_services, reset_services
from scheduler_core.domain.queue_rates import QueueRate
from scheduler_core.models import AuditEntry, QueueRateRecord

ADMIN = "/admin/scheduler_core/queueraterecord/"


@pytest.fixture(autouse=True)
def fresh_services() -> Iterator[None]:
    """Services built from the test settings, so they use the test database."""
    reset_services()
    yield
    reset_services()


@pytest.mark.django_db
def test_a_rate_added_changed_and_deleted_in_the_admin_holds_and_is_audited(
    admin_client: Client,
) -> None:
    added = admin_client.post(
        f"{ADMIN}add/", {"queue": "mail", "max_starts": "10", "per": "second", "partition_by": ""}
    )
    assert added.status_code == 302
    assert get_services().tasks.queue_rates() == {"mail": QueueRate(10)}
    assert QueueRateRecord.objects.get().tokens == 10

    admin_client.post(
        f"{ADMIN}mail/change/", {"max_starts": "5", "per": "minute", "partition_by": "customer_id"}
    )
    assert get_services().tasks.queue_rates() == {"mail": QueueRate(5, "minute", "customer_id")}

    admin_client.post(f"{ADMIN}mail/delete/", {"post": "yes"})
    assert get_services().tasks.queue_rates() == {}
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "source"))
    assert actions == [
        ("admin.add_queueraterecord", "admin"),
        ("admin.change_queueraterecord", "admin"),
        ("admin.delete_queueraterecord", "admin"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"max_starts": "0"}, "max_starts"),
        ({"max_starts": "100001"}, "max_starts"),
        ({"per": "hour"}, "per"),
        ({"partition_by": "not a name"}, "partition_by"),
        ({"queue": "no spaces"}, "queue"),
    ],
)
def test_a_bad_rate_is_a_field_error_and_saves_nothing(
    admin_client: Client, fields: dict[str, str], field: str
) -> None:
    data = {"queue": "mail", "max_starts": "10", "per": "second", "partition_by": "", **fields}

    response = admin_client.post(f"{ADMIN}add/", data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not QueueRateRecord.objects.exists()
