"""The alert domain: the allow-list's matching, rule validation, the incident's next move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler_core.domain.alerts import (
    AlertKind,
    AlertRule,
    AlertRuleInvalid,
    Incident,
    IncidentState,
    Measurement,
    Move,
    events_for,
    next_transition,
    url_allowed,
    validate_rule,
)

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
ALLOWED = ["https://hooks.slack.com/services/", "http://127.0.0.1:9999/hook"]


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/services/T0/B0/x", True),
        ("https://hooks.slack.com:443/services/T0", True),
        ("http://127.0.0.1:9999/hook", True),
        ("http://127.0.0.1:9999/hook/sub", True),
        ("http://127.0.0.1:9999/hookx", False),
        ("http://127.0.0.1:99990/hook", False),
        ("http://127.0.0.1/hook", False),
        ("https://hooks.slack.com.evil.example/services/x", False),
        ("https://evil@hooks.slack.com/services/x", False),
        ("http://hooks.slack.com/services/x", False),
        ("ftp://hooks.slack.com/services/x", False),
        ("https://hooks.slack.com/other", False),
        ("not a url", False),
        ("http://[::1/", False),
    ],
)
def test_url_allowed_matches_origin_and_whole_path_segments(url: str, allowed: bool) -> None:
    assert url_allowed(url, ALLOWED) is allowed


def test_nothing_is_allowed_by_an_empty_list() -> None:
    assert not url_allowed("https://hooks.slack.com/services/x", [])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"queue": ""}, "queue"),
        ({"threshold": -1}, "threshold"),
        ({"kind": AlertKind.FAILURE_RATE, "threshold": 101}, "threshold"),
        ({"for_seconds": -1}, "for_seconds"),
        ({"window_seconds": 0}, "window_seconds"),
        ({"min_count": 0}, "min_count"),
    ],
)
def test_validate_rule_names_the_field(fields: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"name": "r", "kind": AlertKind.TASK_FAILED} | fields
    with pytest.raises(AlertRuleInvalid) as refused:
        validate_rule(AlertRule(**values))  # type: ignore[arg-type]
    assert refused.value.field == field


def incident(state: IncidentState, **fields: object) -> Incident:
    values: dict[str, object] = {"pending_since": NOW - timedelta(seconds=30)} | fields
    return Incident(id=1, rule_id=1, state=state, version=1, **values)  # type: ignore[arg-type]


BREACH = Measurement(True, 1.0, "bad")
CLEAR = Measurement(False, 0.0, "fine")


def test_pending_fires_once_for_has_passed() -> None:
    rule = AlertRule(name="r", kind=AlertKind.TASK_FAILED, for_seconds=30)
    assert next_transition(rule, incident(IncidentState.PENDING), BREACH, NOW) is Move.FIRE
    rule.for_seconds = 31
    assert next_transition(rule, incident(IncidentState.PENDING), BREACH, NOW) is None
    assert next_transition(rule, incident(IncidentState.PENDING), CLEAR, NOW) is Move.CLOSE


def test_a_pass_reading_its_clock_a_hair_early_still_fires_on_time() -> None:
    # Two passes `for` apart on a fixed cadence read clocks milliseconds apart either way.
    rule = AlertRule(name="r", kind=AlertKind.TASK_FAILED, for_seconds=30)
    early = incident(IncidentState.PENDING, pending_since=NOW - timedelta(seconds=29.99))
    assert next_transition(rule, early, BREACH, NOW) is Move.FIRE
    # The slack is a fraction of a second, not a pass: a second early still waits.
    too_early = incident(IncidentState.PENDING, pending_since=NOW - timedelta(seconds=29))
    assert next_transition(rule, too_early, BREACH, NOW) is None


def test_firing_reminds_unless_acknowledged_and_resolves_when_clear() -> None:
    rule = AlertRule(name="r", kind=AlertKind.TASK_FAILED, renotify_seconds=60)
    told = NOW - timedelta(seconds=60)
    assert (
        next_transition(rule, incident(IncidentState.FIRING, notified_at=told), BREACH, NOW)
        is Move.NOTIFY
    )
    acked = incident(IncidentState.FIRING, notified_at=told, acknowledged_at=NOW)
    assert next_transition(rule, acked, BREACH, NOW) is None
    assert next_transition(rule, acked, CLEAR, NOW) is Move.RESOLVE
    assert events_for(Move.RESOLVE, rule, acked, NOW) == ["resolved"]
    untold = incident(IncidentState.FIRING)
    assert events_for(Move.RESOLVE, rule, untold, NOW) == []


def test_a_silence_mutes_firing_and_reminders() -> None:
    rule = AlertRule(name="r", kind=AlertKind.TASK_FAILED, silenced_until=NOW + timedelta(1))
    pending = incident(IncidentState.PENDING)
    assert events_for(Move.FIRE, rule, pending, NOW) == []
    assert next_transition(rule, incident(IncidentState.FIRING), BREACH, NOW) is None


def test_email_channels_need_one_to_twenty_good_addresses() -> None:
    from scheduler_core.domain.alerts import Channel, ChannelType, validate_channel

    good = Channel(type=ChannelType.EMAIL, to=("ops@example.com",))
    validate_channel(0, good, [])
    for to in ((), tuple(f"a{n}@example.com" for n in range(21)), ("a@b",), ("a b@c.d",)):
        with pytest.raises(AlertRuleInvalid) as refused:
            validate_channel(2, Channel(type=ChannelType.EMAIL, to=to), [])
        assert refused.value.field == "channels[2].to"
