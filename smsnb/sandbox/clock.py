"""The sandbox's time: the simulated delivery clock, and how it writes a moment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Clock:
    """The simulated delivery clock: seconds from a batch's send time to each step."""

    dispatch_after: float = 0.05
    final_after: float = 0.2
    callback_retry_after: float = 0.1  # Sinch waits 5 s, then doubles; the sandbox compresses it
    callback_attempts: int = 5
    callback_timeout: float = 2.0  # the whole of one attempt: connect, send, and the answer's status line


def iso(moment: float) -> str:
    """``moment`` (epoch seconds) as Sinch writes times: UTC, milliseconds, a trailing Z."""
    text = datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
