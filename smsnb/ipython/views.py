"""What the subcommands show: each builds a `Message` (text, and HTML through card.safe).

explain and errors read both halves of the catalog (see `explaining`); config the settings; login
asks for a secret; history the requests sent; report a batch's delivery report (see `reporting`);
sandbox starts, stops and shows the embedded sandbox.
"""
from __future__ import annotations

from collections import deque
from typing import Callable

from IPython.core.error import UsageError

from ..card import render
from ..card.outcome import Message, Result
from ..card.safe import html, join
from ..card.table import table_html, table_text
from ..card.words import plural
from ..sinch.secret import Secret
from . import command, explaining, settings
from .backends import Backends
from .embedded import EmbeddedSandbox
from .reporting import Reporter
from .tracking import Tracker

JOURNAL_ROWS = 10  # what %sms sandbox journal shows without a count


def _plain(text: str, value=None) -> Message:
    return Message(text, html("{}", text), value)


def _table(headers: list[str], rows: list[list], value=None, footer: str = "") -> Message:
    return Message(table_text(headers, rows) + footer, table_html(headers, rows), value)


class Views:
    def __init__(self, backends: Backends, embedded: EmbeddedSandbox, history: deque[Result],
                 tracker: Tracker):
        self._backends = backends
        self._embedded = embedded
        self._history = history
        self._reporter = Reporter(backends, tracker, history)

    @staticmethod
    def explain(code: str) -> Message:
        return explaining.explain(code)

    @staticmethod
    def errors() -> Message:
        return explaining.errors()

    def config(self) -> Message:
        resolved = self._backends.settings()
        rows = [[name, value if value != "" else "(not set)", resolved.sources[name]]
                for name, value in resolved.values.items()]
        rows += [[s.name, "******** (set)" if resolved.secrets.get(s.name) else "(not set)",
                  resolved.secret_sources.get(s.name, "")] for s in settings.SECRETS]
        notes = [f"Requests go to {self._where(resolved)}."] + [f"Warning: {w}" for w in resolved.warnings]
        headers = ["setting", "value", "from"]
        return Message(table_text(headers, rows) + "\n" + "\n".join(notes),
                       join([table_html(headers, rows), *(html("<div>{}</div>", n) for n in notes)]))

    def _where(self, resolved: settings.Resolved) -> str:
        if self._backends.backend(None, resolved) == "SANDBOX":
            return "SANDBOX: the local simulator (no credentials set, or backend = sandbox)"
        account = f"project {resolved.project_id}" if resolved.oauth else \
            f"service plan {resolved.service_plan_id}"
        return f"LIVE: Sinch, region {resolved.region}, {account}"

    def login(self, options: dict, ask_secret: Callable[[str], str], ask: Callable[[str], str]) -> Message:
        """%sms login: ask for what ``options`` lacks, the secret last; kept in memory only."""
        oauth = "project_id" in options
        values = dict(options)
        if not oauth and not (values.get("service_plan_id") or self._backends.settings().service_plan_id):
            values["service_plan_id"] = ask("Sinch service plan id: ").strip()
            if not values["service_plan_id"]:
                return _plain("Login cancelled: no service plan id given.")
        name = "key_secret" if oauth else "api_token"
        prompt = f"Sinch key secret for key {values['key_id']}: " if oauth else "Sinch API token: "
        try:
            secret = ask_secret(prompt)
        except (EOFError, KeyboardInterrupt):
            secret = ""
        if not secret or not secret.strip():
            return _plain("Login cancelled: nothing was entered, credentials unchanged.")
        values[name] = Secret(secret.strip())
        self._backends.login_values.update(values)
        resolved = self._backends.settings()
        who = f"project {resolved.project_id}" if oauth else f"service plan {resolved.service_plan_id}"
        said = "key secret" if oauth else "API token"
        return _plain(f"Logged in for {who}, region {resolved.region}. The {said} is kept "
                      f"in memory only. %sms now sends LIVE: add --sandbox to use the sandbox.")

    def history(self, row: int | None = None) -> Message | Result:
        """%sms history: the table of this session's requests, or row ``row`` back as its result."""
        return self._history_table() if row is None else self._history_row(row)

    def _history_table(self) -> Message:
        if not self._history:
            return _plain("No requests yet in this session.")
        rows = [[i, r.at.strftime("%H:%M:%S"), r.backend, r.action, _recipients(r), r.status or "",
                 r.code or "ok"] for i, r in enumerate(self._history)]
        return _table(["#", "time", "backend", "action", "recipients", "status", "code"], rows,
                      list(self._history),
                      "\n%sms history N gives row N back as its result: display it, or call .resend().")

    def _history_row(self, index: int) -> Result:
        if not 0 <= index < len(self._history):
            rows = f"rows are 0 to {len(self._history) - 1}" if self._history else "there are no requests yet"
            raise UsageError(f"No history row {index}: {rows}. Usage: %sms history [N]")
        return self._history[index]

    def report(self, target: command.ReportTarget) -> Message | Result:
        """%sms report: the delivery report of a history row, the last send, or a batch id."""
        return self._reporter.report(target)

    def sandbox(self, action: str = "status", count: int | None = None,
                inbound: tuple[str, str] | None = None) -> Message:
        """%sms sandbox ACTION; ``count`` is how many journal entries to show, ``inbound`` the
        (FROM, BODY) of an inbound SMS to make arrive."""
        if action == "inbound":
            return _inbound(self._embedded.start(), *inbound)
        if action == "stop":
            return _plain("Sandbox stopped." if self._embedded.stop() else "The sandbox was not running.")
        if action == "triggers":
            from ..sandbox.triggers import TRIGGERS

            return _table(["outcome", "input"], [[t.outcome, t.how.replace("`", "")] for t in TRIGGERS])
        if action == "start":
            self._embedded.start()
        box = self._embedded.box
        if not self._embedded.running:
            if action in ("journal", "reset"):
                return Message("The sandbox is not running: %sms sandbox start.",
                               html("The sandbox is not running."))
            return _plain("The sandbox is not running; it starts on first use, or with %sms sandbox start.")
        if action == "reset":
            box.journal.clear()
            box.received_callbacks.clear()
            return _plain("Sandbox journal and received callbacks cleared.")
        if action == "journal":
            count = JOURNAL_ROWS if count is None else count
            entries = box.journal.entries()[-count:] if count else []
            rows = [[e["seq"], e["method"], e["path"], e["status"], _code_of(e["response"])]
                    for e in entries]
            return _table(["#", "method", "path", "status", "code"], rows, entries)
        c = box.credentials
        return _plain(f"Sandbox running: service plan {c.service_plan_id}, token {c.api_token} "
                      f"(sandbox only), {plural(len(box.journal), 'request')} in the journal. "
                      f"Callback receiver: {c.receiver_url}", box)


def _inbound(box, sender: str, body: str) -> Message:
    """An inbound SMS arrives at the sandbox: kept for GET /inbounds, POSTed to the plan's callback."""
    try:
        inbound = box.inbound(sender, body)
    except ValueError as error:  # Sinch's text for the field that is wrong
        return _plain(f"No inbound SMS arrived: {error}")
    return _plain(f"Inbound SMS {inbound['id']} from {inbound['from']} to {inbound['to']} arrived: "
                  "GET /inbounds lists it, and the plan's callback URL, if it has one, got it.", inbound)


def _recipients(result: Result) -> str:
    """The first three recipients of a request, as the user wrote them."""
    shown = render.as_typed(result.recipients, result.payload)
    return ", ".join(shown[:3]) + (" …" if len(shown) > 3 else "")


def _code_of(response: str) -> str:
    import json

    try:
        data = json.loads(response)
    except ValueError:
        return ""
    return data.get("code", "") if isinstance(data, dict) else ""
