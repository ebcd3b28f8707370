"""The sandbox inside this kernel, and the cards that poll it.

Started on first use; stopping it also ends every card that polls its delivery reports (they
went with it) and, through ``on_stop``, its clients' connections. Pollers and shell callbacks
run in other threads: one lock, shared with the session's other parts, orders them.
"""
from __future__ import annotations

import threading
import time
import weakref
from typing import Callable

POLLER_JOIN_SECONDS = 2.0  # how long stop and unload wait, in all, for pollers to end


class EmbeddedSandbox:
    def __init__(self, lock: threading.RLock, on_stop: Callable[[], None]):
        self.lock = lock
        self.box = None  # the running `smsnb.sandbox.Sandbox`, once started
        self._on_stop = on_stop  # what must end with it: its clients' kept-alive connections
        self._pollers: weakref.WeakSet = weakref.WeakSet()
        self._sent_to: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # result -> its sandbox

    @property
    def running(self) -> bool:
        return self.box is not None and self.box.running

    def start(self):
        """The running sandbox, started now if it is not (werkzeug loads here, on first use)."""
        from ..sandbox import Sandbox

        with self.lock:  # two threads asking at once get one sandbox
            if not self.running:
                self.box = Sandbox().start()
            return self.box

    def stop(self) -> bool:
        """Stop the sandbox and every poller of its batches (their reports go with it).
        True when it was running."""
        pollers = self.signal_pollers("SANDBOX")
        with self.lock:
            was_running = self.running
            if was_running:
                self.box.stop()
            self._on_stop()
        self.join_pollers(pollers)
        return was_running

    def record(self, result) -> None:
        """Remember that ``result`` goes to the sandbox now running (with the lock held, so that
        a stop cannot come in between)."""
        self._sent_to[result] = self.box

    def box_of(self, result):
        """The sandbox that got ``result`` if it still runs; None once it has stopped, as its
        batches and reports went with it."""
        box = self._sent_to.get(result)
        return box if box is not None and box is self.box and box.running else None

    def receiver_url(self, route: str) -> str | None:
        """The sandbox's own callback receiver, for a request that went to it."""
        if route == "SANDBOX" and self.running:
            return self.box.credentials.receiver_url
        return None

    # --- pollers: cards that watch a delivery status in a thread of their own --------------------

    def watch(self, poller) -> None:
        """Keep ``poller`` (it has ``.result`` and ``.stop_polling(timeout)``): stop and close end it."""
        with self.lock:
            self._pollers.add(poller)

    def signal_pollers(self, route: str | None) -> list:
        """Tell the pollers of ``route`` (all when None) to stop; they end within one poll."""
        with self.lock:
            pollers = [p for p in self._pollers if route is None or p.result.route == route]
        for poller in pollers:
            poller.stop_polling(timeout=0)
        return pollers

    @staticmethod
    def join_pollers(pollers: list) -> None:
        """Wait for ``pollers`` to end, at most POLLER_JOIN_SECONDS for all of them."""
        deadline = time.monotonic() + POLLER_JOIN_SECONDS
        for poller in pollers:
            poller.stop_polling(timeout=max(0.0, deadline - time.monotonic()))
