"""A flush keeps the content types and permissions while they are intact, and makes them
again when a test changed them (tests/kept_on_flush.py); on both engines."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connections
from django.db.models.signals import post_migrate

from tests.databases import alias_of
from tests.kept_on_flush import reference_rows

pytestmark = pytest.mark.parametrize("database", ["sqlite", "postgres"])


def flush(alias: str) -> None:
    """As a transactional test's teardown flushes (Django's TransactionTestCase)."""
    call_command("flush", database=alias, interactive=False, verbosity=0, reset_sequences=False)


def test_only_django_s_own_receivers_listen_to_post_migrate(
    database: str,
) -> None:
    # Skipping post_migrate skips nothing else: a new receiver would need its own rows kept.
    # The renames act only on a migration plan's RenameModel operations; a flush has none.
    receivers = {
        f"{receiver.__module__}.{receiver.__qualname__}"
        for receiver in (entry[1]() for entry in post_migrate.receivers)
        if receiver is not None
    }
    assert receivers == {
        "django.contrib.contenttypes.management.create_contenttypes",
        "django.contrib.auth.management.create_permissions",
        "django.contrib.auth.management.rename_permissions_after_model_rename",
    }


def test_intact_rows_are_kept_with_their_ids_and_post_migrate_is_not_sent(
    database: str,
) -> None:
    alias = alias_of(database)
    flush(alias)  # whatever came before, the rows are now as post_migrate makes them
    before = reference_rows(connections[alias])
    sent: list[str] = []

    def count(using: str, **kwargs: object) -> None:
        sent.append(using)

    post_migrate.connect(count, weak=False)
    try:
        flush(alias)
    finally:
        post_migrate.disconnect(count)

    assert sent == []
    assert reference_rows(connections[alias]) == before
    assert all(before), "the kept tables were empty"


@pytest.mark.parametrize("change", ["delete", "rename", "add"])
def test_rows_a_test_changed_are_made_again(database: str, change: str) -> None:
    alias = alias_of(database)
    flush(alias)
    made = {(p.content_type.model, p.codename, p.name) for p in Permission.objects.using(alias)}
    permission = Permission.objects.using(alias).get(codename="view_taskrecord")
    if change == "delete":
        permission.delete()
    elif change == "rename":
        Permission.objects.using(alias).filter(pk=permission.pk).update(name="Can peek")
    else:
        ContentType.objects.using(alias).create(app_label="stray", model="left_behind")

    flush(alias)

    again = {(p.content_type.model, p.codename, p.name) for p in Permission.objects.using(alias)}
    assert again == made
    assert not ContentType.objects.using(alias).filter(app_label="stray").exists()
    assert reference_rows(connections[alias])[1], "no permissions after the flush"
