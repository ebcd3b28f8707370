"""Running the sandbox: a real HTTP server on 127.0.0.1, in a background thread."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from . import triggers
from .app import SandboxApp
from .capped import Capped
from .http_server import HttpServer
from .journal import Journal
from .settings import Settings


@dataclass(frozen=True)
class Credentials:
    """The sandbox's own documented credentials (not secrets: they open nothing real)."""

    base_url: str
    service_plan_id: str
    api_token: str
    project_id: str
    key_id: str
    key_secret: str
    token_url: str
    receiver_url: str


class Sandbox:
    """A local simulator of the Sinch SMS API.

    >>> with Sandbox() as sandbox:
    ...     requests.post(f"{sandbox.url}/xms/v1/{sandbox.service_plan_id}/batches", ...)

    All keyword arguments are optional: ``port`` (0 picks a free one), ``service_plan_id``,
    ``api_token``, ``project_id``, ``key_id``, ``key_secret``, ``token_ttl`` (seconds an OAuth2
    token lives), ``slow_seconds``, ``retry_after``, ``journal_cap`` (also the cap of received
    callbacks and of callback attempts), ``request_seconds`` (how long a client has to send one
    whole request), ``clock`` (a `Clock`) and ``plan_callback_urls`` (service plan id -> its
    default callback URL, where its delivery reports and inbound SMS go).

    ``inbound(from_, body)`` makes an inbound SMS arrive; ``delivery_feedback(batch_id)`` says
    which recipients delivery feedback confirmed.
    """

    def __init__(self, port: int = 0, **settings):
        self.settings = Settings(**settings)
        self._port = port
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.app: SandboxApp | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> "Sandbox":
        if self._server is not None:
            return self
        self._stopping.clear()
        app = SandboxApp(self.settings, self._stopping)
        server = HttpServer(self._port, app, self.settings.request_seconds)
        try:
            _prepare(server)
        except BaseException:
            app.close()
            raise
        self.app, self._server = app, server
        self.app.use_receiver(f"{self.url}{triggers.RECEIVER_PATH}")
        self._thread = threading.Thread(target=server.serve, name="smsnb-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes any slow answer still sleeping
        self._server.stop()
        self._thread.join(timeout=5)
        self.app.close()
        self._server = self._thread = None

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __repr__(self) -> str:
        return f"<Sandbox {'at ' + self.url if self.running else '(stopped)'}>"

    # --- where and how to reach it ----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The sandbox is not running: call start() first.")
        return self._server.bind_addr[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_plan_id(self) -> str:
        return self.settings.service_plan_id

    @property
    def api_token(self) -> str:
        return self.settings.api_token

    @property
    def credentials(self) -> Credentials:
        s = self.settings
        return Credentials(self.url, s.service_plan_id, s.api_token, s.project_id, s.key_id, s.key_secret,
                           f"{self.url}/oauth2/token", f"{self.url}{triggers.RECEIVER_PATH}")

    # --- what it saw ----------------------------------------------------------------------

    @property
    def journal(self) -> Journal:
        return self.app.journal

    @property
    def received_callbacks(self) -> Capped:
        """What the built-in receiver got, newest last: the last ``journal_cap``."""
        return self.app.receiver.received

    @property
    def callback_attempts(self) -> Capped:
        """Every callback delivery attempt (or refusal), newest last: the last ``journal_cap``."""
        return self.app.callbacks.attempts

    def delivery_feedback(self, batch_id: str) -> list[str]:
        """The recipients (digits) of a batch that delivery feedback confirmed, sorted; none for
        an unknown batch."""
        batch = self._running_app().store.get(batch_id)
        return sorted(batch.feedback) if batch is not None else []

    # --- two-way SMS ------------------------------------------------------------------------

    def inbound(self, from_: str, body: str, to: str | None = None, *, service_plan_id: str | None = None,
                client_reference: str | None = None) -> dict:
        """Make an inbound SMS arrive from ``from_`` (a number) to ``to`` (a number or short code;
        by default the plan's number, +46700001000), as ``POST /_sandbox/inbounds`` does: kept for
        ``GET /inbounds`` and POSTed as Sinch's ``mo_text`` callback to the plan's callback URL.
        Returns the inbound as Sinch shows it; a ValueError says which field is wrong."""
        fields = {"from": from_, "body": body, "to": to, "service_plan_id": service_plan_id,
                  "client_reference": client_reference}
        return self._running_app().inbounds.receive({k: v for k, v in fields.items() if v is not None})

    def _running_app(self) -> SandboxApp:
        if self._server is None:
            raise RuntimeError("The sandbox is not running: call start() first.")
        return self.app


def _prepare(server: HttpServer) -> None:
    """Bind (a busy port is an OSError) and start cheroot's workers.

    cheroot's worker threads are not daemons; threads take that from the thread that starts
    them, so they are started from a daemon thread: a script or kernel that never calls stop()
    can still exit."""
    failure: list[BaseException] = []

    def prepare() -> None:
        try:
            server.prepare()
        except BaseException as error:
            failure.append(error)

    preparer = threading.Thread(target=prepare, daemon=True, name="smsnb-sandbox-start")
    preparer.start()
    preparer.join()
    if failure:
        raise failure[0]


__all__ = ["Sandbox", "Credentials"]
