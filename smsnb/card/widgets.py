"""The interactive cards (ipywidgets 8): an outcome, a fix-it form, one-click resend, and for a
success its delivery report as it changes; a report that ends in a failure turns the card into
that failure explained, with a fix-it form per failing group (`delivery_card`).

Built from the same `Result`, catalog entry and renderers as the text and HTML cards; the fix-it
form is `fix_form.FixForm`, whose logic is pure (`forms`). Each card is framed in its outcome's
colour (`theme.frame_layout`); an error a resend resolved folds into one line that opens it again.
Every part carries a ``smsnb-*`` CSS class so that a browser test can find it.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import ipywidgets as w

from . import delivery_html, live_html, render, report, theme
from .copy_as_code import Target, code_for, sent_to
from .delivery_card import DeliveryFailure
from .fix_form import FixForm
from .outcome import Message, Result
from .safe import html, join, visible
from .safe_widget import SafeHTML, close_tree, html_part
from .theme import Outcome

__all__ = ["card_for", "ErrorCard", "SuccessCard", "SafeHTML", "POLL_SECONDS"]

POLL_SECONDS = {"SANDBOX": 0.1, "LIVE": 2.0}
CANCEL_CHECK_EVERY = 5  # empty reports in a row between two looks at whether the batch was cancelled
POLL_LIMIT_SECONDS = 600  # a delivery status that never turns final stops being polled
NOWHERE = Target("https://us.sms.api.sinch.com", "YOUR_SERVICE_PLAN_ID")  # a result without a session


def card_for(result: Result) -> w.VBox:
    return ErrorCard(result) if not result.ok else SuccessCard(result)


def _outcome_widget(outcome) -> w.Widget:
    """A resend's outcome: the next card of the chain, or a message (e.g. no credentials)."""
    if isinstance(outcome, Result):
        return card_for(outcome)
    text = outcome.text if isinstance(outcome, Message) else str(outcome)
    return html_part(html("<div>{}</div>", visible(text, newlines=True, whole=None)), "smsnb-message")


def _original(result: Result):
    """The request as it was sent: a JSON object, or the raw text of a %%sms --json cell."""
    return result.raw_body if result.request is None else result.payload


class _Card(w.VBox):
    """What every card has: the result, a frame of its outcome's colour, and copy as code.

    Each widget is a model the frontend builds before it shows the card, so the parts a card only
    sometimes needs are built the first time they are: the log of its callbacks (`output`), the
    line of its own failures (`problem`), the chain of its resends (`chain`) and the code to copy
    (`copy_python`, `copy_curl`)."""

    def __init__(self, result: Result, css: str, outcome: Outcome):
        super().__init__(layout=w.Layout(**theme.frame_layout(outcome)))
        self.result = result
        self._drawing = threading.RLock()  # a poller's thread may add a part while a click does
        self._parts: list = []  # the card's own parts, above copy as code
        self._output = self._problem = self._chain = self._copy = None
        self._closed = False  # a closed card draws nothing more
        self.copy_toggle: w.ToggleButton | None = None
        self._copy_source, self._copy_inputs = None, []  # () -> (body, finished); what changes it
        self.add_class("smsnb-card")
        self.add_class(css)

    # --- the parts drawn when first needed ------------------------------------------------------

    def _body(self) -> list:
        """The parts above the chain: the card's own, then copy as code."""
        copy = [self.copy_toggle] if self.copy_toggle is not None else []
        return self._parts + copy + ([self._copy] if self._copy is not None else [])

    def _redraw(self) -> None:
        with self._drawing:
            tail = [part for part in (self._chain, self._problem, self._output) if part is not None]
            self.children = self._body() + tail

    def _show(self, parts: list) -> None:
        with self._drawing:
            self._parts = parts
            self._redraw()

    def _made(self, name: str, make):
        """The part ``name`` (e.g. "_output"), made and drawn the first time it is asked for."""
        with self._drawing:
            if getattr(self, name) is None:
                setattr(self, name, make())
                self._redraw()
            return getattr(self, name)

    @property
    def output(self) -> w.Output:
        """Where what the card's callbacks print lands."""
        def make():
            output = w.Output(layout=w.Layout(max_height="12em", overflow="auto"))
            output.add_class("smsnb-log")
            return output
        return self._made("_output", make)

    @property
    def problem(self) -> SafeHTML:
        """One line for a failure of the card itself (a bug of smsnb's)."""
        return self._made("_problem", lambda: html_part("", "smsnb-problem"))

    @property
    def chain(self) -> w.VBox:
        """The outcomes of the card's resends, each the next card."""
        def make():
            chain = w.VBox()
            chain.add_class("smsnb-chain")
            return chain
        return self._made("_chain", make)

    def _frame(self, outcome: Outcome) -> None:
        for key, value in theme.frame_layout(outcome).items():
            setattr(self.layout, key, value)

    def append(self, outcome) -> bool:
        """Draw a resend's outcome as the next card of the chain; False, drawing nothing, once this
        card is closed (an outcome that ends after its card closed would start a poller for nobody)."""
        with self._drawing:
            if self._closed:
                return False
            chain = self.chain
            chain.children = chain.children + (_outcome_widget(outcome),)
            return True

    def close(self) -> None:
        """Closing a card closes all it holds, shown or folded away: the cards of its resends too."""
        with self._drawing:
            self._closed = True
            parts = [*self.children, *self._parts, self.copy_toggle, self._copy, self._output,
                     self._problem, self._chain]
        close_tree(part for part in dict.fromkeys(parts) if part is not None and part is not self)
        close_tree([self.layout])
        super().close()

    def _said(self, error: Exception) -> None:
        self.problem.value = live_html.problem_html(error)

    def _guarded(self, action):
        """A callback whose output lands in the card and whose failure is a line, not a traceback."""
        def handler(*args):
            with self.output:
                try:
                    action(*args)
                except Exception as error:  # a bug of ours: say so plainly, keep the kernel alive
                    self._said(error)
        return handler

    # --- copy as code ---------------------------------------------------------------------------

    def _copy_as_code(self, source, inputs=()) -> w.ToggleButton:
        """A toggle that shows the request as Python `requests` code and as curl; ``source`` gives
        (the body, whether it is finished), and each of ``inputs`` changes it while it is shown."""
        toggle = w.ToggleButton(description="Copy as code", icon="code", value=False)
        toggle.add_class("smsnb-copy-toggle")
        self._copy_source, self._copy_inputs = source, list(inputs)
        toggle.observe(self._guarded(self._toggle_copy), "value")
        self.copy_toggle = toggle
        return toggle

    def _make_copy(self) -> w.Tab:
        python = w.Textarea(layout=w.Layout(width="100%", height="12em"))
        curl = w.Textarea(layout=w.Layout(width="100%", height="8em"))
        python.add_class("smsnb-copy-python")
        curl.add_class("smsnb-copy-curl")
        tabs = w.Tab(children=[python, curl], titles=("Python (requests)", "curl"),
                     layout=w.Layout(display="none"))
        tabs.add_class("smsnb-copy")
        for widget in self._copy_inputs:  # the form changed: so does the code, while it is shown
            widget.observe(self._guarded(lambda _change: self._fill_copy(only_shown=True)), "value")
        return tabs

    @property
    def copy_python(self) -> w.Textarea:
        return self._copy_tabs().children[0]

    @property
    def copy_curl(self) -> w.Textarea:
        return self._copy_tabs().children[1]

    def _copy_tabs(self) -> w.Tab:
        if self._copy is None:
            self._made("_copy", self._make_copy)
            self._fill_copy()
        return self._copy

    def _fill_copy(self, only_shown: bool = False) -> None:
        tabs = self._copy_tabs()
        if only_shown and tabs.layout.display == "none":
            return
        body, finished = self._copy_source()
        python, curl = code_for(body, self._target(), self.result.route, finished)
        tabs.children[0].value, tabs.children[1].value = python, curl

    def _target(self) -> Target:
        """Where the request went, for the code. A sandbox's is read from the request as it was sent:
        asking the session would start the sandbox again once it has stopped, on another port."""
        result = self.result
        if result.route == "SANDBOX":
            answer = result.error if result.error is not None else result.reply
            sent = getattr(answer, "request", None)
            return sent_to(sent.url) if sent is not None else Target("", "")
        return result.session.target(result) if result.session is not None else NOWHERE

    def _toggle_copy(self, change) -> None:
        tabs = self._copy_tabs()
        if change["new"]:
            self._fill_copy()
        tabs.layout.display = "" if change["new"] else "none"


class ErrorCard(_Card):
    """An error: what went wrong, what it means, the request, and a form to fix and resend. Once a
    resend of it succeeds, it folds into one line ("Resolved by resend: 201, batch …") that opens
    it again, with the success card right below."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-error-card", Outcome.ERROR)
        entry = result.entry
        # The static part is one widget: each widget costs about a millisecond to build.
        pieces = [("smsnb-header", render.error_header_html(result)),
                  ("smsnb-sinch-text", render.sinch_text_html(result)),
                  ("smsnb-location", render.location_html(result)),
                  ("smsnb-details", render.details_html(entry)),
                  ("smsnb-request", render.request_html(result)),
                  ("smsnb-hints", render.hints_html(render.error_hints(result))),
                  ("smsnb-docs", render.docs_html(entry))]
        summary = join(html('<div class="{}">{}</div>', css, piece) for css, piece in pieces if piece)
        self.summary = html_part(summary, "smsnb-summary")
        self.form = FixForm(result, self._guarded, self.append)
        self.resolved: w.HBox | None = None  # the one line of a card a resend resolved
        self.reopen: w.ToggleButton | None = None  # opens that card again
        self._copy_as_code(self._original_or_finished, self.form.inputs.values())  # drawn by _body
        self._show([self.summary, self.form])

    def _original_or_finished(self):
        """The form's request once it is finished, else the original one: never a half-made one.
        A form with nothing wrong that changes nothing (e.g. a retry) is finished with the original."""
        body = self.form.finished_body()
        if body is not None:
            return body, True
        return _original(self.result), not self.form.problems()

    def _body(self) -> list:
        if self.resolved is None:
            return super()._body()
        return [self.resolved] + (super()._body() if self.reopen.value else [])

    def append(self, outcome) -> bool:
        with self._drawing:  # a close comes before the fold or after it, never in between
            drawn = super().append(outcome)
            if drawn and isinstance(outcome, Result) and outcome.ok and self.resolved is None:
                self._fold(outcome)
            return drawn

    def _fold(self, outcome: Result) -> None:
        """Fold the card into the line that says which resend resolved it."""
        self.reopen = w.ToggleButton(description="Show the error", icon="chevron-down", value=False,
                                     tooltip="Open the error this resend resolved")
        self.reopen.add_class("smsnb-reopen")
        self.reopen.observe(self._guarded(self._reopened), "value")
        self.resolved = w.HBox([html_part(live_html.resolved_html(outcome), "smsnb-resolved-text"),
                                self.reopen])
        self.resolved.add_class("smsnb-resolved")
        self.add_class("smsnb-folded")
        self._frame(Outcome.NEUTRAL)
        self._redraw()

    def _reopened(self, change) -> None:
        opened = change["new"]
        self.reopen.description = "Hide the error" if opened else "Show the error"
        self.reopen.icon = "chevron-up" if opened else "chevron-down"
        (self.remove_class if opened else self.add_class)("smsnb-folded")
        self._frame(Outcome.ERROR if opened else Outcome.NEUTRAL)
        self._redraw()


class SuccessCard(_Card):
    """A success, whose delivery report keeps updating until it is final. When it ends in a
    failure, the card turns into that failure explained, each failing group with a fix-it form."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-success-card", Outcome.SUCCESS)
        self.summary = html_part(render.success_body_html(result), "smsnb-summary")
        self.failure: DeliveryFailure | None = None  # once the report ends in a failure
        self.groups: list[report.Group] = []  # the report now, by status and code
        self._stop = threading.Event()
        tracked = result.action != "dry_run" and result.batch_id
        watched = tracked and result.session is not None
        # The status that changes is in a live region (see live_html): a screen reader says it.
        self.delivery = html_part(live_html.WAITING if watched else "", "smsnb-status") if tracked else None
        self._copy_as_code(lambda: (_original(result), True))  # drawn by _body, below the parts
        self._show([self.summary] + ([self.delivery] if tracked else []))
        if watched:
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
        scheduled = report.scheduled_for(self.result.payload, datetime.now(timezone.utc))
        if scheduled:  # no report until its send time: said once, not polled for hours
            self.delivery.value = live_html.scheduled_html(scheduled)
            return False
        interval = POLL_SECONDS.get(self.result.route, 2.0)
        deadline, failures, empty = time.monotonic() + POLL_LIMIT_SECONDS, 0, 0
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
                empty = 0 if self.groups else empty + 1
                if empty % CANCEL_CHECK_EVERY == 1 and self._cancelled():  # its report stays empty
                    self.delivery.value = live_html.CANCELLED
                    return False
                self.delivery.value = live_html.report_status_html(self.groups, self.final)
                if self.final:
                    return True
            self._stop.wait(interval)
        if not self._stop.is_set():
            self.delivery.value = live_html.gave_up_html(POLL_LIMIT_SECONDS)
        return False

    def _cancelled(self) -> bool:
        """Whether the batch was cancelled: Sinch's report of a batch cancelled before it was sent is
        empty for good, so an empty report alone never says it."""
        try:
            batch = self.result.session.poll_batch(self.result)
        except Exception:  # not known now: the report's own polls say when Sinch cannot be reached
            return False
        return isinstance(batch, dict) and batch.get("canceled") is True

    def _turn_into_failure(self) -> None:
        """The card, in place: the failure's head, the report, and each failing group's form."""
        with self._drawing:  # a card closed while its failure is drawn closes that too
            if self._closed:
                return
            self.failure = DeliveryFailure(self.result, self.groups, self._guarded, self.append,
                                           datetime.now(timezone.utc))
            self.summary.value = delivery_html.failed_header_html(self.result, self.groups)
            self.add_class("smsnb-delivery-failed")
            self._frame(Outcome.ERROR)
            self._show([self.summary, self.delivery, self.failure])

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
        """Closing the card ends the polling; the rest closes as any card's does (its failure's forms
        among its parts)."""
        self.stop_polling()
        super().close()
