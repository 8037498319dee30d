"""Each page reads the database's clock once: its figures are taken at one instant, and a
read of the clock is a round trip the page need not make again (both engines)."""

from __future__ import annotations

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.domain.ports import SubmitRequest
from scheduler_core.storage.db_clock import DatabaseClock

# The pages that show queue counts, ages and worker states: the overview, the queues page,
# the API's queue list and the Prometheus scrape (from loopback, so without a token).
PAGES = ["/", "/queues/", "/api/v1/queues", "/metrics"]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_reads_the_database_clock_once(
    url: str, admin: Client, on_backend: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_backend.tasks.submit(SubmitRequest(name="demo.tasks.add", args=[1, 2]))
    assert admin.get(url).status_code == 200
    reads: list[str] = []
    original = DatabaseClock.now

    def counted(clock: DatabaseClock) -> object:
        reads.append(url)
        return original(clock)

    monkeypatch.setattr(DatabaseClock, "now", counted)

    assert admin.get(url).status_code == 200
    assert len(reads) == 1
