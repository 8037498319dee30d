"""Webhooks: a JSON POST with a Slack-compatible `text`, signed the Standard Webhooks way.

Headers `webhook-id` (the delivery id, the same on every retry), `webhook-timestamp`
(Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
under the channel's secret. The URL is checked against ALERT_WEBHOOK_ALLOWED again at
send time (the list may have narrowed since the rule was saved); redirects are never
followed and proxies from the environment are not used, so a listed URL is the only
place a request goes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from scheduler_core.domain.alerts import url_allowed
from scheduler_core.domain.ports.alerts import ChannelSender, Delivery, DeliveryFailed

# Only this much of a refusal's body is kept as the error shown on the rule's page.
ERROR_BODY_BYTES = 1024
USER_AGENT = "scheduler-alerts/1"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer, not an instruction: a redirect could lead anywhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@functools.cache
def _opener() -> urllib.request.OpenerDirector:
    # Built on first use: its HTTPS handler loads the system's CA certificates, about
    # 100 ms that every process importing this module (each worker, each web process)
    # paid at start-up, most of them never sending a webhook.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def sign(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: "v1," and the base64 HMAC-SHA256 of id.timestamp.body."""
    message = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload(delivery: Delivery) -> dict[str, Any]:
    """The JSON body: `text` for Slack and its look-alikes, the rest for programs."""
    return {
        "text": delivery.text,
        "event": delivery.event,
        "subject": delivery.subject,
        "rule": delivery.rule_name,
        "rule_id": delivery.rule_id,
        "incident_id": delivery.incident_id,
        "delivery_id": delivery.delivery_id,
    }


class WebhookSender(ChannelSender):
    """POSTs a notification to its channel's URL within `timeout` seconds."""

    def __init__(self, *, allowed_prefixes: Callable[[], list[str]], timeout: float) -> None:
        self._allowed = allowed_prefixes
        self._timeout = timeout

    def refuses(self, delivery: Delivery) -> str:
        """A URL this process's ALERT_WEBHOOK_ALLOWED does not list is not called from it."""
        if url_allowed(delivery.channel.url, self._allowed()):
            return ""
        return "the URL is not under this process's ALERT_WEBHOOK_ALLOWED"

    def send(self, delivery: Delivery) -> None:
        """POST it; DeliveryFailed (retryable on 429, 5xx and network errors) otherwise."""
        url = delivery.channel.url
        if not url_allowed(url, self._allowed()):
            raise DeliveryFailed("the URL is not under ALERT_WEBHOOK_ALLOWED", retryable=False)
        body = json.dumps(payload(delivery)).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": delivery.delivery_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                delivery.channel.secret, delivery.delivery_id, timestamp, body
            ),
        }
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with _opener().open(request, timeout=self._timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            detail = error.read(ERROR_BODY_BYTES).decode("utf-8", "replace").strip()
            retryable = error.code == 429 or error.code >= 500
            raise DeliveryFailed(
                f"HTTP {error.code}{': ' + detail if detail else ''}", retryable=retryable
            ) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryFailed(f"could not reach the URL: {reason}") from error
        if not 200 <= status < 300:
            raise DeliveryFailed(f"HTTP {status} (redirects are not followed)", retryable=False)
