"""Where a request goes: the settings now, which backend that means, and its client.

Settings are resolved again only when %config, the environment or a login changed. Each backend
and set of credentials has one client (one `requests.Session`), reused; requests loads on first use.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..sinch.secret import Secret
from . import settings
from .embedded import EmbeddedSandbox


class NoCredentials(Exception):
    """LIVE was asked for, and no credentials are set."""


@dataclass(frozen=True)
class Borrowed:
    """The route of a request made outside smsnb (the Sinch SDK, requests): its resend goes where
    that request went, with the token it carried (a `smsnb.sinch.foreign.Endpoint`)."""

    label: str  # "SANDBOX" or "LIVE", as its cards say
    endpoint: object
    note: str  # what its cards say about where a resend goes, and with whose token


class Backends:
    def __init__(self, traits: Callable[[], dict], env: dict | None, cwd: Path | None,
                 embedded: EmbeddedSandbox, lock: threading.RLock):
        self._traits = traits
        # A function, not the mapping: the environment holds secrets and must not show in a repr.
        self._env = (lambda: env) if env is not None else (lambda: os.environ)
        self._pyproject, self._pyproject_problems = settings.read_pyproject(cwd or Path.cwd())
        self.login_values: dict = {}
        self.clients: dict = {}  # (route, what the client is made of) -> Client
        self.borrowed: dict[str, Borrowed] = {}  # route -> a request's own endpoint and token (see borrow)
        self._embedded = embedded
        self._lock = lock
        self._warned: set[str] = set()
        self._resolved: tuple[tuple, settings.Resolved] | None = None  # (fingerprint, settings)
        self._last_client: tuple | None = None  # (route, settings, client): the common case, fast

    # --- settings ---------------------------------------------------------------------------------

    def settings(self) -> settings.Resolved:
        """The settings now. Resolved again only when %config, the environment or a login changed."""
        traits, env = self._traits(), self._env()
        key = (settings.fingerprint(traits, env), tuple(self.login_values.items()))
        if self._resolved is None or self._resolved[0] != key:
            resolved = settings.resolve(traits, env, self._pyproject, self.login_values,
                                        tuple(self._pyproject_problems))
            self._resolved = (key, resolved)
        return self._resolved[1]

    def new_warnings(self, resolved: settings.Resolved) -> list[str]:
        """Warnings not shown before: each is said once per kernel."""
        fresh = [w for w in resolved.warnings if w not in self._warned]
        self._warned.update(fresh)
        return fresh

    def use_credentials(self, values: dict) -> None:
        """Credentials typed into a card's form: kept like %sms login's, in memory only."""
        self.login_values.update({k: (Secret(v) if k in ("api_token", "key_secret") else v)
                                  for k, v in values.items() if v})

    @staticmethod
    def backend(forced: str | None, resolved: settings.Resolved) -> str:
        """ "SANDBOX" or "LIVE": which one a request goes to."""
        choice = forced or resolved.backend
        if choice == "auto":
            return "LIVE" if resolved.has_credentials else "SANDBOX"
        return choice.upper()

    # --- clients ----------------------------------------------------------------------------------

    def client(self, route: str, resolved: settings.Resolved):
        """The client for ``route``, starting the embedded sandbox for SANDBOX.
        NoCredentials for LIVE without credentials."""
        if route in self.borrowed:
            return self._borrowed_client(route, resolved)
        last = self._last_client
        if last is not None and last[0] == route and last[1] is resolved and \
                (route == "LIVE" or self._embedded.running):
            return last[2]
        with self._lock:
            if route == "SANDBOX":
                client = self.sandbox_client(self._embedded.start(), resolved)
            else:
                client = self._live_client(resolved)
            self._last_client = (route, resolved, client)
        return client

    def _live_client(self, resolved: settings.Resolved):
        from ..sinch.client import Client

        if not resolved.has_credentials:
            raise NoCredentials()
        oauth = resolved.oauth
        key = ("LIVE", resolved.region, resolved.base_url, resolved.service_plan_id, resolved.project_id,
               resolved.key_id, resolved.api_token, resolved.key_secret, resolved.timeout,
               resolved.connect_timeout, oauth)
        if key not in self.clients:
            self.clients[key] = Client(
                service_plan_id=None if oauth else resolved.service_plan_id,
                api_token=None if oauth else resolved.api_token,
                project_id=resolved.project_id if oauth else None, key_id=resolved.key_id if oauth else None,
                key_secret=resolved.key_secret if oauth else None, region=resolved.region,
                base_url=resolved.base_url or None, timeout=resolved.timeout,
                connect_timeout=resolved.connect_timeout)
        return self.clients[key]

    def sandbox_client(self, box, resolved: settings.Resolved):
        """The client of a running sandbox ``box``: RuntimeError if it has stopped."""
        from ..sinch.client import Client

        url = box.url  # RuntimeError when the sandbox is not running
        key = ("SANDBOX", url, resolved.timeout, resolved.connect_timeout)
        if key not in self.clients:
            # trust_env=False: a proxy from the environment must not carry the kernel's sandbox traffic.
            self.clients[key] = Client(service_plan_id=box.service_plan_id, api_token=box.api_token,
                                       base_url=url, timeout=resolved.timeout,
                                       connect_timeout=resolved.connect_timeout, trust_env=False)
        return self.clients[key]

    def borrow(self, borrowed: Borrowed, route: str | None = None) -> str:
        """A route of its own for a request made outside smsnb: its resend goes to the endpoint (base
        URL, account and token) that request carried. One endpoint has one route; ``route`` gives
        an existing one other credentials (typed into its card)."""
        with self._lock:
            if route is None:
                route = next((r for r, b in self.borrowed.items() if b == borrowed),
                             f"{borrowed.label} request {len(self.borrowed) + 1}")
            self.borrowed[route] = borrowed
        return route

    def _borrowed_client(self, route: str, resolved: settings.Resolved):
        from ..sinch.client import Client

        endpoint = self.borrowed[route].endpoint
        key = (route, endpoint, resolved.timeout, resolved.connect_timeout)
        with self._lock:
            if key not in self.clients:
                self.clients[key] = Client(service_plan_id=endpoint.account_id, api_token=endpoint.token,
                                           base_url=endpoint.base_url, timeout=resolved.timeout,
                                           connect_timeout=resolved.connect_timeout)
            return self.clients[key]

    def close(self, route: str | None = None) -> None:
        """Close the clients of ``route`` (all when None) and their kept-alive connections."""
        with self._lock:
            for key in [k for k in self.clients if route is None or k[0] == route]:
                self.clients.pop(key).close()
            self._last_client = None
