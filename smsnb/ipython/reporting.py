"""%sms report: the delivery report of an earlier send, grouped by status and code, each explained.

A history row reports from where it was sent (never starting a sandbox for it); a batch id is
looked up where a send would go now (--sandbox and --live as for a send). A batch that does not
exist gives the 404 card, as a send would; a batch with no report yet (still queued, scheduled
for later, or cancelled before it was sent) says so in words.
"""
from __future__ import annotations

from collections import deque
from datetime import datetime, timezone

from IPython.core.error import UsageError

from ..card import report as card_report
from ..card.outcome import Message, Result
from ..card.safe import html, join, visible
from . import command
from .backends import Backends, NoCredentials
from .sending import error_message
from .tracking import Tracker

USAGE = command.SUBCOMMAND_GRAMMAR["report"][2]


def _plain(text: str, value=None) -> Message:
    return Message(text, html("<div>{}</div>", text), value)


class Reporter:
    def __init__(self, backends: Backends, tracker: Tracker, history: deque[Result]):
        self._backends = backends
        self._tracker = tracker
        self._history = history

    def report(self, target: command.ReportTarget) -> Message | Result:
        if target.batch_id is not None:
            return self._by_id(target.batch_id, target.backend)
        sent = self._sent(target.row)
        if sent is None:
            return _plain("No send with a batch id in this session yet: %sms report BATCH_ID reports "
                          "any batch.")
        try:
            client = self._tracker.client_of(sent)
        except NoCredentials:
            return _plain("No live credentials now: smsnb cannot read that account's delivery reports. "
                          "Set them again, or %sms login.")
        if client is None:
            return _plain("The sandbox that sent this batch has stopped: its reports went with it.")
        return self._lookup(client, sent.batch_id, sent.route)

    def _sent(self, row: int | None) -> Result | None:
        """History row ``row`` (a send Sinch accepted), or the last such send when None."""
        if row is None:
            return next((r for r in reversed(self._history) if r.batch_id), None)
        if not 0 <= row < len(self._history):
            rows = f"rows are 0 to {len(self._history) - 1}" if self._history else "there are no requests yet"
            raise UsageError(f"No history row {row}: {rows}. Usage: {USAGE}")
        sent = self._history[row]
        if not sent.batch_id:
            what = "a dry run" if sent.action == "dry_run" else f"an error ({sent.code})" if not sent.ok \
                else "an answer without a batch id"
            raise UsageError(f"History row {row} has no batch to report: it was {what}. Usage: {USAGE}")
        return sent

    def _by_id(self, batch_id: str, forced: str | None) -> Message | Result:
        resolved = self._backends.settings()
        route = self._backends.backend(forced, resolved)
        try:
            client = self._backends.client(route, resolved)
        except NoCredentials:
            return _plain("No live credentials: set SINCH_SERVICE_PLAN_ID and SINCH_API_TOKEN (or a "
                          "project's access key), or run %sms login. --sandbox reports a sandbox batch.")
        except ValueError as error:  # e.g. an OAuth2 region that has no access keys
            return error_message(error)
        return self._lookup(client, batch_id, route)

    def _lookup(self, client, batch_id: str, route: str) -> Message | Result:
        """The report; and the batch itself when the report has nothing yet (or is not found:
        then a batch that is not found either is the 404 card)."""
        from ..sinch.errors import NotFoundError, SmsError

        reply, batch = None, None
        try:
            try:
                reply = client.delivery_report(batch_id, "full")
            except NotFoundError:  # no such batch, or its report is not available yet
                pass
            if reply is None or not card_report.groups(reply.data):
                try:
                    batch = client.get_batch(batch_id).data
                except SmsError:
                    if reply is None:
                        raise
        except SmsError as error:
            return self._failed(route, error)
        except ValueError as error:  # a setting that cannot make a request, e.g. no API token
            return error_message(error)
        label = "SANDBOX" if reply is not None and reply.from_sandbox else route
        return report_message(label, batch_id, reply.data if reply else None, batch)

    def _failed(self, route: str, error) -> Result:
        """The card of a lookup Sinch said no to, as a send's would be (without a resend: it sent nothing)."""
        result = Result(route, "report", None, error=error)
        if error.headers.get("X-Smsnb-Sandbox") == "1":
            result.backend = "SANDBOX"
        if self._backends.settings().raise_on_error:
            raise error
        return result


def report_message(label: str, batch_id: str, report: dict | None, batch: dict | None) -> Message:
    """The report as text and HTML: a heading, the groups (failures explained), and what is pending."""
    found = card_report.groups(report) if report else []
    head = f"{label} · delivery report of batch {visible(batch_id, whole=None)}"
    if not found:
        note = _no_report(batch)
        return Message(f"{head}: {note}", html("<div><b>{}</b>: {}</div>", head, note), report)
    total = report.get("total_message_count")
    total = total if isinstance(total, int) and not isinstance(total, bool) else sum(g.count for g in found)
    head += f": {total} message{'s' if total != 1 else ''}"
    note = ""
    if all(g.status == "Queued" for g in found):
        note = "Still queued: no message has been dispatched yet. Ask again in a moment."
    elif not card_report.is_final(found):
        note = "Not final yet: some messages are still on their way. Ask again for their final status."
    text = "\n".join([head, card_report.report_text(found)] + ([note] if note else []))
    shown = join([html("<div><b>{}</b></div>", head), card_report.report_html(found),
                  html("<div>{}</div>", note) if note else html("")])
    return Message(text, shown, report)


def _no_report(batch: dict | None) -> str:
    """Why a batch has no report entries, in words."""
    if isinstance(batch, dict) and batch.get("canceled") is True:
        return "the batch was cancelled before it was sent, so its report is empty (as Sinch documents)."
    send_at = batch.get("send_at") if isinstance(batch, dict) else None
    when = _time(send_at)
    if when is not None and when > datetime.now(timezone.utc):
        return (f"the batch is scheduled for {visible(send_at, whole=None)}: Sinch has no delivery report "
                f"for it until then.")
    return "still queued: Sinch has no delivery report for it yet. Ask again in a moment."


def _time(value) -> datetime | None:
    from ..knowledge.rules import parse_time

    return parse_time(value) if isinstance(value, str) else None
