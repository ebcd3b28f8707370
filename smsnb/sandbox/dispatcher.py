"""The callback dispatcher: delivers the callbacks due on the simulated clock to loopback
receivers, retrying as Sinch does, without letting one receiver hold up another."""
from __future__ import annotations

import heapq
import itertools
import json
import queue
import threading
import time
from collections import deque

from .capped import Capped
from .clock import Clock, iso
from .loopback import NotHttp, Target, post_json

SENDERS = 4  # callback sender threads: each receiver is served by one at a time
# Callbacks waiting (due later, or due and waiting for their receiver), so that memory stays
# bounded even when scheduled batches ask for per-recipient reports far in the future.
MAX_PENDING = 100_000
LOCAL = Target("sandbox", "local", 0, "")  # the lane of the sandbox's own timed actions


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
        self._pending = 0  # jobs in the heap or in a lane
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
            if self._pending >= MAX_PENDING:
                full = True
            else:
                full = False
                self._pending += 1
                heapq.heappush(self._heap, (due, next(self._seq), job))
                self._wake.notify()
        if full:
            self.attempts.append({"url": job["url"], "attempt": job.get("attempt", 1), "at": iso(time.time()),
                                  "payload": None, "retry": False,
                                  "outcome": f"not sent: over {MAX_PENDING} callbacks are waiting"})

    def at(self, due: float, action) -> None:
        """Run ``action()`` at ``due`` (epoch seconds), on a sender thread, in turn with the
        sandbox's other timed actions: a scheduled batch sent, an inbound reply arriving."""
        self.schedule(due, {"url": "(the sandbox itself)", "target": LOCAL, "run": action})

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
                self._pending -= 1
            self._deliver(job)
            with self._wake:
                if self._lanes[receiver]:
                    self._ready.put(receiver)  # to the back: other receivers take their turn
                else:
                    del self._lanes[receiver]

    def _act(self, job: dict) -> None:
        try:
            job["run"]()
        except Exception as error:  # a bug must cost one action, never the sender thread
            self.attempts.append({"url": job["url"], "attempt": 1, "at": iso(time.time()), "payload": None,
                                  "retry": False, "outcome": f"not run: {type(error).__name__}: {error}"})

    def _deliver(self, job: dict) -> None:
        if "run" in job:
            self._act(job)
            return
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
            again = {**job, "attempt": attempt + 1, "payload": payload, "url": url}
            self.schedule(time.time() + delay, again)
