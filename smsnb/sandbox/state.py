"""What the sandbox remembers: batches and their simulated delivery, the journal, and the
callbacks it owes. Thread-safe: the server answers on many threads at once."""
from __future__ import annotations

import heapq
import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .triggers import DELIVERED, DELIVERY_OUTCOMES

QUEUED, DISPATCHED, CANCELLED = ("Queued", 400), ("Dispatched", 401), ("Cancelled", 407)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REDACTED = "***"


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_batch_id() -> str:
    """A ULID-shaped id (26 characters of Crockford base32), like Sinch's."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


@dataclass(frozen=True)
class Clock:
    """The simulated delivery clock: seconds from a batch's send time to each step."""

    dispatch_after: float = 0.05
    final_after: float = 0.2
    callback_retry_after: float = 0.1  # Sinch waits 5 s, then doubles; the sandbox compresses it
    callback_attempts: int = 5


@dataclass
class Batch:
    id: str
    plan_id: str
    echo: dict  # the answer body: the request as Sinch echoes it
    recipients: list[str]  # digits, as Sinch returns them
    send_time: float  # epoch seconds
    clock: Clock
    canceled_at: float | None = None

    def status_of(self, recipient: str, now: float) -> tuple[str, int, float]:
        """(status, report code, since when) for one recipient at ``now``."""
        dispatched = self.send_time + self.clock.dispatch_after
        if self.canceled_at is not None and self.canceled_at < dispatched:
            return (*CANCELLED, self.canceled_at)
        if now < dispatched:
            return (*QUEUED, self.send_time)
        final = self.send_time + self.clock.final_after
        if now < final:
            return (*DISPATCHED, dispatched)
        return (*DELIVERY_OUTCOMES.get("+" + recipient, DELIVERED), final)

    def dispatched(self, now: float) -> bool:
        return self.canceled_at is None and now >= self.send_time + self.clock.dispatch_after

    def summary(self, now: float, *, full: bool, statuses: set[str] | None = None) -> dict:
        groups: dict[tuple[str, int], list[str]] = {}
        for recipient in self.recipients:
            status, code, _ = self.status_of(recipient, now)
            if statuses is None or status in statuses:
                groups.setdefault((status, code), []).append(recipient)
        report = {
            "type": "delivery_report_sms",
            "batch_id": self.id,
            "total_message_count": len(self.recipients),
            "statuses": [
                {"code": code, "status": status, "count": len(members), **({"recipients": members} if full else {})}
                for (status, code), members in groups.items()
            ],
        }
        if "client_reference" in self.echo:
            report["client_reference"] = self.echo["client_reference"]
        return report

    def recipient_report(self, recipient: str, now: float) -> dict:
        status, code, since = self.status_of(recipient, now)
        report = {"type": "recipient_delivery_report_sms", "batch_id": self.id, "recipient": recipient,
                  "code": code, "status": status, "at": iso(since)}
        if "client_reference" in self.echo:
            report["client_reference"] = self.echo["client_reference"]
        return report


def redact_headers(headers) -> dict:
    return {name: (_REDACTED if name.lower() == "authorization" else value) for name, value in headers}


def redact_body(body: str) -> str:
    """Hide OAuth2 secrets that travel in bodies (an access token answer, a client secret form)."""
    if "access_token" not in body and "client_secret" not in body:
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return "[a form or body with credentials, not recorded]"
    if isinstance(data, dict):
        data = {k: (_REDACTED if k in ("access_token", "client_secret") else v) for k, v in data.items()}
    return json.dumps(data)


class Journal:
    """Every request the sandbox answered, newest last; bounded, the oldest dropped first."""

    def __init__(self, cap: int = 1000):
        self.cap = cap
        self._entries: deque[dict] = deque(maxlen=cap)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.dropped = 0

    def record(self, entry: dict) -> None:
        with self._lock:
            if len(self._entries) == self.cap:
                self.dropped += 1
            self._entries.append({"seq": next(self._seq), **entry})

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.dropped = 0

    def __len__(self) -> int:
        return len(self._entries)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


class CallbackDispatcher:
    """Delivers delivery-report callbacks on the simulated clock, retrying as Sinch does.

    One thread and one heap of due jobs. Callbacks go only to loopback addresses: the
    sandbox never sends traffic off the machine.
    """

    def __init__(self, clock: Clock, render):
        self.clock = clock
        self._render = render  # (job) -> (url, payload) or None when nothing changed
        self._heap: list[tuple[float, int, dict]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self.attempts: list[dict] = []  # every delivery attempt, for tests and the journal view
        self._thread = threading.Thread(target=self._run, name="smsnb-sandbox-callbacks", daemon=True)
        self._thread.start()

    def schedule(self, due: float, job: dict) -> None:
        with self._wake:
            heapq.heappush(self._heap, (due, next(self._seq), job))
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.time()):
                    self._wake.wait(timeout=(self._heap[0][0] - time.time()) if self._heap else None)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
            self._deliver(job)

    def _deliver(self, job: dict) -> None:
        rendered = (job["url"], job["payload"]) if "payload" in job else self._render(job)
        if rendered is None:
            return
        url, payload = rendered
        attempt = job.get("attempt", 1)
        record = {"url": url, "attempt": attempt, "at": iso(time.time()), "payload": payload}
        if not is_loopback(url):
            self.attempts.append({**record, "outcome": "not sent: the sandbox delivers callbacks to loopback only"})
            return
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                outcome = answer.status
        except urllib.error.HTTPError as error:
            outcome = error.code
        except (OSError, ValueError) as error:
            outcome = f"{type(error).__name__}: {error}"
        self.attempts.append({**record, "outcome": outcome})
        if isinstance(outcome, int) and 200 <= outcome < 300:
            return
        if attempt < self.clock.callback_attempts:
            delay = self.clock.callback_retry_after * 2 ** (attempt - 1)
            self.schedule(time.time() + delay, {**job, "attempt": attempt + 1, "payload": payload, "url": url})
