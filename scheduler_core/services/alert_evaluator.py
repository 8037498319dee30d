"""The alert evaluator: every worker's maintenance and the `run_alerts` loop run it.

Each pass measures every enabled rule and moves its incident one step at a time through
the repository's compare-and-swap; an evaluator that loses a race changes nothing and
queues nothing. A rule whose measurement fails keeps its incident as it is: an error
never resolves anything. Time comes from the storage's clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ..domain import alert_messages
from ..domain.alerts import AlertRule, Measurement, Move, events_for, next_transition
from ..domain.ports import Clock
from ..domain.ports.alerts import AlertProbe, AlertRepository, Notice

logger = logging.getLogger(__name__)

DISABLED = Measurement(False, 0.0, "the rule was disabled")
# Steps one rule may take in one pass: open, fire, notify (a "for" of 0 fires at once).
MAX_STEPS = 3


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """What one pass did: rules measured, moves this evaluator won, rules that errored."""

    rules: int = 0
    moves: int = 0
    errors: int = 0


class AlertEvaluator:
    """Moves each rule's incident by what its probe measures, exactly once per move."""

    def __init__(self, *, alerts: AlertRepository, probe: AlertProbe, clock: Clock) -> None:
        self._alerts = alerts
        self._probe = probe
        self._clock = clock

    def evaluate(self) -> EvaluationReport:
        """Evaluate every rule once; one failing rule never stops the others."""
        rules = self._alerts.rules()
        moves = errors = 0
        for rule in rules:
            assert rule.id is not None
            now = self._clock.now()
            try:
                # A disabled rule's open incident ends (or the banner would show it for
                # ever); told as resolved if it was told as firing.
                measurement = self._probe.measure(rule, now) if rule.enabled else DISABLED
                moves += self._step(rule, measurement, now)
            except Exception as error:
                errors += 1
                logger.exception("alert rule %r could not be evaluated", rule.name)
                self._record(rule.id, now, f"{type(error).__name__}: {error}")
                continue
            self._record(rule.id, now, "")
        return EvaluationReport(len(rules), moves, errors)

    def _record(self, rule_id: int, now: datetime, error: str) -> None:
        try:
            self._alerts.record_evaluation(rule_id, now, error)
        except Exception:
            logger.exception("could not record the evaluation of alert rule %s", rule_id)

    def _step(self, rule: AlertRule, measurement: Measurement, now: datetime) -> int:
        assert rule.id is not None
        won = 0
        for _ in range(MAX_STEPS):
            incident = self._alerts.open_incident(rule.id)
            if incident is None:
                if not measurement.breaching:
                    return won
                since = min(measurement.since or now, now)
                if not self._alerts.open_pending(rule.id, since, measurement):
                    return won  # another evaluator opened it; it takes it from here
                won += 1
                continue
            move = next_transition(rule, incident, measurement, now)
            if move is None:
                return won
            notices = [
                Notice(
                    event=event,
                    subject=alert_messages.subject(event, rule),
                    text=alert_messages.text(event, rule, incident, measurement, now),
                )
                for event in events_for(move, rule, incident, now)
            ]
            if not self._alerts.transition(
                incident, move, now, measurement, notices, rule.channels
            ):
                return won  # lost the compare-and-swap: the winner queued the notices
            won += 1
            if move in (Move.CLOSE, Move.RESOLVE, Move.NOTIFY):
                return won
        return won
