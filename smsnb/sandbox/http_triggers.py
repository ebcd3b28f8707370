"""The magic numbers that fail before Sinch looks at the batch, as a gateway in front of it
would: 429, 500, 503, a slow answer, a dropped connection (see `triggers.HTTP_TRIGGERS`).

Like real transient failures they fail once: the same request sent again passes (a 429 only
after its Retry-After), so that a retry can be practised."""
from __future__ import annotations

import threading
import time

from werkzeug.wrappers import Response

from ..knowledge import msisdn
from . import triggers
from .answers import DroppedResponse, empty
from .settings import Settings


class HttpTriggers:
    """Which trigger numbers have failed once, per plan, and until when a retry still fails."""

    def __init__(self, settings: Settings, stopping: threading.Event):
        self._settings = settings
        self._stopping = stopping  # set on shutdown: wakes slow answers so threads end
        self._lock = threading.Lock()
        self._tripped: dict[tuple[str, str], float] = {}  # (plan, trigger number) -> when a retry may pass

    def answer(self, batch: dict, plan_id: str) -> Response | None:
        """The gateway's failure for this batch, or None to let Sinch's checks have it."""
        to = batch.get("to")
        if not isinstance(to, list):
            return None
        for item in to:
            number = msisdn.parse(item) if isinstance(item, str) else None
            effect = triggers.HTTP_TRIGGERS.get(number.e164) if number and number.ok else None
            if effect is None or self._passes((plan_id, number.e164), effect):
                continue
            return self._fail(effect)
        return None

    def _passes(self, key: tuple[str, str], effect) -> bool:
        """True once the trigger has failed and its wait is over; else it is tripped (or still)."""
        now = time.time()
        with self._lock:
            passable = self._tripped.get(key)
            if passable is not None and now >= passable:
                del self._tripped[key]
                return True
            if passable is None:
                wait = self._settings.retry_after if effect == 429 else 0
                self._tripped[key] = now + wait
        return False

    def _fail(self, effect) -> Response | None:
        if effect == 429:
            return empty(429, {"Retry-After": str(self._settings.retry_after)})
        if effect in (500, 503):
            return empty(effect)
        if effect == "slow":
            self._stopping.wait(self._settings.slow_seconds)
            return None  # then answered as Sinch would, late
        if effect == "drop":
            return DroppedResponse()
        return None
