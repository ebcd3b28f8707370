"""The delivery-report callbacks a batch asks for: when each is due, what it says when its time
comes, and a callback URL the sandbox refuses. `CallbackDispatcher` sends them."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from .dispatcher import CallbackDispatcher
from .journal import Journal, journal_entry
from .loopback import callback_target
from .reports import batch_report, recipient_report
from .settings import Settings
from .store import Batch, BatchStore

MAX_REMEMBERED = 100_000  # recipients whose last reported status is remembered


class Callbacks:
    """Schedules a batch's callbacks on its clock and renders each when it is due."""

    def __init__(self, settings: Settings, store: BatchStore, journal: Journal):
        self._store = store
        self._journal = journal
        self._lock = threading.Lock()
        # (batch id, recipient) -> the last status sent, oldest first; capped like the store
        self._sent_status: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.dispatcher = CallbackDispatcher(settings.clock, self._render, settings.journal_cap)

    @property
    def attempts(self):
        """Every callback delivery attempt (or refusal), newest last: a `Capped`."""
        return self.dispatcher.attempts

    def schedule(self, batch: Batch, url: str | None) -> None:
        """The callbacks of ``batch``'s ``delivery_report`` kind, to ``url``: a summary once
        final, or each recipient's steps (or only its final one)."""
        kind = batch.echo["delivery_report"]
        if kind == "none" or not url:
            return
        target = callback_target(url)
        if isinstance(target, str):
            self._refuse(url, target)
            return
        clock = batch.clock
        final = batch.send_time + clock.final_after
        job = {"batch": batch.id, "url": url, "target": target, "generation": batch.generation}
        if kind in ("summary", "full"):
            self.dispatcher.schedule(final, job)
            return
        steps = [final] if kind == "per_recipient_final" else [batch.send_time + clock.dispatch_after, final]
        for due in steps:
            for recipient in batch.recipients:
                self.dispatcher.schedule(due, {**job, "recipient": recipient})

    def deliver(self, url: str | None, payload: dict) -> None:
        """POST ``payload`` (an inbound message) to ``url`` now, retried as a delivery report is."""
        if not url:
            return
        target = callback_target(url)
        if isinstance(target, str):
            self._refuse(url, target)
            return
        self.dispatcher.schedule(time.time(), {"url": url, "target": target, "payload": payload})

    def stop(self) -> None:
        self.dispatcher.stop()

    def _refuse(self, url: str, reason: str) -> None:
        """Once per batch: a callback URL the sandbox will not call, with why, in the callback
        attempts and in the journal (where a user looks for a callback that never came)."""
        self.dispatcher.refuse(url, reason)
        entry = journal_entry("POST", url, "", None, (), b"", "not sent",
                              f"callback not sent: {reason}; the sandbox delivers callbacks to loopback only")
        self._journal.record({**entry, "kind": "callback"})

    def _render(self, job: dict) -> tuple[str, dict] | None:
        """(url, payload) of a due callback, or None when there is nothing to send."""
        batch = self._store.get(job["batch"])
        if batch is None or job["generation"] != batch.generation:
            return None  # dropped from the store, or replaced or updated since: sent anew
        now = time.time()
        if "recipient" not in job:
            return job["url"], batch_report(batch, now, full=batch.echo["delivery_report"] == "full")
        report = recipient_report(batch, job["recipient"], now)
        key = (batch.id, job["recipient"])
        with self._lock:
            if self._sent_status.get(key) == report["status"]:
                return None  # nothing new to report (e.g. a batch cancelled before dispatch)
            self._sent_status[key] = report["status"]
            while len(self._sent_status) > MAX_REMEMBERED:
                self._sent_status.popitem(last=False)
        return job["url"], report
