"""The audit log pages: entries newest first, filters, keyset pages, details, escaping."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from scheduler_core.bootstrap import Services
from scheduler_core.models import AuditEntry
from scheduler_core.queries.audit_listing import AuditFilter, audit_page

from ..conftest import LoginAs

URL = "/audit/"
XSS = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def entry(
    *, at: datetime | None = None, task_ids: Sequence[uuid.UUID] = (), **fields: object
) -> AuditEntry:
    """One stored audit entry; `at` is set after insert (the field is auto_now_add)."""
    ids = [str(task_id) for task_id in task_ids]
    values: dict[str, object] = {
        "actor": "alice",
        "action": "cancel",
        "source": "dashboard",
        "from_status": "ready",
        "task_ids": ids,
        "count": len(ids),
    }
    values.update(fields)
    created = AuditEntry.objects.create(**values)
    if at is not None:
        AuditEntry.objects.filter(id=created.id).update(at=at)
        created.refresh_from_db()
    return created


def actions_listed(html: str) -> list[str]:
    """The action column of the list, top to bottom."""
    return re.findall(r"<td class=\"nowrap\"><code class=\"action\">([^<]*)</code></td>", html)


def test_anonymous_visitors_are_sent_to_log_in(services: Services) -> None:
    for url in (URL, "/audit/1/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_a_user_without_the_audit_permission_is_refused(login_as: LoginAs) -> None:
    record = entry()
    client = login_as("")
    assert client.get(URL).status_code == 403
    assert client.get(f"/audit/{record.id}/").status_code == 403


def test_post_is_not_allowed(operator: Client) -> None:
    assert operator.post(URL).status_code == 405


def test_the_viewer_sees_entries_newest_first_with_every_column(viewer: Client) -> None:
    now = datetime.now(UTC)
    task_id = uuid.uuid4()
    entry(action="retry", at=now - timedelta(minutes=5), task_ids=[task_id], remote_addr="10.0.0.7")
    entry(action="pause_queue", at=now, target="emails", from_status="", source="api")
    response = viewer.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert actions_listed(html) == ["pause_queue", "retry"]
    assert f'href="/tasks/{task_id}/"' in html
    assert "emails" in html
    assert "10.0.0.7" in html
    assert "<td>API</td>" in html
    assert "badge-ready" in html


def test_many_task_ids_show_five_links_and_the_rest_on_the_detail_page(viewer: Client) -> None:
    ids = [uuid.uuid4() for _ in range(8)]
    record = entry(task_ids=ids)
    html = viewer.get(URL).content.decode()
    assert len(re.findall(r'href="/tasks/[0-9a-f-]+/"', html)) == 5
    assert f'<a href="/audit/{record.id}/">+3 more</a>' in html

    detail = viewer.get(f"/audit/{record.id}/").content.decode()
    for task_id in ids:
        assert f'href="/tasks/{task_id}/"' in detail


def test_the_detail_page_shows_the_details_of_the_action(viewer: Client) -> None:
    limited = entry(action="set_queue_limit", target="mail", details={"limit": 7, "previous": 4})
    plain = entry()

    html = viewer.get(f"/audit/{limited.id}/").content.decode()
    assert (
        "<dt>Details</dt><dd><code>{&quot;limit&quot;: 7, &quot;previous&quot;: 4}</code>" in html
    )
    assert "<dt>Details</dt><dd>—</dd>" in viewer.get(f"/audit/{plain.id}/").content.decode()


def test_an_unknown_entry_is_not_found(viewer: Client) -> None:
    assert viewer.get("/audit/999999/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "bob"}, ["retry"]),
        ({"action": "cancel"}, ["cancel"]),
        ({"source": "api"}, ["pause_queue"]),
        ({"day": "2026-11-20"}, ["cancel"]),
        ({"actor": "alice", "source": "dashboard"}, ["cancel"]),
        ({"actor": "nobody"}, []),
    ],
)
def test_filters(viewer: Client, query: dict[str, str], expected: list[str]) -> None:
    entry(action="cancel", at=datetime(2026, 11, 20, 12, tzinfo=UTC))
    entry(action="retry", actor="bob", at=datetime(2026, 11, 21, 12, tzinfo=UTC))
    entry(action="pause_queue", source="api", at=datetime(2026, 11, 22, 12, tzinfo=UTC))
    assert actions_listed(viewer.get(URL, query).content.decode()) == expected


@pytest.mark.parametrize(("field", "value"), [("day", "yesterday"), ("source", "carrier-pigeon")])
def test_a_bad_filter_is_a_field_error_and_the_rest_still_filters(
    viewer: Client, field: str, value: str
) -> None:
    entry(action="cancel")
    entry(action="retry", actor="bob")
    html = viewer.get(URL, {field: value, "actor": "bob"}).content.decode()
    assert 'class="field has-error"' in html
    assert actions_listed(html) == ["retry"]


def test_keyset_pages_follow_each_other_without_gaps_or_repeats(
    viewer: Client, services: Services
) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    # Three entries share one timestamp, so the id has to break the tie.
    times = [start + timedelta(minutes=i // 3) for i in range(7)]
    made = [entry(action=f"act{i}", at=at) for i, at in enumerate(times)]
    expected = [record.id for record in sorted(made, key=lambda r: (r.at, r.id), reverse=True)]
    seen: list[int] = []
    after = None
    while True:
        page = audit_page("default", AuditFilter(), after=after, size=3)
        seen += [record.id for record in page.entries]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == expected


def test_the_page_links_to_older_entries_keeping_the_filters(viewer: Client) -> None:
    for i in range(51):
        entry(action=f"act{i}", actor="carol")
    html = viewer.get(URL, {"actor": "carol"}).content.decode()
    assert len(actions_listed(html)) == 50
    older = re.search(r'<a href="\?([^"]*)" rel="next">Older</a>', html)
    assert older
    query = older.group(1).replace("&amp;", "&")
    assert "actor=carol" in query
    second = viewer.get(f"{URL}?{query}").content.decode()
    assert actions_listed(second) == ["act0"]
    assert "Newest" in second


def test_user_supplied_text_is_escaped(viewer: Client) -> None:
    record = entry(actor=XSS, target=XSS, action=XSS[:50], details={XSS: XSS})
    for url in (URL, f"/audit/{record.id}/"):
        html = viewer.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = viewer.get(URL, {"actor": XSS}).content.decode()
    assert "<img src=x" not in html
