"""The client's address behind DJANGO_PROXY_COUNT proxies; only our proxies' entries count."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from pytest_django import Settings


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        # The client wrote the first entry itself; our one proxy appended the second.
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        # Fewer hops than proxies: it came round one; trust only what the socket says.
        (2, "203.0.113.5", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip(settings: Settings, count: int, forwarded: str, expected: str) -> None:
    from scheduler_core.web.client_ip import client_ip

    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
