"""Alert rules, incidents and the notification outbox in the database.

Every incident move is one transaction: an UPDATE guarded by the incident's id, state and
version (the compare-and-swap), and, only if it changed the row, the outbox rows of its
notifications. On PostgreSQL a second UPDATE waits for the first one's row lock, re-reads
the row and finds the version moved on; SQLite runs one writer at a time (BEGIN
IMMEDIATE). Opening an incident is an INSERT that the partial unique index on open
incidents lets only one evaluator make. This mirrors the schedule ticker's swap.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from scheduler_core.domain.alerts import (
    OPEN_STATES,
    AlertRule,
    AlertRuleInvalid,
    Channel,
    Incident,
    IncidentState,
    Measurement,
    Move,
)
from scheduler_core.domain.ports.alerts import AlertRepository, AlertRuleNotFound, Delivery, Notice
from scheduler_core.models import AlertRuleRecord, IncidentRecord, NotificationRecord

from .mapping import (
    channel_to_json,
    delivery_from_record,
    incident_from_record,
    rule_from_record,
    rule_values,
)

OPEN = [state.value for state in OPEN_STATES]
# Ids are 64-bit columns; a larger number from a URL would be a database error, not a miss.
MAX_ID = 2**63 - 1
SUMMARY_LENGTH = 500


class DjangoAlertRepository(AlertRepository):
    """Alert tables in database `using`."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def _rules(self) -> QuerySet[AlertRuleRecord]:
        return AlertRuleRecord.objects.using(self.using)

    def _incidents(self) -> QuerySet[IncidentRecord]:
        return IncidentRecord.objects.using(self.using)

    def _outbox(self) -> QuerySet[NotificationRecord]:
        return NotificationRecord.objects.using(self.using)

    def rules(self, *, enabled_only: bool = False) -> list[AlertRule]:
        """Every rule, by name."""
        rows = self._rules().filter(enabled=True) if enabled_only else self._rules()
        return [rule_from_record(record) for record in rows.order_by("name")]

    def get_rule(self, rule_id: int) -> AlertRule:
        """One rule; AlertRuleNotFound if none has the id."""
        record = self._rules().filter(id=rule_id).first() if 0 < rule_id <= MAX_ID else None
        if record is None:
            raise AlertRuleNotFound(f"no alert rule has the id {rule_id}")
        return rule_from_record(record)

    def add_rule(self, rule: AlertRule) -> AlertRule:
        """Store a new rule; AlertRuleInvalid on `name` if the name is taken."""
        try:
            with transaction.atomic(using=self.using):
                record = self._rules().create(**rule_values(rule))
        except IntegrityError as error:
            raise AlertRuleInvalid("name", f"a rule called {rule.name!r} exists") from error
        return rule_from_record(record)

    def save_rule(self, rule: AlertRule) -> AlertRule:
        """Overwrite a stored rule's definition."""
        assert rule.id is not None
        try:
            with transaction.atomic(using=self.using):
                changed = self._rules().filter(id=rule.id).update(**rule_values(rule))
        except IntegrityError as error:
            raise AlertRuleInvalid("name", f"a rule called {rule.name!r} exists") from error
        if not changed:
            raise AlertRuleNotFound(f"no alert rule has the id {rule.id}")
        return self.get_rule(rule.id)

    def delete_rule(self, rule_id: int) -> None:
        """Remove a rule, its incidents and its notifications."""
        self.get_rule(rule_id)
        deleted, _ = self._rules().filter(id=rule_id).delete()
        if not deleted:
            raise AlertRuleNotFound(f"no alert rule has the id {rule_id}")

    def set_silence(self, rule_id: int, until: datetime | None) -> AlertRule:
        """Mute (or unmute) a rule's notifications."""
        self.get_rule(rule_id)
        if not self._rules().filter(id=rule_id).update(silenced_until=until):
            raise AlertRuleNotFound(f"no alert rule has the id {rule_id}")
        return self.get_rule(rule_id)

    def record_evaluation(self, rule_id: int, at: datetime, error: str) -> None:
        """Stamp the last evaluation and its error (empty when it went well)."""
        self._rules().filter(id=rule_id).update(last_evaluated_at=at, last_error=error[:2000])

    def open_incident(self, rule_id: int) -> Incident | None:
        """The rule's pending or firing incident, if any."""
        record = self._incidents().filter(rule_id=rule_id, state__in=OPEN).first()
        return None if record is None else incident_from_record(record)

    def open_pending(self, rule_id: int, since: datetime, measurement: Measurement) -> bool:
        """INSERT a pending incident; the partial unique index refuses a second one."""
        try:
            with transaction.atomic(using=self.using):
                self._incidents().create(
                    rule_id=rule_id,
                    state=IncidentState.PENDING.value,
                    pending_since=since,
                    value=measurement.value,
                    summary=measurement.summary[:SUMMARY_LENGTH],
                )
        except IntegrityError:
            return False
        return True

    def transition(
        self,
        incident: Incident,
        move: Move,
        now: datetime,
        measurement: Measurement,
        notices: list[Notice],
        channels: list[Channel],
    ) -> bool:
        """The compare-and-swap, and the outbox rows of its notices, in one transaction."""
        values: dict[str, Any] = {
            "version": F("version") + 1,
            "value": measurement.value,
            "summary": measurement.summary[:SUMMARY_LENGTH],
        }
        if move is Move.FIRE:
            values |= {"state": IncidentState.FIRING.value, "firing_since": now}
        elif move is Move.CLOSE:
            values |= {"state": IncidentState.OK.value, "resolved_at": now}
        elif move is Move.RESOLVE:
            values |= {"state": IncidentState.RESOLVED.value, "resolved_at": now}
        if notices and move is not Move.RESOLVE:
            values["notified_at"] = now
        with transaction.atomic(using=self.using):
            won = (
                self._incidents()
                .filter(id=incident.id, state=incident.state.value, version=incident.version)
                .update(**values)
            )
            if won != 1:
                return False
            self._outbox().bulk_create(
                NotificationRecord(
                    delivery_id=str(uuid.uuid4()),
                    rule_id=incident.rule_id,
                    incident_id=incident.id,
                    event=notice.event,
                    channel=channel_to_json(channel),
                    subject=notice.subject,
                    text=notice.text,
                    next_attempt_at=now,
                    created_at=now,
                )
                for notice in notices
                for channel in channels
            )
        return True

    def acknowledge(self, incident_id: int, actor: str, at: datetime) -> Incident:
        """Mark an open incident acknowledged; a closed one is left as it is."""
        self.get_incident(incident_id)
        # Not a version bump: acknowledging must not make a racing evaluator lose its move.
        self._incidents().filter(
            id=incident_id, state__in=OPEN, acknowledged_at__isnull=True
        ).update(acknowledged_at=at, acknowledged_by=actor[:150])
        return self.get_incident(incident_id)

    def get_incident(self, incident_id: int) -> Incident:
        """One incident."""
        in_range = 0 < incident_id <= MAX_ID
        record = self._incidents().filter(id=incident_id).first() if in_range else None
        if record is None:
            raise AlertRuleNotFound(f"no incident has the id {incident_id}")
        return incident_from_record(record)

    def incidents(
        self, *, rule_id: int | None = None, open_only: bool = False, limit: int = 100
    ) -> list[Incident]:
        """Incidents, newest first."""
        rows = self._incidents()
        if rule_id is not None:
            rows = rows.filter(rule_id=rule_id)
        if open_only:
            rows = rows.filter(state__in=OPEN)
        return [incident_from_record(r) for r in rows.order_by("-pending_since", "-id")[:limit]]

    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        """Pending outbox rows due by `now` that no sender holds, oldest first."""
        rows = (
            self._outbox()
            .select_related("rule")
            .filter(status="pending", next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "id")[:limit]
        )
        return [delivery_from_record(record) for record in rows]

    def claim(self, delivery: Delivery, now: datetime, hold_seconds: float) -> bool:
        """A conditional UPDATE on the attempt count: one sender per attempt."""
        claimed = (
            self._outbox()
            .filter(id=delivery.id, status="pending", attempts=delivery.attempts)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .update(claimed_until=now + timedelta(seconds=hold_seconds))
        )
        return claimed == 1

    def record_sent(self, delivery_id: int, at: datetime) -> None:
        """Sent: never tried again."""
        self._outbox().filter(id=delivery_id).update(
            status="sent", sent_at=at, attempts=F("attempts") + 1, claimed_until=None
        )

    def record_failure(self, delivery_id: int, error: str, retry_at: datetime | None) -> None:
        """Failed: tried again at `retry_at`, or given up (status failed) without one."""
        values: dict[str, Any] = {
            "attempts": F("attempts") + 1,
            "last_error": error[:2000],
            "claimed_until": None,
        }
        if retry_at is None:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = retry_at
        self._outbox().filter(id=delivery_id).update(**values)

    def note(self, delivery_id: int, message: str) -> None:
        """Set the row's last error; written only when it changes."""
        self._outbox().filter(id=delivery_id).exclude(last_error=message).update(
            last_error=message[:2000]
        )

    def deliveries(self, *, rule_id: int | None = None, limit: int = 50) -> list[Delivery]:
        """Outbox rows, newest first."""
        rows = self._outbox().select_related("rule")
        if rule_id is not None:
            rows = rows.filter(rule_id=rule_id)
        return [delivery_from_record(r) for r in rows.order_by("-created_at", "-id")[:limit]]
