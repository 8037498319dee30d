"""Alert rules and the incident state machine: pure rules, no storage, no clock.

A rule watches one condition over the scheduler's own state. Its incident moves
ok -> pending -> firing -> resolved; `next_transition` decides each move from what the
evaluator measured, and the storage applies it with a compare-and-swap so that racing
evaluators make each move (and send its notification) once. See docs/alerts.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit


class AlertKind(StrEnum):
    """What a rule watches; the threshold's unit depends on it (docs/alerts.md)."""

    # The oldest due, unclaimed task has waited longer than `threshold` seconds.
    OLDEST_READY_AGE = "oldest_ready_age"
    # Failed attempts over finished attempts in `window_seconds` is above `threshold` %.
    FAILURE_RATE = "failure_rate"
    # More than `threshold` tasks failed for good within `window_seconds`.
    TASK_FAILED = "task_failed"
    # No worker serving the queue has beaten within `threshold` seconds.
    NO_LIVE_WORKER = "no_live_worker"
    # More than `threshold` running tasks are held by dead, stopped or silent workers.
    DEAD_WORKER_HOLDING_TASKS = "dead_worker_holding_tasks"
    # A schedule's due time passed more than `threshold` seconds ago without firing.
    SCHEDULE_MISSED = "schedule_missed"


class IncidentState(StrEnum):
    """Where a rule's incident is; "ok" closes a pending incident that never fired."""

    # The condition cleared before its "for" duration: closed, nobody was told.
    OK = "ok"
    # The condition holds, not yet for the rule's "for" duration.
    PENDING = "pending"
    # The condition has held for the "for" duration: operators are told.
    FIRING = "firing"
    # The condition cleared after firing: operators are told it is over.
    RESOLVED = "resolved"


class NotificationEvent(StrEnum):
    """Why a notification is sent."""

    # The incident started firing (or its silence ended while it fires).
    FIRING = "firing"
    # It still fires, re-notify interval after the last notice, and nobody acknowledged it.
    REMINDER = "reminder"
    # It fired and its condition cleared.
    RESOLVED = "resolved"


class ChannelType(StrEnum):
    """How a notification travels."""

    EMAIL = "email"
    WEBHOOK = "webhook"


OPEN_STATES = (IncidentState.PENDING, IncidentState.FIRING)
# Defaults a rule's threshold takes when it is not given, per kind.
DEFAULT_THRESHOLDS = {
    AlertKind.OLDEST_READY_AGE: 300.0,
    AlertKind.FAILURE_RATE: 50.0,
    AlertKind.TASK_FAILED: 0.0,
    AlertKind.NO_LIVE_WORKER: 90.0,
    AlertKind.DEAD_WORKER_HOLDING_TASKS: 0.0,
    AlertKind.SCHEDULE_MISSED: 60.0,
}
MAX_NAME_LENGTH = 200
MAX_CHANNELS = 10
MAX_ADDRESSES = 20
MAX_SECONDS = 7 * 24 * 3600


class AlertRuleInvalid(ValueError):
    """A rule's fields break a rule; `field` names the one at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    """One destination: a webhook URL (signed with `secret`) or email addresses."""

    type: ChannelType
    url: str = ""
    secret: str = ""
    to: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """Where it goes, for pages and logs: the URL or the addresses."""
        return self.url if self.type is ChannelType.WEBHOOK else ", ".join(self.to)


@dataclass(slots=True, kw_only=True)
class AlertRule:
    """A condition, its scope, how long it must hold, and who hears about it."""

    name: str
    kind: AlertKind
    id: int | None = None
    queue: str | None = None
    task: str | None = None
    threshold: float | None = None
    for_seconds: int = 60
    renotify_seconds: int = 3600
    window_seconds: int = 300
    min_count: int = 10
    channels: list[Channel] = field(default_factory=list)
    enabled: bool = True
    silenced_until: datetime | None = None
    # Stamped by the evaluators, never set by an edit: the watcher's own health.
    last_evaluated_at: datetime | None = None
    last_error: str = ""

    @property
    def limit(self) -> float:
        """The threshold, or its kind's default."""
        return DEFAULT_THRESHOLDS[self.kind] if self.threshold is None else self.threshold

    def silenced(self, now: datetime) -> bool:
        """True while a silence mutes its notifications."""
        return self.silenced_until is not None and now < self.silenced_until

    def audit_details(self) -> dict[str, object]:
        """What an audit entry keeps of the rule: its definition and targets, no secret."""
        return {
            "kind": self.kind.value,
            "scope": self.scope,
            "threshold": self.threshold,
            "for_seconds": self.for_seconds,
            "channels": [channel.target for channel in self.channels],
        }

    @property
    def scope(self) -> str:
        """The scope in words: "queue default, task app.x", or "all"."""
        parts = [
            f"queue {self.queue}" if self.queue else "",
            f"task {self.task}" if self.task else "",
        ]
        return ", ".join(part for part in parts if part) or "all"


@dataclass(frozen=True, slots=True)
class Measurement:
    """What an evaluator saw: whether the condition holds, its value, and since when."""

    breaching: bool
    value: float
    summary: str
    # When the condition began, if the data says (a last heartbeat, a due time); the "for"
    # duration counts from there, so a late evaluation does not delay the notice.
    since: datetime | None = None


@dataclass(slots=True, kw_only=True)
class Incident:
    """One episode of a rule's condition, from pending to ok or resolved."""

    id: int
    rule_id: int
    state: IncidentState
    version: int
    pending_since: datetime
    value: float = 0.0
    summary: str = ""
    firing_since: datetime | None = None
    resolved_at: datetime | None = None
    # When the last firing or reminder notice was queued; None while none went out.
    notified_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""


class Move(StrEnum):
    """A step `next_transition` asks the storage to take."""

    FIRE = "fire"
    CLOSE = "close"
    RESOLVE = "resolve"
    NOTIFY = "notify"


# Passes start on a fixed cadence, but each reads the clock a few milliseconds early or
# late (and later for rules further down its list). Without this slack a "for" that is a
# multiple of the interval would fire a whole pass late whenever the firing pass read its
# clock a hair early: a coin flip, seen as 3.8 s where 2.8 s was due.
FOR_SLACK = timedelta(milliseconds=250)


def next_transition(
    rule: AlertRule, incident: Incident, measurement: Measurement, now: datetime
) -> Move | None:
    """The move an open incident makes given the latest measurement, or None to stay."""
    if not measurement.breaching:
        return Move.CLOSE if incident.state is IncidentState.PENDING else Move.RESOLVE
    if incident.state is IncidentState.PENDING:
        held = now - incident.pending_since + FOR_SLACK
        return Move.FIRE if held >= timedelta(seconds=rule.for_seconds) else None
    if rule.silenced(now):
        return None
    if incident.notified_at is None:
        # Fired while silenced, and the silence is over: tell now, not at the next reminder.
        return Move.NOTIFY
    if incident.acknowledged_at is not None or rule.renotify_seconds <= 0:
        return None
    due = incident.notified_at + timedelta(seconds=rule.renotify_seconds)
    return Move.NOTIFY if now >= due else None


def events_for(move: Move, rule: AlertRule, incident: Incident, now: datetime) -> list[str]:
    """The notification a move sends (none when silenced, none for a pending close)."""
    if move is Move.CLOSE:
        return []
    if move is Move.RESOLVE:
        # Told it fired, so told it ended, silence or not (Alertmanager #226 in reverse).
        return [NotificationEvent.RESOLVED] if incident.notified_at is not None else []
    if rule.silenced(now):
        return []
    if move is Move.FIRE or incident.notified_at is None:
        return [NotificationEvent.FIRING]
    return [NotificationEvent.REMINDER]


def url_allowed(url: str, prefixes: list[str]) -> bool:
    """True if `url` lies under one of the allowed URL prefixes (same scheme, host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return False
    for prefix in prefixes:
        allowed = urlsplit(prefix)
        try:
            allowed_port = allowed.port
        except ValueError:
            continue
        same_origin = (
            parts.scheme == allowed.scheme
            and parts.hostname == allowed.hostname
            and (port or _default_port(parts.scheme))
            == (allowed_port or _default_port(allowed.scheme))
        )
        # A path prefix matches whole segments only: /hook allows /hook/x, not /hookx.
        path = allowed.path or "/"
        under = parts.path == path or parts.path.startswith(path.rstrip("/") + "/")
        if same_origin and under:
            return True
    return False


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def validate_rule(rule: AlertRule) -> None:
    """Raise AlertRuleInvalid naming the first field that breaks a rule."""
    name = rule.name.strip()
    if not name or len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise AlertRuleInvalid("name", f"give a name of 1 to {MAX_NAME_LENGTH} characters")
    for label in ("queue", "task"):
        value = getattr(rule, label)
        if value is not None and (not value.strip() or len(value) > 200 or "\x00" in value):
            raise AlertRuleInvalid(label, "leave it empty for all, or give a name")
    if rule.threshold is not None and not 0 <= rule.threshold <= 1e9:
        raise AlertRuleInvalid("threshold", "must be between 0 and 1e9")
    if rule.kind is AlertKind.FAILURE_RATE and rule.threshold is not None and rule.threshold > 100:
        raise AlertRuleInvalid("threshold", "a failure rate is a percentage, 0 to 100")
    for label, low in (("for_seconds", 0), ("renotify_seconds", 0), ("window_seconds", 1)):
        value = getattr(rule, label)
        if not low <= value <= MAX_SECONDS:
            raise AlertRuleInvalid(label, f"must be between {low} and {MAX_SECONDS} seconds")
    if not 1 <= rule.min_count <= 1_000_000:
        raise AlertRuleInvalid("min_count", "must be between 1 and 1000000")
    if len(rule.channels) > MAX_CHANNELS:
        raise AlertRuleInvalid("channels", f"at most {MAX_CHANNELS} channels")


def validate_channel(index: int, channel: Channel, allowed_prefixes: list[str]) -> None:
    """Raise AlertRuleInvalid on `channels[i].<field>` if the channel cannot be used."""
    where = f"channels[{index}]"
    if channel.type is ChannelType.WEBHOOK:
        if "\x00" in channel.url or len(channel.url) > 2000:
            raise AlertRuleInvalid(f"{where}.url", "give a URL of at most 2000 characters")
        if not url_allowed(channel.url, allowed_prefixes):
            raise AlertRuleInvalid(
                f"{where}.url",
                "this URL is not under a prefix of ALERT_WEBHOOK_ALLOWED"
                if allowed_prefixes
                else "webhooks are off: ALERT_WEBHOOK_ALLOWED lists no URL prefix",
            )
        if len(channel.secret) > 200 or "\x00" in channel.secret:
            raise AlertRuleInvalid(f"{where}.secret", "at most 200 characters")
        return
    if not 1 <= len(channel.to) <= MAX_ADDRESSES:
        raise AlertRuleInvalid(f"{where}.to", f"give 1 to {MAX_ADDRESSES} addresses")
    for address in channel.to:
        local, at, domain = address.partition("@")
        if (
            not (local and at and "." in domain)
            or len(address) > 254
            or any(c in address for c in " \r\n,<>\x00")
        ):
            raise AlertRuleInvalid(f"{where}.to", f"{address!r} is not an email address")
