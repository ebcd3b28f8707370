"""Sending: a %sms send or a card's resend becomes a `Result`, kept in the history."""
from __future__ import annotations

import threading
from collections import deque

from ..card.outcome import Message, Result
from ..card.safe import html
from . import command, settings
from .backends import Backends, NoCredentials
from .embedded import EmbeddedSandbox

HISTORY_CAP = 200


class Sender:
    def __init__(self, session, backends: Backends, embedded: EmbeddedSandbox, lock: threading.RLock):
        self.session = session  # the SmsSession each Result carries, which its card calls back
        self.history: deque[Result] = deque(maxlen=HISTORY_CAP)
        self._backends = backends
        self._embedded = embedded
        self._lock = lock

    def send(self, cmd: command.Send) -> Result | Message:
        """Send what %sms was asked to: the card is the answer, unless raise_on_error is set."""
        from ..card.recipients import number_hints
        from ..sinch.request import SmsRequest

        resolved = self._backends.settings()
        request = None
        if cmd.raw_json is None:
            request = SmsRequest(to=cmd.to, body=cmd.body, sender=cmd.sender,
                                 delivery_report=cmd.delivery_report, callback_url=cmd.callback_url,
                                 client_reference=cmd.client_reference, extra=cmd.extra())
        route = self._backends.backend(cmd.backend, resolved)
        hints = tuple(number_hints(cmd.to, resolved.default_country or None)) + \
            tuple(self._backends.new_warnings(resolved))
        result = Result(route, "dry_run" if cmd.dry_run else "send_raw" if request is None else "send",
                        request, raw_body=cmd.raw_json, hints=hints, session=self.session)
        outcome = self._perform(result, cmd.timeout, resolved)
        if isinstance(outcome, Result) and outcome.error is not None and resolved.raise_on_error:
            raise outcome.error  # its _render_traceback_ is the short text, not a traceback
        return outcome

    def resend(self, previous: Result, *, request=None, raw_body: str | None = None) -> Result | Message:
        """Send ``previous`` again, to the same place, or a corrected ``request`` / ``raw_body``."""
        from ..card.recipients import number_hints

        if raw_body is None and request is None:
            request, raw_body = previous.request, previous.raw_body
        action = "send_raw" if request is None else "dry_run" if previous.action == "dry_run" else "send"
        resolved = self._backends.settings()
        hints = tuple(number_hints(request.to, resolved.default_country or None)) if request else ()
        borrowed = self._backends.borrowed.get(previous.route)  # a request made outside smsnb: says so
        hints = ((borrowed.note,) if borrowed else ()) + hints
        result = Result(borrowed.label if borrowed else previous.route, action, request,
                        raw_body=None if request else raw_body, hints=hints, session=previous.session)
        result.route = previous.route
        return self._perform(result, None, resolved)

    def _perform(self, result: Result, timeout: float | None,
                 resolved: settings.Resolved) -> Result | Message:
        from ..sinch.errors import SmsError

        try:
            with self._lock:  # the client and the sandbox it talks to, together
                client = self._backends.client(result.route, resolved)
                if result.route == "SANDBOX":
                    self._embedded.record(result)
        except NoCredentials:
            return no_credentials_message()
        except ValueError as error:  # e.g. an OAuth2 region that has no access keys
            return error_message(error)
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
            return error_message(error)
        headers = result.reply.headers if result.reply else result.error.headers
        if headers.get("X-Smsnb-Sandbox") == "1":
            result.backend = "SANDBOX"  # the label says who answered; result.route keeps where it went
        self.history.append(result)
        return result


def error_message(error: Exception) -> Message:
    """A setting that cannot make a request, said in one line."""
    return Message(f"smsnb: {error}", html("<b>smsnb</b>: {}", str(error)))


def no_credentials_message() -> Message:
    text = ("No live credentials: set SINCH_SERVICE_PLAN_ID and SINCH_API_TOKEN (or SINCH_PROJECT_ID, "
            "SINCH_KEY_ID and SINCH_KEY_SECRET), or run %sms login. Nothing was sent. "
            "Without --live, %sms uses the sandbox.")
    return Message(text, html("{}", text))
