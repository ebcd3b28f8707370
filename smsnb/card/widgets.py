"""The interactive cards (ipywidgets 8): an outcome, a fix-it form, one-click resend, and for a
success its delivery report as it changes; a report that ends in a failure turns the card into
that failure explained, with a fix-it form per failing group (`delivery_card`).

Built from the same `Result`, catalog entry and renderers as the text and HTML cards; the fix-it
form is `fix_form.FixForm`, whose logic is pure (`forms`). Every part carries a ``smsnb-*`` CSS
class so that a browser test can find it.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import ipywidgets as w

from . import delivery_html, live_html, render, report
from .copy_as_code import as_curl, as_python
from .delivery_card import DeliveryFailure
from .fix_form import FixForm
from .outcome import Message, Result
from .safe import html, join, visible
from .safe_widget import SafeHTML, html_part

__all__ = ["card_for", "ErrorCard", "SuccessCard", "SafeHTML", "POLL_SECONDS"]

POLL_SECONDS = {"SANDBOX": 0.1, "LIVE": 2.0}
POLL_LIMIT_SECONDS = 600  # a delivery status that never turns final stops being polled


def card_for(result: Result) -> w.VBox:
    return ErrorCard(result) if not result.ok else SuccessCard(result)


def _outcome_widget(outcome) -> w.Widget:
    """A resend's outcome: the next card of the chain, or a message (e.g. no credentials)."""
    if isinstance(outcome, Result):
        return card_for(outcome)
    text = outcome.text if isinstance(outcome, Message) else str(outcome)
    return html_part(html("<div>{}</div>", visible(text, newlines=True, whole=None)), "smsnb-message")


class _Card(w.VBox):
    """What every card has: the result, a place for what callbacks print, copy as code."""

    def __init__(self, result: Result, css: str):
        super().__init__()
        self.result = result
        self.output = w.Output(layout=w.Layout(max_height="12em", overflow="auto"))
        self.output.add_class("smsnb-log")
        self.problem = html_part("", "smsnb-problem")  # one-line errors of the card itself
        self.chain = w.VBox()  # the outcomes of its resends, each the next card
        self.chain.add_class("smsnb-chain")
        self.add_class("smsnb-card")
        self.add_class(css)

    def _show(self, parts: list) -> None:
        self.children = parts + [self.problem, self.output]

    def append(self, outcome) -> None:
        self.chain.children = self.chain.children + (_outcome_widget(outcome),)

    def close(self) -> None:
        """Closing a card closes the cards of its resends."""
        for outcome in self.chain.children:
            outcome.close()
        super().close()

    def _said(self, error: Exception) -> None:
        self.problem.value = html("<div style='color:#c62828'>smsnb could not do that: {}</div>",
                                  visible(error, whole=None))

    def _guarded(self, action):
        """A callback whose output lands in the card and whose failure is a line, not a traceback."""
        def handler(*args):
            with self.output:
                try:
                    action(*args)
                except Exception as error:  # a bug of ours: say so plainly, keep the kernel alive
                    self._said(error)
        return handler

    def _copy_as_code(self, body_source) -> w.VBox:
        """A toggle that shows the request as Python `requests` code and as curl."""
        toggle = w.ToggleButton(description="Copy as code", icon="code", value=False)
        toggle.add_class("smsnb-copy-toggle")
        python = w.Textarea(layout=w.Layout(width="100%", height="12em"))
        curl = w.Textarea(layout=w.Layout(width="100%", height="8em"))
        python.add_class("smsnb-copy-python")
        curl.add_class("smsnb-copy-curl")
        tabs = w.Tab(children=[python, curl], layout=w.Layout(display="none"))
        tabs.set_title(0, "Python (requests)")
        tabs.set_title(1, "curl")

        def show(change):
            if change["new"]:
                body = body_source()
                target = self.result.session.target(self.result)
                python.value, curl.value = as_python(body, target), as_curl(body, target)
            tabs.layout.display = "" if change["new"] else "none"

        toggle.observe(self._guarded(show), "value")
        self.copy_python, self.copy_curl, self.copy_toggle = python, curl, toggle
        return w.VBox([toggle, tabs])


class ErrorCard(_Card):
    """An error: what went wrong, what it means, the request, and a form to fix and resend."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-error-card")
        entry = result.entry
        # The static part is one widget: each widget costs about a millisecond to build.
        pieces = [("smsnb-header", render.error_header_html(result)),
                  ("smsnb-sinch-text", render.sinch_text_html(result)),
                  ("smsnb-location", render.location_html(result)),
                  ("smsnb-details", render.details_html(entry)),
                  ("smsnb-request", render.request_html(result)),
                  ("smsnb-hints", render.hints_html(result.hints)),
                  ("smsnb-docs", render.docs_html(entry))]
        summary = join(html('<div class="{}">{}</div>', css, piece) for css, piece in pieces if piece)
        self.summary = html_part(summary, "smsnb-summary")
        self.form = FixForm(result, self._guarded, self.append)
        self._show([self.summary, self.form,
                    self._copy_as_code(self.form.corrected_body), self.chain])

    def close(self) -> None:
        """Closing the card ends its countdown, and closes the cards of its resends."""
        self.form.close()
        super().close()


class SuccessCard(_Card):
    """A success, whose delivery report keeps updating until it is final. When it ends in a
    failure, the card turns into that failure explained, each failing group with a fix-it form."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-success-card")
        self.summary = html_part(render.result_html(result), "smsnb-summary")
        self.delivery = html_part("", "smsnb-status")
        self.failure: DeliveryFailure | None = None  # once the report ends in a failure
        self.groups: list[report.Group] = []  # the report now, by status and code
        self._stop = threading.Event()
        self._closing = threading.Lock()  # a card closed while its failure is drawn closes that too
        self._closed = False
        tracked = result.action != "dry_run" and result.batch_id
        self._copy = self._copy_as_code(lambda: result.raw_body or result.payload)
        self._show([self.summary] + ([self.delivery] if tracked else []) + [self._copy])
        if tracked and result.session is not None:
            self.delivery.value = live_html.WAITING
            self._watcher = threading.Thread(target=self._watch, daemon=True, name="smsnb-delivery")
            self._watcher.start()
            result.session.watch(self)  # stopping the sandbox or unloading smsnb ends the polling

    @property
    def final(self) -> bool:
        return report.is_final(self.groups)

    def _watch(self) -> None:
        try:
            if self._poll_until_final() and any(group.failed for group in self.groups):
                self._turn_into_failure()
        except Exception as error:  # a bug of ours: a line in the card, never a thread's traceback
            self._said(error)

    def _poll_until_final(self) -> bool:
        """Poll the report until it is final (True), stopped, or given up (False)."""
        interval = POLL_SECONDS.get(self.result.route, 2.0)
        deadline, failures = time.monotonic() + POLL_LIMIT_SECONDS, 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                answer = self.result.session.poll_delivery_report(self.result)  # never starts a sandbox
                failures = 0
            except Exception as error:  # a poll that fails is shown, and tried again a few times
                failures += 1
                self.delivery.value = live_html.status_unavailable_html(error)
                if failures >= 3:
                    return False
            else:
                if answer is None:  # the sandbox that had the batch has stopped: no report can come
                    self.delivery.value = live_html.STOPPED
                    return False
                self.groups = report.groups(answer)
                self.delivery.value = live_html.report_status_html(self.groups, self.final)
                if self.final:
                    return True
            self._stop.wait(interval)
        return False

    def _turn_into_failure(self) -> None:
        """The card, in place: the failure's head, the report, and each failing group's form."""
        with self._closing:
            if self._closed:
                return
            self.failure = DeliveryFailure(self.result, self.groups, self._guarded, self.append,
                                           datetime.now(timezone.utc))
            self.summary.value = delivery_html.failed_header_html(self.result, self.groups)
            self.add_class("smsnb-delivery-failed")
            self._show([self.summary, self.delivery, self.failure, self._copy, self.chain])

    def stop_polling(self, timeout: float = 0.0) -> bool:
        """Stop watching the delivery status; wait up to ``timeout`` seconds for the poller to end.
        True when it has ended."""
        self._stop.set()
        watcher = getattr(self, "_watcher", None)
        if watcher is None:
            return True
        if timeout > 0 and watcher is not threading.current_thread():
            watcher.join(timeout)
        return not watcher.is_alive()

    def close(self) -> None:
        """Closing the card ends the polling, the failure's forms and the cards of its resends."""
        self.stop_polling()
        with self._closing:
            self._closed = True
            if self.failure is not None:
                self.failure.close()
        super().close()
