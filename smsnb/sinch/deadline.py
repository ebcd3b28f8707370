"""One total deadline per request (connect, send and the whole answer), kept by one thread.

A socket timeout bounds each read, not the request: a server that trickles a byte at a time
could hold a send for ever. So at the deadline the socket of the connection in use is shut,
which ends any read or write blocked on it. `transport` tells the deadline which connection
its request is using.
"""
from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time


class Deadline:
    """One request's total time, and the connection it is using (if it has one yet)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.done = False
        self._conn = None
        self._lock = threading.Lock()
        _WATCHDOG.add(self)

    def watch(self, conn) -> None:
        with self._lock:
            self._conn = conn

    def release(self, conn) -> None:
        """The connection went back to the pool: another request may use it now."""
        with self._lock:
            if self._conn is conn:
                self._conn = None

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self._conn = None

    def expire(self) -> bool:
        """Shut the connection's socket; False while there is none yet (still connecting)."""
        with self._lock:
            if self.done:
                return True
            self.expired = True
            sock = getattr(self._conn, "sock", None)
            if sock is None:
                return False
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
            return True


class Watchdog:
    """One thread for every deadline, asleep until the nearest one."""

    RETRY = 0.05  # seconds between attempts to shut a connection that is still being made

    def __init__(self):
        self._heap: list = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="smsnb-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._wake.notify()

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                delay = self._heap[0][0] - time.monotonic() if self._heap else None
                if delay is None or delay > 0:
                    self._wake.wait(delay)
                    continue
                deadline = heapq.heappop(self._heap)[2]
                if not deadline.expire():
                    heapq.heappush(self._heap, (time.monotonic() + self.RETRY, next(self._order), deadline))


_WATCHDOG = Watchdog()
