"""The address a web request came from, with or without reverse proxies in front.

Behind proxies REMOTE_ADDR is the nearest proxy's address, which would put every user in
one bucket for login throttling and in the audit log. settings.PROXY_COUNT (environment
DJANGO_PROXY_COUNT) says how many proxies we run in front; each appends the address it got
the request from to X-Forwarded-For, so the entry that many places from the end is the
client as our outermost proxy saw it. Entries further left are the client's own claims and
never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address as text; "" when none is known."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "PROXY_COUNT", 0))
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than proxies: a request that bypassed one; its own address is all we know.
        return remote
    return _valid(forwarded[-count]) or remote


def _valid(text: str) -> str:
    """`text` if it is an IP address (the audit log's column takes nothing else), else ""."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return ""
