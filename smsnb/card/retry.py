"""When a card lets a retry go: the server's Retry-After, read whatever its case, within the hour.

Light (no phonenumbers): the text card says what smsnb waits, the countdown waits it.
"""
from __future__ import annotations

import math

MAX_RETRY_WAIT = 3600.0  # however long a server asks for, Resend comes back within the hour
DEFAULT_RETRY_WAIT = 1.0  # when the server said nothing usable


def header(headers: dict, name: str) -> str | None:
    """A header's value, whatever case the server wrote its name in."""
    name = name.lower()
    return next((str(v) for k, v in (headers or {}).items() if str(k).lower() == name), None)


def retry_wait(seconds: float | None) -> float:
    """How long the countdown really waits: the server's wait, within 0 and MAX_RETRY_WAIT."""
    if seconds is None or math.isnan(seconds):
        return DEFAULT_RETRY_WAIT
    return min(max(seconds, 0.0), MAX_RETRY_WAIT)
