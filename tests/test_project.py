"""Project wiring: settings, the bootstrap_admin command and the admin site."""

import re
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connections
from django.test import Client, RequestFactory
from pytest_django import DjangoDbBlocker

from dashboard.settings import load_secret_key
from scheduler_core.models import AuditEntry
from scheduler_core.sqlite_engine.base import DatabaseWrapper

PASSWORD_LINE = re.compile(r"^Password \(shown only this once\): (\S+)$", re.MULTILINE)

default_is_sqlite = pytest.mark.skipif(
    connections["default"].vendor != "sqlite",
    reason="DATABASE_URL points at another database",
)


@default_is_sqlite
def test_sqlite_settings_ask_for_wal_and_immediate_transactions() -> None:
    options = settings.DATABASES["default"]["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    # Writers queue for the write lock (scheduler_core/sqlite_engine/write_turn.py).
    assert settings.DATABASES["default"]["ENGINE"] == "scheduler_core.sqlite_engine"


@default_is_sqlite
def test_a_django_sqlite_connection_runs_in_wal_mode(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    # The test database lives in memory, where WAL does not apply; use a file like production.
    file_db = {**settings.DATABASES["default"], "NAME": str(tmp_path / "wal.sqlite3")}
    settings_dict = connections.configure_settings({"default": file_db})["default"]
    connection = DatabaseWrapper(settings_dict, alias="wal_check")
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                pragmas = {}
                for name in ("journal_mode", "synchronous", "busy_timeout"):
                    cursor.execute(f"PRAGMA {name}")
                    pragmas[name] = cursor.fetchone()[0]
        finally:
            connection.close()

    # synchronous=1 is NORMAL.
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 20000}


def test_secret_key_file_is_created_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / ".secret_key"

    key = load_secret_key(path)

    assert len(key) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(path) == key


@pytest.mark.django_db
def test_bootstrap_admin_creates_one_superuser_with_a_printed_random_password() -> None:
    first = StringIO()
    call_command("bootstrap_admin", stdout=first)

    match = PASSWORD_LINE.search(first.getvalue())
    assert match is not None, first.getvalue()
    # A request, as login throttling (axes) counts attempts per address.
    user = authenticate(RequestFactory().post("/"), username="admin", password=match.group(1))
    assert user is not None
    assert user.is_superuser

    second = StringIO()
    call_command("bootstrap_admin", "--username", "other", stdout=second)

    assert "already exists: admin" in second.getvalue()
    assert "manage.py changepassword admin" in second.getvalue()
    assert PASSWORD_LINE.search(second.getvalue()) is None
    assert get_user_model()._default_manager.filter(is_superuser=True).count() == 1
    audited = AuditEntry.objects.values_list("action", "source", "target")
    assert list(audited) == [("create_superuser", "command", "admin")]


@pytest.mark.django_db
def test_bootstrap_admin_passwords_differ_between_databases() -> None:
    passwords = []
    for _ in range(2):
        out = StringIO()
        call_command("bootstrap_admin", "--username", "root", stdout=out)
        match = PASSWORD_LINE.search(out.getvalue())
        assert match is not None
        passwords.append(match.group(1))
        get_user_model()._default_manager.all().delete()

    assert passwords[0] != passwords[1]


@pytest.mark.django_db
def test_admin_login_page_renders(client: Client) -> None:
    response = client.get("/admin/login/")

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_index_sends_anonymous_users_to_login(client: Client) -> None:
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_root_is_the_dashboard_and_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
