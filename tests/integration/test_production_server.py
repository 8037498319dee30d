"""The documented production server (gunicorn, docs/deployment.md) behind a TLS proxy.

Runs the documented command against the test database of each engine and checks: /healthz,
the redirect to https that a proxied https request must not get, logging in and a logged-in
page (CSRF from the proxy's public origin), and login throttling shared by its processes.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import User
from django.db import connections

from scheduler_core.models import AuditEntry
from tests.integration.storage.test_claim_processes import database_url

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "https://scheduler.example"
PASSWORD = "a-long-right-password-9"
# What the TLS proxy in front adds to every request it forwards.
PROXIED = {"X-Forwarded-Proto": "https", "Origin": PUBLIC}
# name=value pairs of a Set-Cookie header that requests folds into one line.
COOKIE = re.compile(r"(?:^|, )(\w+)=([^;]*);")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """A gunicorn started as docs/deployment.md says, and a cookie jar for its answers."""

    def __init__(self, alias: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cookies: dict[str, str] = {}
        env = {
            **os.environ,
            "DATABASE_URL": database_url(alias),
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DJANGO_SECRET_KEY": "test-only-" + "k" * 50,
            "DJANGO_SECURE": "1",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
            "DJANGO_CSRF_TRUSTED_ORIGINS": PUBLIC,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOGIN_FAILURE_LIMIT": "5",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
        }
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "dashboard.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> requests.Response:
        """One request on a new connection, with the cookies so far (Secure ones too: the
        proxy would carry them over https)."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method, self.base + path, headers=sent, data=data, allow_redirects=False, timeout=30
        )
        for name, value in COOKIE.findall(response.headers.get("Set-Cookie", "")):
            self.cookies[name] = value
        return response

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited"
            try:
                requests.get(self.base + "/healthz", headers=PROXIED, timeout=2)
                return
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or listening while its workers still load Django (on a
                # busy machine that takes longer than one read timeout).
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def server(alias: str, tmp_path: Path) -> Iterator[Server]:
    User.objects.db_manager(alias).create_superuser("ops", password=PASSWORD)
    User.objects.db_manager(alias).create_user("victim", password=PASSWORD)
    # Our own connections would keep PostgreSQL's test database from being dropped.
    connections.close_all()
    started = Server(alias, tmp_path / "gunicorn.log")
    try:
        started.wait_until_up()
        yield started
    finally:
        started.stop()


def log_in(server: Server, username: str, password: str) -> requests.Response:
    server.request("GET", "/accounts/login/", headers=PROXIED)
    return server.request(
        "POST",
        "/accounts/login/",
        headers={**PROXIED, "Referer": PUBLIC + "/accounts/login/"},
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": server.cookies["csrftoken"],
        },
    )


def test_the_documented_server_behind_a_tls_proxy(server: Server, alias: str) -> None:
    plain = server.request("GET", "/healthz")
    proxied = server.request("GET", "/healthz", headers=PROXIED)

    # Plain http is sent to https; what the proxy says came over https is served.
    assert (plain.status_code, plain.headers["Location"]) == (
        301,
        f"https://127.0.0.1:{server.port}/healthz",
    )
    assert (proxied.status_code, proxied.json()) == (200, {"status": "ok"})

    logged_in = log_in(server, "ops", PASSWORD)
    page = server.request("GET", "/", headers=PROXIED)

    assert logged_in.status_code == 302, logged_in.text[:500]
    assert page.status_code == 200
    assert "ops" in page.text and "Log out" in page.text


def test_login_throttling_is_shared_by_the_server_processes(server: Server, alias: str) -> None:
    # Each attempt is a new connection, which either of the two processes may take.
    statuses = [log_in(server, "victim", "wrong").status_code for _ in range(5)]
    right = log_in(server, "victim", PASSWORD)

    assert statuses == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "locked for 15 minutes" in right.text
    entry = AuditEntry.objects.using(alias).get(action="login_locked_out")
    assert (entry.actor, entry.source) == ("victim", "dashboard")
