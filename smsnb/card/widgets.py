"""The interactive cards (ipywidgets 8): an outcome, a fix-it form, one-click resend, and for a
success its delivery status as it changes.

Built from the same `Result`, catalog entry and renderers as the text and HTML cards; the fix-it
form is `fix_form.FixForm`, whose logic is pure (`forms`). Every part carries a ``smsnb-*`` CSS
class so that a browser test can find it.
"""
from __future__ import annotations

import threading
import time

import ipywidgets as w

from ..knowledge.rules import FINAL_STATUSES
from . import live_html, render
from .copy_as_code import as_curl, as_python
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
        self.add_class("smsnb-card")
        self.add_class(css)

    def _show(self, parts: list) -> None:
        self.children = parts + [self.problem, self.output]

    def _guarded(self, action):
        """A callback whose output lands in the card and whose failure is a line, not a traceback."""
        def handler(*args):
            with self.output:
                try:
                    action(*args)
                except Exception as error:  # a bug of ours: say so plainly, keep the kernel alive
                    self.problem.value = html("<div style='color:#c62828'>smsnb could not do that: {}</div>",
                                              visible(error, whole=None))
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
        self.chain = w.VBox()
        self.chain.add_class("smsnb-chain")
        self.form = FixForm(result, self._guarded, self.append)
        self._show([self.summary, self.form,
                    self._copy_as_code(self.form.corrected_body), self.chain])

    def append(self, outcome) -> None:
        self.chain.children = self.chain.children + (_outcome_widget(outcome),)

    def close(self) -> None:
        """Closing the card ends its countdown, and closes the cards of its resends."""
        self.form.close()
        for outcome in self.chain.children:
            outcome.close()
        super().close()


class SuccessCard(_Card):
    """A success, whose delivery status keeps updating until it is final."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-success-card")
        static = render.result_html(result)
        body = html_part(static, "smsnb-summary")
        self.delivery = html_part("", "smsnb-status")
        self._stop = threading.Event()
        self.statuses: dict[str, str] = {}
        parts = [body]
        if result.action != "dry_run" and result.batch_id:
            parts.append(self.delivery)
        self._show(parts + [self._copy_as_code(lambda: result.raw_body or result.payload)])
        if result.action != "dry_run" and result.batch_id and result.session is not None:
            self.delivery.value = live_html.WAITING
            self._watcher = threading.Thread(target=self._watch, daemon=True, name="smsnb-delivery")
            self._watcher.start()
            result.session.watch(self)  # stopping the sandbox or unloading smsnb ends the polling

    @property
    def final(self) -> bool:
        return bool(self.statuses) and all(s in FINAL_STATUSES for s in self.statuses.values())

    def _watch(self) -> None:
        interval = POLL_SECONDS.get(self.result.route, 2.0)
        deadline, failures = time.monotonic() + POLL_LIMIT_SECONDS, 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                statuses = self.result.session.poll_delivery_status(self.result)  # never starts a sandbox
                failures = 0
            except Exception as error:  # a poll that fails is shown, and tried again a few times
                failures += 1
                self.delivery.value = live_html.status_unavailable_html(error)
                if failures >= 3:
                    return
            else:
                if statuses is None:  # the sandbox that had the batch has stopped: no report can come
                    self.delivery.value = live_html.STOPPED
                    return
                self.statuses = statuses
                self.delivery.value = live_html.status_html(self.statuses, self.final)
                if self.final:
                    return
            self._stop.wait(interval)

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
        self.stop_polling()  # closing the card ends the polling
        super().close()
