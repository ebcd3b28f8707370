"""The batches the sandbox keeps, oldest dropped first, so that memory stays bounded whatever
is sent (a batch may echo a 1 MiB body of parameters). Thread-safe: the server answers on many
threads at once."""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from .clock import Clock, iso

MAX_BATCHES = 10_000  # at most this many batches
MAX_BATCH_BYTES = 64 << 20  # and this many bytes of their echoes in all
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_batch_id() -> str:
    """A ULID-shaped id (26 characters of Crockford base32, at least one a letter), like Sinch's
    ids of batches, groups and inbounds."""
    while True:
        value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
        text = "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
        if not text.isdigit():  # a group id needs a letter to be told from a number
            return text


@dataclass
class Batch:
    id: str
    plan_id: str
    echo: dict  # the answer body: the request as Sinch echoes it
    recipients: list[str]  # digits, as Sinch returns them; group members once it is sent
    send_time: float  # epoch seconds
    clock: Clock
    canceled_at: float | None = None
    size: int = 0  # bytes of its echo and outcomes, for the store's memory budget
    # how each recipient's (digits) message ends, for those not Delivered: (status, code)
    outcomes: dict[str, tuple[str, int]] = field(default_factory=dict)
    request: dict = field(default_factory=dict)  # the accepted request, as checked
    created: float = 0.0  # epoch seconds
    plan: object = None  # the service plan (`auth.Plan`) it was sent on
    generation: int = 0  # counts its sends: a replace or an update before dispatch sends it anew
    launched: int = -1  # the generation that was sent (groups expanded, outcomes decided)
    feedback: set[str] = field(default_factory=set)  # recipients confirmed by delivery feedback

    @property
    def dispatch_time(self) -> float:
        return self.send_time + self.clock.dispatch_after

    @property
    def final_time(self) -> float:
        return self.send_time + self.clock.final_after

    @property
    def cancelled_before_dispatch(self) -> bool:
        """Cancelled in time: nothing was sent, and its report is empty (Sinch's docs)."""
        return self.canceled_at is not None and self.canceled_at < self.dispatch_time

    @property
    def due(self) -> bool:
        """Its send time has come and this generation is not sent yet."""
        return self.launched != self.generation and self.send_time <= time.time()


class BatchStore:
    """The batches, by id, oldest first; within MAX_BATCHES and MAX_BATCH_BYTES.

    ``send_due(batch)``, once set, sends a batch whose send time has come before anyone reads
    it: a scheduled batch is sent by a timer, and a read a moment before that timer fires sees
    it sent all the same."""

    def __init__(self):
        self._lock = threading.Lock()
        self._batches: dict[str, Batch] = {}  # oldest first
        self._bytes = 0
        self.send_due = None

    def add(self, batch: Batch) -> None:
        with self._lock:
            self._batches[batch.id] = batch
            self._bytes += batch.size
            self._evict()

    def resize(self, batch: Batch, size: int) -> None:
        """A kept batch's new size (its outcomes decided, or its request replaced)."""
        with self._lock:
            if self._batches.get(batch.id) is batch:
                self._bytes += size - batch.size
            batch.size = size
            self._evict()

    def _evict(self) -> None:  # with the lock held
        while len(self._batches) > MAX_BATCHES or self._bytes > MAX_BATCH_BYTES:
            self._bytes -= self._batches.pop(next(iter(self._batches))).size

    def holds(self, batch: Batch) -> bool:
        with self._lock:
            return self._batches.get(batch.id) is batch

    def get(self, batch_id: str) -> Batch | None:
        with self._lock:
            batch = self._batches.get(batch_id)
        return self._sent(batch)

    def find(self, plan_id: str, batch_id: str) -> Batch | None:
        """The batch, if it is the plan's: another plan's batch is as unknown as a missing one."""
        batch = self.get(batch_id)
        return batch if batch is not None and batch.plan_id == plan_id else None

    def batches(self, plan_id: str) -> list[Batch]:
        """The plan's batches, newest first."""
        with self._lock:
            mine = [b for b in reversed(self._batches.values()) if b.plan_id == plan_id]
        return [self._sent(b) for b in mine]

    def echoes(self, plan_id: str) -> list[dict]:
        """The echoes of the plan's batches, newest first."""
        return [b.echo for b in self.batches(plan_id)]

    def _sent(self, batch: Batch | None) -> Batch | None:
        if batch is not None and batch.due and self.send_due is not None:
            self.send_due(batch)
        return batch

    def cancel(self, batch: Batch) -> None:
        """Cancelling a batch that was already sent is accepted and changes nothing in its
        completed report (Sinch's docs and SDKs; there is no error code for it)."""
        with self._lock:
            now = time.time()
            if batch.canceled_at is None:
                batch.canceled_at = now
                batch.echo.update(canceled=True, modified_at=iso(now))
