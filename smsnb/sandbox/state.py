"""What the sandbox remembers: batches and their simulated delivery, the journal, and the
callbacks it owes. Thread-safe: the server answers on many threads at once."""
from __future__ import annotations

import heapq
import ipaddress
import itertools
import json
import os
import queue
import re
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

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
    callback_timeout: float = 2.0  # the whole of one attempt: connect, send, and the answer's status line


@dataclass
class Batch:
    id: str
    plan_id: str
    echo: dict  # the answer body: the request as Sinch echoes it
    recipients: list[str]  # digits, as Sinch returns them
    send_time: float  # epoch seconds
    clock: Clock
    canceled_at: float | None = None
    size: int = 0  # bytes of its echo, for the store's memory budget

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


# What one journal entry keeps at most: the request head is capped by the server (16 KiB), and
# bodies are cut here, so a journal of 1000 entries stays within a few tens of MB.
KEPT_TEXT = 8192  # characters of a body or an answer
KEPT_VALUE = 1024  # characters of a path, a query string or one header value
KEPT_HEADERS = 64


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a visible marker saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... [{len(text) - limit} more characters not kept]"


def redact_headers(headers) -> dict:
    """Headers as the journal keeps them: Authorization hidden, values and their number capped."""
    kept: dict[str, str] = {}
    for index, (name, value) in enumerate(headers):
        if index == KEPT_HEADERS:
            kept["..."] = "more headers, not kept"
            break
        secret = name.lower() == "authorization"
        kept[clip(name, KEPT_VALUE)] = _REDACTED if secret else clip(value, KEPT_VALUE)
    return kept


def redact_body(body: str) -> str:
    """Hide OAuth2 secrets that travel in bodies (an access token answer, a client secret form)."""
    if "access_token" not in body and "client_secret" not in body:
        return body
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return "[a form or body with credentials, not recorded]"
    if isinstance(data, dict):
        data = {k: (_REDACTED if k in ("access_token", "client_secret") else v) for k, v in data.items()}
    return json.dumps(data)


class Capped:
    """The newest ``cap`` items appended, thread-safe; ``dropped`` counts the ones pushed out."""

    def __init__(self, cap: int):
        self.cap = cap
        self._items: deque = deque(maxlen=cap)
        self._lock = threading.Lock()
        self.dropped = 0

    def append(self, item) -> None:
        with self._lock:
            self._append(item)

    def _append(self, item) -> None:  # with the lock held
        if len(self._items) == self.cap:
            self.dropped += 1
        self._items.append(item)

    def entries(self) -> list:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self.entries())

    def __getitem__(self, index):
        return self.entries()[index]

    def __eq__(self, other) -> bool:  # compares as the list it replaces
        if isinstance(other, (Capped, list, tuple)):
            return self.entries() == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"<{len(self)} of at most {self.cap}, {self.dropped} dropped: {self.entries()!r}>"


class Journal(Capped):
    """Every request the sandbox answered, newest last; bounded, the oldest dropped first."""

    def __init__(self, cap: int = 1000):
        super().__init__(cap)
        self._seq = itertools.count(1)

    def record(self, entry: dict) -> None:
        with self._lock:  # numbered and appended at once: the newest entry has the highest seq
            self._append({"seq": next(self._seq), **entry})


@dataclass(frozen=True)
class Target:
    """Where a callback goes: a literal loopback address, never a name to resolve."""

    scheme: str
    address: str
    port: int
    path: str  # with the query, percent-encoded for the request line

    @property
    def receiver(self) -> tuple[str, str, int]:
        return self.scheme, self.address, self.port


def callback_target(url: str) -> Target | str:
    """The loopback ``Target`` of a callback URL, or why the sandbox will not call it.

    Only literal loopback addresses (127.0.0.0/8, ::1) and ``localhost`` (taken as 127.0.0.1)
    pass: no name is resolved, so nothing can lead the sandbox off the machine."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError as error:
        return f"the URL cannot be read ({error})"
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs are called"
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return f"'{clip(host, 200)}' is a name, and the sandbox resolves none but localhost"
    if not address.is_loopback:
        return f"{address} is not a loopback address"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    path = quote(path, safe="!#$%&'()*+,/:;=?@[]~")  # no space, CR or LF can reach the request line
    return Target(parts.scheme, str(address), port or (443 if parts.scheme == "https" else 80), path)


class NotHttp(Exception):
    """The receiver answered something that is not an HTTP status line."""


_STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})(?:[ \r\n]|$)")


def post_json(target: Target, body: bytes, seconds: float) -> int:
    """POST ``body`` to ``target`` and return the answer's status, all within ``seconds``.

    A plain socket rather than urllib: no proxy from the environment, no redirect followed, no
    name resolved, and one deadline for the whole exchange (a receiver trickling bytes cannot
    stretch it)."""
    deadline = time.monotonic() + seconds
    family = socket.AF_INET6 if ":" in target.address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as raw:
        raw.settimeout(seconds)
        raw.connect((target.address, target.port))
        sock = raw
        if target.scheme == "https":
            _settimeout(raw, deadline)
            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=target.address)
        host = f"[{target.address}]" if family == socket.AF_INET6 else target.address
        head = (f"POST {target.path} HTTP/1.1\r\nHost: {host}:{target.port}\r\nUser-Agent: smsnb-sandbox\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        _settimeout(sock, deadline)
        sock.sendall(head.encode("ascii") + body)
        line = b""
        while b"\n" not in line and len(line) < 1024:
            _settimeout(sock, deadline)
            piece = sock.recv(1024 - len(line))
            if not piece:
                break
            line += piece
    match = _STATUS_LINE.match(line)
    if match is None:
        raise NotHttp(f"the answer is not HTTP: {line[:80]!r}")
    return int(match.group(1))


def _settimeout(sock, deadline: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    sock.settimeout(left)


def should_retry(outcome) -> bool:
    """Whether an attempt's outcome calls for another. Sinch retries after a 5xx or a 429 and
    never after another 4xx (nor a 3xx: redirects are not followed). An attempt with no HTTP
    answer at all (refused, timed out, not HTTP) is retried too: like a 503, it says the
    receiver was not ready, not that it turned this callback down."""
    if isinstance(outcome, int):
        return outcome == 429 or outcome >= 500
    return True


def _describe(error: Exception, seconds: float) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {seconds:g} s"
    if isinstance(error, NotHttp):
        return str(error)
    return f"{type(error).__name__}: {error}"


SENDERS = 4  # callback sender threads: each receiver is served by one at a time


class CallbackDispatcher:
    """Delivers delivery-report callbacks on the simulated clock, retrying as Sinch does.

    One thread keeps the due times; a small pool of senders posts them. Each receiver (scheme,
    address, port) has its own lane, served in order by one sender at a time, so a slow or broken
    receiver holds up only its own callbacks. Callbacks go to loopback addresses only."""

    def __init__(self, clock: Clock, render, cap: int = 1000, senders: int = SENDERS):
        self.clock = clock
        self._render = render  # (job) -> (url, payload) or None when nothing changed
        self._heap: list[tuple[float, int, dict]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._stopped = False
        self._lanes: dict[tuple, deque] = {}  # a receiver's due jobs; present while it has work
        self._ready: queue.SimpleQueue = queue.SimpleQueue()  # receivers waiting for a sender
        self.attempts = Capped(cap)  # every delivery attempt, for tests and the journal view
        self._threads = [threading.Thread(target=self._run, name="smsnb-sandbox-callbacks", daemon=True)]
        self._threads += [threading.Thread(target=self._send, name=f"smsnb-sandbox-sender-{i}", daemon=True)
                          for i in range(senders)]
        for thread in self._threads:
            thread.start()

    def schedule(self, due: float, job: dict) -> None:
        """``job`` has the callback's ``url`` and its ``target`` (from `callback_target`)."""
        with self._wake:
            heapq.heappush(self._heap, (due, next(self._seq), job))
            self._wake.notify()

    def refuse(self, url: str, reason: str) -> None:
        outcome = f"not sent: {reason}; the sandbox delivers callbacks to loopback only"
        self.attempts.append({"url": url, "attempt": 1, "at": iso(time.time()), "payload": None,
                              "retry": False, "outcome": outcome})

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        for _ in self._threads[1:]:
            self._ready.put(None)
        for thread in self._threads:
            thread.join(timeout=self.clock.callback_timeout + 3)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.time()):
                    self._wake.wait(timeout=(self._heap[0][0] - time.time()) if self._heap else None)
                if self._stopped:
                    return
                _, _, job = heapq.heappop(self._heap)
                lane = self._lanes.get(job["target"].receiver)
                if lane is None:
                    self._lanes[job["target"].receiver] = deque([job])
                    self._ready.put(job["target"].receiver)
                else:
                    lane.append(job)

    def _send(self) -> None:
        while (receiver := self._ready.get()) is not None and not self._stopped:
            with self._wake:
                job = self._lanes[receiver].popleft()
            self._deliver(job)
            with self._wake:
                if self._lanes[receiver]:
                    self._ready.put(receiver)  # to the back: other receivers take their turn
                else:
                    del self._lanes[receiver]

    def _deliver(self, job: dict) -> None:
        attempt, seconds = job.get("attempt", 1), self.clock.callback_timeout
        try:
            rendered = (job["url"], job["payload"]) if "payload" in job else self._render(job)
        except Exception as error:  # a bug must cost one callback, never the sender thread
            rendered = None
            self.attempts.append({"url": job["url"], "attempt": attempt, "at": iso(time.time()),
                                  "payload": None, "retry": False,
                                  "outcome": f"not sent: {type(error).__name__}: {error}"})
        if rendered is None:
            return
        url, payload = rendered
        record = {"url": url, "attempt": attempt, "at": iso(time.time()), "payload": payload}
        try:
            outcome = post_json(job["target"], json.dumps(payload, allow_nan=False).encode(), seconds)
        except Exception as error:  # every failure of one attempt is that attempt's outcome
            outcome = _describe(error, seconds)
        retry = should_retry(outcome) and attempt < self.clock.callback_attempts
        self.attempts.append({**record, "outcome": outcome, "retry": retry})
        if retry:
            delay = self.clock.callback_retry_after * 2 ** (attempt - 1)
            self.schedule(time.time() + delay, {**job, "attempt": attempt + 1, "payload": payload, "url": url})
