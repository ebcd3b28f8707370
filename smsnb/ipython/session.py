"""A kernel's smsnb state: the one object the magic and the cards call.

It composes the parts, each in its own module: `Backends` (the settings now, which backend, its
client), `EmbeddedSandbox` (the sandbox's life and the cards polling it), `Sender` (sending and
the history), `Tracker` (what a card asks about a sent request) and `Views` (what the subcommands
show). It needs no running shell: the magic is a thin shell around it. The client (requests), the
sandbox (werkzeug) and phone-number logic (phonenumbers) load on first use, inside the parts.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from ..card.outcome import Message, Result
from . import command, settings
from .backends import Backends
from .embedded import EmbeddedSandbox
from .sending import Sender
from .tracking import Tracker
from .views import Views


class SmsSession:
    def __init__(self, traits: Callable[[], dict] = dict, env: dict | None = None, cwd: Path | None = None):
        # Pollers (cards watching a delivery status) and shell callbacks run in other threads:
        # one lock makes starting, stopping and the client table safe between them.
        lock = threading.RLock()
        self.embedded = EmbeddedSandbox(lock, on_stop=lambda: self.backends.close("SANDBOX"))
        self.backends = Backends(traits, env, cwd, self.embedded, lock)
        self.sender = Sender(self, self.backends, self.embedded, lock)
        self.tracker = Tracker(self.backends, self.embedded, lock)
        self.views = Views(self.backends, self.embedded, self.sender.history, self.tracker)

    # --- what the magic asks ----------------------------------------------------------------------

    def send(self, cmd: command.Send) -> Result | Message:
        return self.sender.send(cmd)

    def close(self) -> None:
        """End everything this session started: pollers, connections and the sandbox."""
        pollers = self.embedded.signal_pollers(None)
        self.backends.close()
        self.embedded.stop()
        self.embedded.join_pollers(pollers)

    # --- what a card asks (result.session) --------------------------------------------------------

    def settings(self) -> settings.Resolved:
        return self.backends.settings()

    def resend(self, previous: Result, *, request=None, raw_body: str | None = None) -> Result | Message:
        return self.sender.resend(previous, request=request, raw_body=raw_body)

    def delivery_status(self, result: Result) -> dict[str, str]:
        return self.tracker.delivery_status(result)

    def poll_delivery_status(self, result: Result) -> dict[str, str] | None:
        return self.tracker.poll_delivery_status(result)

    def poll_delivery_report(self, result: Result) -> dict | None:
        """The full delivery report JSON of ``result``'s batch, or None once its sandbox stopped;
        never starts a sandbox."""
        return self.tracker.poll_delivery_report(result)

    def poll_batch(self, result: Result) -> dict | None:
        """The batch as Sinch has it now, or None once its sandbox stopped; never starts a sandbox."""
        return self.tracker.poll_batch(result)

    def find_batches(self, result: Result) -> list[dict]:
        return self.tracker.find_batches(result)

    def target(self, result: Result):
        return self.tracker.target(result)

    def use_credentials(self, values: dict) -> None:
        self.backends.use_credentials(values)

    def receiver_url(self, result: Result) -> str | None:
        return self.embedded.receiver_url(result.route)

    def watch(self, poller) -> None:
        self.embedded.watch(poller)

    # --- the state, by the names the tests and benchmarks read ------------------------------------

    @property
    def sandbox(self):
        """The embedded `Sandbox`, or None before its first use; settable, e.g. to a slower one."""
        return self.embedded.box

    @sandbox.setter
    def sandbox(self, box) -> None:
        self.embedded.box = box

    @property
    def history(self):
        return self.sender.history

    @property
    def login_values(self) -> dict:
        return self.backends.login_values
