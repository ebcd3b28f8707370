"""A kernel's smsnb state and the actions behind each %sms command.

Holds the settings sources, the clients (one `requests.Session` each, reused), the embedded
sandbox (started on first use), the logged-in credentials (memory only) and the history. It
needs no IPython: the magic is a thin shell around it.
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from collections import deque
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from typing import Callable

from ..card import render
from ..knowledge import catalog
from . import command, settings
from ..card.outcome import Message, Result
from ..sinch.secret import Secret

# The client (requests), the sandbox (werkzeug) and phone-number logic (phonenumbers) load on
# first use, inside the methods that need them, so that %load_ext smsnb stays fast.

HISTORY_CAP = 200
POLLER_JOIN_SECONDS = 2.0  # how long stop and unload wait, in all, for pollers to end
FIND_MARGIN_SECONDS = 60  # clock skew allowed between this kernel and Sinch when looking for a batch


class SmsSession:
    def __init__(self, traits: Callable[[], dict] = dict, env: dict | None = None, cwd: Path | None = None):
        self._traits = traits
        # A function, not the mapping: the environment holds secrets and must not show in a repr.
        self._env = (lambda: env) if env is not None else (lambda: os.environ)
        self._pyproject, self._pyproject_problems = settings.read_pyproject(cwd or Path.cwd())
        self.login_values: dict = {}
        self.sandbox = None
        self.history: deque[Result] = deque(maxlen=HISTORY_CAP)
        self._clients: dict = {}
        self._warned: set[str] = set()
        self._resolved: tuple[tuple, settings.Resolved] | None = None  # (fingerprint, settings)
        self._last_client: tuple | None = None  # (route, settings, client): the common case, fast
        # Pollers (cards watching a delivery status) and shell callbacks run in other threads:
        # one lock makes starting, stopping and the client table safe between them.
        self._lock = threading.RLock()
        self._pollers: weakref.WeakSet = weakref.WeakSet()
        self._sent_via: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # result -> its sandbox

    # --- settings and backends ----------------------------------------------------------------

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

    def start_sandbox(self):
        from ..sandbox import Sandbox

        with self._lock:  # two threads asking at once get one sandbox
            if self.sandbox is None or not self.sandbox.running:
                self.sandbox = Sandbox().start()
            return self.sandbox

    def stop_sandbox(self) -> bool:
        """Stop the embedded sandbox and every poller of its batches (their reports go with it)."""
        pollers = self._signal_pollers("SANDBOX")
        with self._lock:
            was_running = self.sandbox is not None and self.sandbox.running
            if was_running:
                self.sandbox.stop()
            for key in [k for k in self._clients if k[0] == "SANDBOX"]:
                self._clients.pop(key).close()  # their kept-alive connections point at a stopped server
            self._last_client = None
        self._join_pollers(pollers)
        return was_running

    def backend(self, forced: str | None, resolved: settings.Resolved) -> str:
        """ "SANDBOX" or "LIVE": which one a request goes to."""
        choice = forced or resolved.backend
        if choice == "auto":
            return "LIVE" if resolved.has_credentials else "SANDBOX"
        return choice.upper()

    def client(self, backend: str, resolved: settings.Resolved):
        last = self._last_client
        if last is not None and last[0] == backend and last[1] is resolved and \
                (backend == "LIVE" or (self.sandbox is not None and self.sandbox.running)):
            return last[2]
        with self._lock:
            client = self._make_client(backend, resolved)
            self._last_client = (backend, resolved, client)
        return client

    def _make_client(self, backend: str, resolved: settings.Resolved):
        from ..sinch.client import Client

        if backend == "SANDBOX":
            return self._sandbox_client(self.start_sandbox(), resolved)
        if not resolved.has_credentials:
            raise NoCredentials()
        oauth = resolved.has_project_credentials and not resolved.has_plan_credentials
        key = ("LIVE", resolved.region, resolved.base_url, resolved.service_plan_id, resolved.project_id,
               resolved.key_id, resolved.api_token, resolved.key_secret, resolved.timeout,
               resolved.connect_timeout, oauth)
        if key not in self._clients:
            self._clients[key] = Client(
                service_plan_id=None if oauth else resolved.service_plan_id,
                api_token=None if oauth else resolved.api_token,
                project_id=resolved.project_id if oauth else None, key_id=resolved.key_id if oauth else None,
                key_secret=resolved.key_secret if oauth else None, region=resolved.region,
                base_url=resolved.base_url or None, timeout=resolved.timeout,
                connect_timeout=resolved.connect_timeout)
        return self._clients[key]

    def _sandbox_client(self, box, resolved: settings.Resolved):
        """The client of a running sandbox ``box``: RuntimeError if it has stopped."""
        from ..sinch.client import Client

        url = box.url  # RuntimeError when the sandbox is not running
        key = ("SANDBOX", url, resolved.timeout, resolved.connect_timeout)
        if key not in self._clients:
            # trust_env=False: a proxy from the environment must not carry the kernel's sandbox traffic.
            self._clients[key] = Client(service_plan_id=box.service_plan_id, api_token=box.api_token,
                                        base_url=url, timeout=resolved.timeout,
                                        connect_timeout=resolved.connect_timeout, trust_env=False)
        return self._clients[key]

    def close(self) -> None:
        """End everything this session started: pollers, connections and the sandbox."""
        pollers = self._signal_pollers(None)
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
            self._last_client = None
        self.stop_sandbox()
        self._join_pollers(pollers)

    # --- pollers: cards that watch a delivery status in a thread of their own --------------------

    def watch(self, poller) -> None:
        """Keep ``poller`` (it has ``.result`` and ``.stop_polling(timeout)``): stop and close end it."""
        with self._lock:
            self._pollers.add(poller)

    def _signal_pollers(self, route: str | None) -> list:
        """Tell the pollers of ``route`` (all when None) to stop; they end within one poll."""
        with self._lock:
            pollers = [p for p in self._pollers if route is None or p.result.route == route]
        for poller in pollers:
            poller.stop_polling(timeout=0)
        return pollers

    @staticmethod
    def _join_pollers(pollers: list) -> None:
        deadline = time.monotonic() + POLLER_JOIN_SECONDS
        for poller in pollers:
            poller.stop_polling(timeout=max(0.0, deadline - time.monotonic()))

    def _client_of(self, result: Result):
        """The client for where ``result`` went, without starting anything: None when the sandbox
        that got it has stopped (its batches went with it)."""
        if result.route != "SANDBOX":
            return self.client(result.route, self.settings())
        with self._lock:
            box = self._sent_via.get(result)
            if box is None or box is not self.sandbox or not box.running:
                return None
            try:
                return self._sandbox_client(box, self.settings())
            except RuntimeError:  # stopped just now, behind the session's back
                return None

    # --- sending ------------------------------------------------------------------------------

    def send(self, cmd: command.Send) -> Result | Message:
        """Send what %sms was asked to: the card is the answer, unless raise_on_error is set."""
        from ..card.fixes import number_hints
        from ..sinch.request import SmsRequest

        resolved = self.settings()
        request = None
        if cmd.raw_json is None:
            request = SmsRequest(to=cmd.to, body=cmd.body, sender=cmd.sender, delivery_report=cmd.delivery_report,
                                 callback_url=cmd.callback_url, client_reference=cmd.client_reference)
        backend = self.backend(cmd.backend, resolved)
        hints = tuple(number_hints(cmd.to, resolved.default_country or None)) + tuple(self.new_warnings(resolved))
        result = Result(backend, "dry_run" if cmd.dry_run else "send_raw" if request is None else "send",
                        request, raw_body=cmd.raw_json, hints=hints, session=self)
        outcome = self._perform(result, cmd.timeout, resolved)
        if isinstance(outcome, Result) and outcome.error is not None and resolved.raise_on_error:
            raise outcome.error  # its _render_traceback_ is the short text, not a traceback
        return outcome

    def resend(self, previous: Result, *, request=None, raw_body: str | None = None) -> Result | Message:
        """Send ``previous`` again, to the same place, or a corrected ``request`` / ``raw_body``."""
        from ..card.fixes import number_hints

        if raw_body is None and request is None:
            request, raw_body = previous.request, previous.raw_body
        action = "send_raw" if request is None else "dry_run" if previous.action == "dry_run" else "send"
        resolved = self.settings()
        hints = tuple(number_hints(request.to, resolved.default_country or None)) if request else ()
        result = Result(previous.route, action, request, raw_body=None if request else raw_body, hints=hints,
                        session=self)
        return self._perform(result, None, resolved)

    def _perform(self, result: Result, timeout: float | None, resolved: settings.Resolved) -> Result | Message:
        from ..sinch.errors import SmsError

        try:
            with self._lock:  # the client and the sandbox it talks to, together
                client = self.client(result.route, resolved)
                if result.route == "SANDBOX":
                    self._sent_via[result] = self.sandbox
        except NoCredentials:
            return no_credentials_message()
        except ValueError as error:  # e.g. an OAuth2 region that has no access keys
            return Message(f"smsnb: {error}", f"<b>smsnb</b>: {escape(str(error))}")
        try:
            if result.action == "send":
                result.reply = client.send(result.request, timeout=timeout)
            elif result.action == "dry_run":
                result.reply = client.dry_run(result.request, timeout=timeout)
            else:
                result.reply = client.send_raw(result.raw_body, timeout=timeout)
        except SmsError as error:
            result.error = error
        except ValueError as error:  # a setting that cannot make a request, e.g. no API token
            return Message(f"smsnb: {error}", f"<b>smsnb</b>: {escape(str(error))}")
        headers = result.reply.headers if result.reply else result.error.headers
        if headers.get("X-Smsnb-Sandbox") == "1":
            result.backend = "SANDBOX"  # the label says who answered; result.route keeps where it went
        self.history.append(result)
        return result

    # --- what the interactive card asks of the session ------------------------------------------

    def delivery_status(self, result: Result) -> dict[str, str]:
        """Each recipient's delivery status now, from the delivery-report endpoint."""
        statuses = self.poll_delivery_status(result)
        if statuses is None:
            raise RuntimeError("The sandbox that sent this batch has stopped: its reports went with it.")
        return statuses

    def poll_delivery_status(self, result: Result) -> dict[str, str] | None:
        """As `delivery_status`, or None when no report can come any more. Never starts a sandbox."""
        client = self._client_of(result)
        if client is None:
            return None
        report = client.delivery_report(result.batch_id, "full", timeout=10).data
        return {str(recipient): str(group.get("status")) for group in report.get("statuses") or []
                for recipient in group.get("recipients") or []}

    def find_batches(self, result: Result) -> list[dict]:
        """The batches, newest first, that ``result``'s request may have created: same
        client_reference when it has one, else same recipients (as digits) and body; created since
        it was sent (less a margin for clock skew). Reads the newest 100 only; never sends.
        SmsError when the list cannot be read; RuntimeError when that sandbox has stopped."""
        payload = result.payload
        if not isinstance(payload, dict):
            return []  # not a request Sinch could have accepted
        try:
            client = self._client_of(result)
        except NoCredentials:
            raise RuntimeError("No live credentials now: smsnb cannot read that account's batches.") from None
        if client is None:
            raise RuntimeError("The sandbox that got this request has stopped: its batches went with it.")
        data = client.list_batches(page=0, page_size=100, timeout=10).data
        listed = data.get("batches") if isinstance(data, dict) else None
        since = result.at.astimezone(timezone.utc) - timedelta(seconds=FIND_MARGIN_SECONDS)
        return [batch for batch in (listed if isinstance(listed, list) else [])
                if isinstance(batch, dict) and _same_request(batch, payload) and _created_since(batch, since)]

    def use_credentials(self, values: dict) -> None:
        """Credentials typed into a card's form: kept like %sms login's, in memory only."""
        self.login_values.update({k: (Secret(v) if k in ("api_token", "key_secret") else v)
                                  for k, v in values.items() if v})

    def receiver_url(self, result: Result) -> str | None:
        """The sandbox's own callback receiver, when the result went to the embedded sandbox."""
        if result.route == "SANDBOX" and self.sandbox is not None and self.sandbox.running:
            return self.sandbox.credentials.receiver_url
        return None

    def target(self, result: Result):
        """Where ``result`` went, for copy-as-code: URLs and ids, never a credential."""
        from ..card.fixes import Target

        resolved = self.settings()
        try:
            client = self.client(result.route, resolved)
        except NoCredentials:
            return Target("https://us.sms.api.sinch.com", "YOUR_SERVICE_PLAN_ID")
        return Target(client.base_url, client.account_id or "", client.oauth, client.token_url)

    # --- the subcommands ----------------------------------------------------------------------

    def explain(self, code: str) -> Message:
        entry = catalog.get(code)
        if entry is None:
            from IPython.core.error import UsageError

            close = catalog.suggest(code)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"No catalog entry {command.shown(code)}.{hint} %sms errors lists them all. "
                             f"Usage: %sms explain CODE")
        return Message(render.entry_text(entry), render.entry_html(entry), entry)

    def errors(self) -> Message:
        headers = ["status", "code", "title"]
        rows = [[e.status or "", e.key, e.title] for e in catalog.ENTRIES]
        return Message(render.table_text(headers, rows), render.table_html(headers, rows), catalog.ENTRIES)

    def config(self) -> Message:
        resolved = self.settings()
        rows = [[name, value if value != "" else "(not set)", resolved.sources[name]]
                for name, value in resolved.values.items()]
        for name in ("api_token", "key_secret"):
            secret = resolved.secrets.get(name)
            rows.append([name, "******** (set)" if secret else "(not set)", resolved.secret_sources.get(name, "")])
        backend = self.backend(None, resolved)
        if backend == "SANDBOX":
            where = "SANDBOX: the local simulator (no credentials set, or backend = sandbox)"
        else:
            style = "project " + resolved.project_id if resolved.has_project_credentials and not \
                resolved.has_plan_credentials else "service plan " + resolved.service_plan_id
            where = f"LIVE: Sinch, region {resolved.region}, {style}"
        headers = ["setting", "value", "from"]
        notes = [f"Requests go to {where}."] + [f"warning: {w}" for w in resolved.warnings]
        text = render.table_text(headers, rows) + "\n" + "\n".join(notes)
        html = render.table_html(headers, rows) + "".join(f"<div>{escape(n)}</div>" for n in notes)
        return Message(text, html)

    def login(self, options: dict, ask_secret: Callable[[str], str], ask: Callable[[str], str]) -> Message:
        resolved = self.settings()
        oauth = "project_id" in options
        values = {k: v for k, v in options.items()}
        if not oauth and not (values.get("service_plan_id") or resolved.service_plan_id):
            values["service_plan_id"] = ask("Sinch service plan id: ").strip()
            if not values["service_plan_id"]:
                return Message("Login cancelled: no service plan id given.", "Login cancelled: no service plan id given.")
        name = "key_secret" if oauth else "api_token"
        prompt = f"Sinch key secret for key {values['key_id']}: " if oauth else "Sinch API token: "
        try:
            secret = ask_secret(prompt)
        except (EOFError, KeyboardInterrupt):
            secret = ""
        if not secret or not secret.strip():
            return Message("Login cancelled: nothing was entered, credentials unchanged.",
                           "Login cancelled: nothing was entered, credentials unchanged.")
        values[name] = Secret(secret.strip())
        self.login_values.update(values)
        resolved = self.settings()
        who = f"project {resolved.project_id}" if oauth else f"service plan {resolved.service_plan_id}"
        text = (f"Logged in for {who}, region {resolved.region}. The {name.replace('_', ' ')} is kept in "
                f"memory only. %sms now sends LIVE: add --sandbox to use the sandbox.")
        return Message(text, escape(text))

    def history_table(self) -> Message:
        headers = ["#", "time", "backend", "action", "recipients", "status", "code"]
        rows = [[i, r.at.strftime("%H:%M:%S"), r.backend, r.action, ", ".join(r.recipients[:3]) +
                 (" …" if len(r.recipients) > 3 else ""), r.status or "", r.code or "ok"]
                for i, r in enumerate(self.history)]
        if not rows:
            return Message("No requests yet in this session.", "No requests yet in this session.")
        footer = "\n%sms history N gives row N back as its result: display it, or call .resend()."
        return Message(render.table_text(headers, rows) + footer, render.table_html(headers, rows), list(self.history))

    def history_item(self, index: int) -> Result:
        from IPython.core.error import UsageError

        if not 0 <= index < len(self.history):
            rows = f"rows are 0 to {len(self.history) - 1}" if self.history else "there are no requests yet"
            raise UsageError(f"No history row {index}: {rows}. Usage: %sms history [N]")
        return self.history[index]

    def sandbox_command(self, action: str = "status", count: int | None = None) -> Message:
        """%sms sandbox ACTION; ``count`` is how many journal entries to show (10 by default)."""
        if action == "start":
            self.start_sandbox()
        elif action == "stop":
            stopped = self.stop_sandbox()
            text = "Sandbox stopped." if stopped else "The sandbox was not running."
            return Message(text, text)
        elif action == "triggers":
            from ..sandbox.triggers import TRIGGERS

            rows = [[t.outcome, t.how.replace("`", "")] for t in TRIGGERS]
            return Message(render.table_text(["outcome", "input"], rows), render.table_html(["outcome", "input"], rows))
        elif action in ("journal", "reset"):
            if self.sandbox is None or not self.sandbox.running:
                return Message("The sandbox is not running: %sms sandbox start.", "The sandbox is not running.")
            if action == "reset":
                self.sandbox.journal.clear()
                self.sandbox.received_callbacks.clear()
                return Message("Sandbox journal and received callbacks cleared.", "Sandbox journal cleared.")
            count = 10 if count is None else count
            entries = self.sandbox.journal.entries()[-count:] if count else []
            rows = [[e["seq"], e["method"], e["path"], e["status"], _code_of(e["response"])] for e in entries]
            headers = ["#", "method", "path", "status", "code"]
            return Message(render.table_text(headers, rows), render.table_html(headers, rows), entries)
        running = self.sandbox is not None and self.sandbox.running
        if not running:
            text = "The sandbox is not running; it starts on first use, or with %sms sandbox start."
            return Message(text, text)
        c = self.sandbox.credentials
        text = (f"Sandbox running: service plan {c.service_plan_id}, token {c.api_token} (sandbox only), "
                f"{len(self.sandbox.journal)} requests in the journal. Callback receiver: {c.receiver_url}")
        return Message(text, escape(text), self.sandbox)


def _same_request(batch: dict, payload: dict) -> bool:
    reference = payload.get("client_reference")
    if reference is not None:
        return batch.get("client_reference") == reference
    wanted = _digits(payload.get("to"))
    return bool(wanted) and batch.get("body") == payload.get("body") and _digits(batch.get("to")) == wanted


def _digits(numbers) -> set[str] | None:
    """Recipients as Sinch echoes them: digits only ("+46 70-123 45 67" -> "46701234567")."""
    if not isinstance(numbers, list):
        return None
    return {"".join(c for c in str(n) if c in "0123456789") for n in numbers}


def _created_since(batch: dict, since: datetime) -> bool:
    """True unless the batch provably predates ``since``: an unreadable time could be ours."""
    try:
        created = datetime.fromisoformat(str(batch["created_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return True
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created >= since


def _code_of(response: str) -> str:
    import json

    try:
        data = json.loads(response)
    except ValueError:
        return ""
    return data.get("code", "") if isinstance(data, dict) else ""


class NoCredentials(Exception):
    pass


def no_credentials_message() -> Message:
    text = ("No live credentials: set SINCH_SERVICE_PLAN_ID and SINCH_API_TOKEN (or SINCH_PROJECT_ID, "
            "SINCH_KEY_ID and SINCH_KEY_SECRET), or run %sms login. Nothing was sent. "
            "Without --live, %sms uses the sandbox.")
    return Message(text, escape(text))
