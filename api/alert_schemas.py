"""Request and response bodies of the /alerts endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import AwareDatetime, ConfigDict, Field

from scheduler_core.domain.alerts import AlertKind, IncidentState

from .schemas import NO_NUL


class ChannelIn(Schema):
    """A webhook (`url`, optional `secret`: one is made if left out) or email (`to`)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["webhook", "email"]
    url: str = Field(default="", max_length=2000, pattern=NO_NUL)
    secret: str = Field(default="", max_length=200, pattern=NO_NUL)
    to: list[str] = Field(default_factory=list, max_length=20)


class RuleIn(Schema):
    """A new alert rule; see docs/alerts.md for what `threshold` means for each kind."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, pattern=NO_NUL)
    kind: AlertKind
    queue: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    task: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    threshold: float | None = None
    for_seconds: int = 60
    renotify_seconds: int = 3600
    window_seconds: int = 300
    min_count: int = 10
    channels: list[ChannelIn] = Field(default_factory=list, max_length=10)
    enabled: bool = True


class RulePatch(Schema):
    """The fields of a rule to change; the ones left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    kind: AlertKind | None = None
    queue: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    task: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    threshold: float | None = None
    for_seconds: int | None = None
    renotify_seconds: int | None = None
    window_seconds: int | None = None
    min_count: int | None = None
    channels: list[ChannelIn] | None = Field(default=None, max_length=10)
    enabled: bool | None = None


class SilenceIn(Schema):
    """Mute a rule's notifications for `seconds` (60 to 30 days) or until `until` (a
    timezone-aware time within 30 days); both null lift the silence."""

    model_config = ConfigDict(extra="forbid")

    seconds: int | None = None
    until: AwareDatetime | None = None


class ChannelOut(Schema):
    """A channel; the webhook secret only for those who may manage channels."""

    type: str
    url: str
    to: list[str]
    secret: str | None


class RuleOut(Schema):
    """A stored rule."""

    id: int
    name: str
    kind: AlertKind
    queue: str | None
    task: str | None
    threshold: float | None
    for_seconds: int
    renotify_seconds: int
    window_seconds: int
    min_count: int
    channels: list[ChannelOut]
    enabled: bool
    silenced_until: datetime | None


class IncidentOut(Schema):
    """One episode of a rule's condition."""

    id: int
    rule_id: int
    state: IncidentState
    pending_since: datetime
    firing_since: datetime | None
    resolved_at: datetime | None
    value: float
    summary: str
    acknowledged_at: datetime | None
    acknowledged_by: str


class PreviewOut(Schema):
    """The rule's condition measured now."""

    breaching: bool
    fires_now: bool
    value: float
    summary: str
    held_seconds: float
