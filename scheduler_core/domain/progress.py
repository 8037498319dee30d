"""How far a running task says it has come: done out of total, with a message."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

# A message is a status line, not a log: longer ones are cut to this many characters.
MAX_PROGRESS_MESSAGE = 200
# A task reports at most this often (seconds): the worker keeps the latest report and
# writes it on this beat, so a tight loop calling progress() costs no write per call.
PROGRESS_INTERVAL = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """The latest progress a task reported, and when the worker stored it."""

    done: float
    total: float | None = None
    message: str = ""
    at: datetime | None = None

    @classmethod
    def reported(cls, done: object, total: object = None, message: object = "") -> Progress:
        """A report as task code makes it; ValueError names what is wrong with it."""
        if isinstance(done, bool) or not isinstance(done, int | float) or not math.isfinite(done):
            raise ValueError(f"progress done must be a finite number, not {done!r}")
        if done < 0:
            raise ValueError(f"progress done must not be negative, not {done!r}")
        if total is not None and (
            isinstance(total, bool)
            or not isinstance(total, int | float)
            or not math.isfinite(total)
            or total <= 0
        ):
            raise ValueError(f"progress total must be a positive number or None, not {total!r}")
        if not isinstance(message, str):
            raise ValueError(f"progress message must be a string, not {message!r}")
        return cls(done=done, total=total, message=message[:MAX_PROGRESS_MESSAGE])

    @property
    def fraction(self) -> float | None:
        """done / total between 0 and 1, or None when the total is unknown."""
        if self.total is None:
            return None
        return min(max(self.done / self.total, 0.0), 1.0)

    @property
    def percent(self) -> int | None:
        """The fraction as a whole percentage, or None when the total is unknown."""
        fraction = self.fraction
        return None if fraction is None else math.floor(fraction * 100)

    def as_json(self) -> dict[str, object]:
        """The report as stored in a task row (the moment as ISO 8601 text)."""
        return {
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "at": None if self.at is None else self.at.isoformat(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, object] | None) -> Progress | None:
        """The report a task row holds, or None."""
        if not raw:
            return None
        at = raw.get("at")
        done = raw.get("done", 0)
        total = raw.get("total")
        return cls(
            done=float(done) if isinstance(done, int | float) else 0.0,
            total=float(total) if isinstance(total, int | float) else None,
            message=str(raw.get("message") or ""),
            at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        )
