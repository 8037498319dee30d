"""A running copy of the whole product for browser tests: web server, worker pool, users.

Everything runs as real subprocesses on a SQLite file of its own, as `make run` does, so a
browser test sees exactly what an operator sees: nothing is faked in-process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]

# One password for every test user; long enough for Django's validators.
PASSWORD = "browser-tests-passphrase-1"
USERS = {"ada": "admin", "olga": "operator", "vic": "viewer"}

CREATE_USERS = f"""
from django.contrib.auth.models import Group, User
for username, role in {USERS!r}.items():
    user = User.objects.create_user(username, password={PASSWORD!r}, is_staff=role == "admin")
    user.groups.add(Group.objects.get(name=role))
"""


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Site:
    """The base URL of a running site and its processes."""

    url: str
    database: Path
    logs: Path
    processes: list[subprocess.Popen[bytes]]
    log_files: list[IO[bytes]]

    def stop(self) -> None:
        """SIGTERM every process (the worker drains), then make sure they are gone."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for log in self.log_files:
            log.close()


def _environment(database: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SECRET_KEY": "browser-tests-only-not-a-secret",
        # Quick retries, so a flaky or failing demo task finishes within a test's patience.
        "SCHEDULER_RETRY_BASE_SECONDS": "0.2",
        "SCHEDULER_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_DEBUG", None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def run_shell(site: Site, code: str) -> str:
    """Run `code` in `manage.py shell` against the site's database; what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_environment(site.database),
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (localhost)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the site did not answer {url} within {timeout}s")


def start_site(workdir: Path) -> Site:
    """Migrate a fresh database, create one user per role, start the server and the workers."""
    database = workdir / "site.sqlite3"
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    env = _environment(database)
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "shell", "-c", CREATE_USERS)
    port = free_port()
    server_log = (logs / "server.log").open("wb")
    worker_log = (logs / "worker.log").open("wb")
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runworkers",
                "--concurrency",
                "2",
                "--pool",
                "thread",
                "--maintenance-interval",
                "1",
                "--worker-id",
                "browser-worker",
            ],
            cwd=ROOT,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        ),
    ]
    site = Site(f"http://127.0.0.1:{port}", database, logs, processes, [server_log, worker_log])
    try:
        _wait_for(f"{site.url}/healthz")
    except RuntimeError:
        site.stop()
        raise
    return site
