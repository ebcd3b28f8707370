"""The fix-it form as widgets: it draws the parts a `forms.Form` asks for and wires their events.

What the form asks, what is wrong and what it changes is pure (`forms`); this module reads the
widgets' values, shows the form's answers, counts down, looks for matching batches and sends
once. Every part carries a ``smsnb-*`` CSS class so that a test can find it.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import ipywidgets as w

from ..sinch.errors import retry_after_seconds
from ..sinch.request import SmsRequest
from . import forms, live_html, render
from .forms import Input
from .outcome import Result
from .request_fields import differs, request_diff
from .retry import header
from .safe import Markup, html, visible
from .safe_widget import close_tree, html_part
from .theme import TEXT, Outcome

_WIDGETS = {Input.TEXT: w.Text, Input.MULTILINE: w.Textarea, Input.PASSWORD: w.Password,
            Input.DROPDOWN: w.Dropdown, Input.CHECKBOX: w.Checkbox}
ROW_WIDTH = "44em"  # a row at most: its label, then the field taking the rest
# What is wrong with a field: the theme's text, after a marker and a bar of the error's colour.
PROBLEM_STYLE = f"border-left:3px solid {Outcome.ERROR.value};padding-left:6px;margin:2px 0;color:{TEXT}"


def problem_html(text: str | None) -> Markup:
    return html('<div style="{}">⚠ {}</div>', PROBLEM_STYLE, visible(text, whole=None)) if text else Markup()


def context_of(result: Result) -> forms.Context:
    """What the form shows beyond the error and the request: from the answer and the session."""
    session, error = result.session, result.error
    settings = session.settings() if session else None
    return forms.Context(
        raw_body=result.raw_body,
        default_region=(settings.default_country or None) if settings else None,
        # The wait the server asked for (seconds or a date), from its header whatever its case.
        retry_after=retry_after_seconds(header(error.headers, "Retry-After")),
        asked=render.retry_after_text(result) or "no Retry-After header",
        reason=getattr(error, "reason", None),
        receiver=session.receiver_url(result) if session else None,
        service_plan_id=settings.service_plan_id if settings else "",
        region=settings.region if settings else "",
    )


def _input(field: forms.Field) -> w.ValueWidget:
    """The widget for a field, given only what the field says. Its label is ipywidgets' own
    ``description``: a <label for> of the <input>, so the field has an accessible name."""
    layout = w.Layout(width=field.width or "100%", max_width=ROW_WIDTH, height=field.height or None)
    options = {"value": field.value, "layout": layout, "description": field.label,
               "style": {"description_width": "initial"}}
    if field.placeholder:
        options["placeholder"] = field.placeholder
    if field.options:
        options["options"] = list(field.options)
    if field.input is Input.CHECKBOX:
        options["indent"] = False
    return _WIDGETS[field.input](**options)


class FixForm(w.VBox):
    """The fix-it form of one error, or the ``spec`` given (a delivery failure's). It sends at most
    once, from the Resend button or Enter in a one-line field: a later error gets its own form. It
    checks a field after its first edit, and shows the before/after once something changed.

    ``guard`` wraps each callback (its output and failure land in the card); ``show_outcome``
    shows what the resend gave."""

    def __init__(self, result: Result, guard: Callable, show_outcome: Callable,
                 spec: forms.Form | None = None):
        self.result, self._guard, self._show_outcome = result, guard, show_outcome
        if spec is None:  # the form of the result's error
            error = result.error
            spec = forms.form_for(error.key, error.text, result.payload, context_of(result))
        self.spec = spec
        self.sent = False
        self.touched: set[str] = set()  # the fields the person edited
        self.tried = False  # the person asked to send while the form was not ready
        self._following = False  # values set by the form itself, not by the person
        self._closed = threading.Event()  # set when the card closes: ends the countdown
        self._sending = threading.Lock()  # taken by the one click that sends; never given back
        self.inputs: dict[str, w.ValueWidget] = {}  # field key -> its widget
        self.messages: dict[str, w.HTML] = {}  # field key -> what is wrong with it
        self.nothing_found = False  # a look found no matching batch
        self._ready_at: float | None = None  # when a countdown lets Resend go
        self._ticker: threading.Thread | None = None
        self.resend = w.Button(description="Resend", button_style="primary", icon="paper-plane",
                               disabled=True)
        self.resend.add_class("smsnb-resend")
        self.diff = html_part("", "smsnb-diff")
        self.status = html_part(live_html.status_region(""), "smsnb-form-status")
        draw = {forms.Field: self._draw_field, forms.Note: self._draw_note, forms.Wait: self._draw_wait,
                forms.Look: self._draw_look}
        rows = [widget for part in self.spec.asks() for widget in draw[type(part)](part)]
        self.resend.on_click(guard(self._on_resend))
        buttons = [self.resend] if self.spec.offers_resend else []
        super().__init__(rows + [w.HBox(buttons), self.status, self.diff])
        self.add_class("smsnb-form")
        self.initial = self.values()  # what the form opened with
        if self._ticker is not None:
            self._ticker.start()
        self.refresh()

    # --- drawing the parts ---------------------------------------------------------------------

    def _draw_note(self, note: forms.Note) -> list:
        return [html_part(note.markup, note.css)]

    def _draw_field(self, field: forms.Field) -> list:
        widget = _input(field)
        self.inputs[field.key] = widget
        widget.observe(self._guard(lambda change: self._changed(field.key, change)), "value")
        if isinstance(widget, w.Text):  # a one-line field (a Password too): Enter resends
            widget.on_msg(self._guard(self._on_message))
        if field.steers:  # a control that steers the form
            widget.add_class(f"smsnb-{field.key}")
            return [widget]
        widget.add_class(f"smsnb-field-{field.key.replace('[', '-').replace(']', '')}")
        self.messages[field.key] = message = html_part("", "smsnb-field-message")
        return [w.VBox([widget, message])]

    def _changed(self, key: str, change: dict) -> None:
        following, self._following = self._following, True
        if not following:  # the person's edit, not one that follows from it
            self.touched.add(key)
        try:
            for other, value in self.spec.follow(key, change["old"], change["new"], self.values()).items():
                self.inputs[other].value = value
        finally:
            self._following = following
        self.refresh()

    def _draw_wait(self, wait: forms.Wait) -> list:
        # The ticker's line from then on.
        self.countdown = html_part(live_html.status_region(wait.line(wait.seconds)), "smsnb-countdown")
        self._ready_at = time.monotonic() + wait.seconds
        self._ticker = threading.Thread(target=self._tick, args=(wait,), daemon=True, name="smsnb-countdown")
        return [self.countdown]

    def _tick(self, wait: forms.Wait) -> None:
        while not self.sent and not self._closed.is_set():
            left = self._ready_at - time.monotonic()
            self.countdown.value = live_html.status_region(wait.line(left))
            if left <= 0:
                self.refresh()
                return
            self._closed.wait(min(0.2, left))

    def _draw_look(self, look: forms.Look) -> list:
        self.look = w.Button(description=look.label, icon="search", button_style="info", tooltip=look.tooltip)
        self.look.add_class("smsnb-look")
        self.look.on_click(self._guard(self._look))
        self.matches = html_part("", "smsnb-matches")
        return [self.look, self.matches]

    def _look(self, _button=None) -> None:
        self.matches.value = Markup("<i>Looking…</i>")
        try:
            found = list(self.result.session.find_batches(self.result))
        except Exception as error:  # e.g. still unreachable: say so; the person decides with the box
            self.nothing_found = False
            self.matches.value = live_html.look_failed_html(error)
        else:
            self.nothing_found = not found
            self.matches.value = live_html.matches_html(found)
        self.refresh()

    def close(self) -> None:
        """Ends the countdown; closes every part, Resend too when this form shows none."""
        self._closed.set()
        close_tree([*self.children, self.resend, self.layout])
        super().close()

    # --- the form's answers --------------------------------------------------------------------

    def values(self) -> dict:
        return {key: widget.value for key, widget in self.inputs.items()}

    def problems(self) -> dict[str, str]:
        """Field -> what is wrong with it, for the fields that are in play."""
        return self.spec.problems(self.values())

    def ready(self) -> bool:
        waited = self._ready_at is not None and time.monotonic() >= self._ready_at
        values = self.values()
        return not self.sent and self.spec.ready(values, waited=waited, nothing_found=self.nothing_found)

    def corrected_body(self):
        """The request the form would send now: a JSON object, or raw text for the JSON editor."""
        return self.spec.corrected(self.values(), self.result.payload, self.result.raw_body)

    def finished_body(self):
        """The corrected request when the form is complete (nothing wrong, something changed); else
        None: an unfinished form's body is never shown as the request to copy."""
        return self.spec.finished(self.values(), self.result.payload, self.result.raw_body, self._before())

    def refresh(self) -> None:
        values = self.values()
        off = set(self.inputs) if self.sent else self.spec.disabled(values)
        for key, widget in self.inputs.items():
            widget.disabled = key in off
        shown = {} if self.sent else self.spec.messages(values, self.initial, self.touched, self.tried)
        for key, message in self.messages.items():
            message.value = problem_html(shown.get(key))
        ready = self.ready()
        self.resend.disabled = not ready
        if self.tried and not self.sent:
            self.status.value = live_html.status_region("" if ready else forms.not_sent(len(shown)))
        before, after = self._before(), self.corrected_body()
        changed = self.spec.shows_diff(values, self.initial) and differs(before, after)
        self.diff.value = live_html.diff_html(request_diff(before, after) if changed else [])

    def _before(self):
        return self.result.raw_body if self.result.request is None else self.result.payload

    # --- sending once --------------------------------------------------------------------------

    def _on_message(self, _widget, content, _buffers) -> None:
        """Enter in a one-line field: ipywidgets' Text sends {"event": "submit"}."""
        if isinstance(content, dict) and content.get("event") == "submit":
            self._on_resend()

    def _on_resend(self, _button=None) -> None:
        """Resend, from the button or Enter: once, when the form is ready; else it shows what is wrong."""
        if self.sent or self._closed.is_set() or not self._sending.acquire(blocking=False):
            return  # spent, closed with its card, or another click is sending
        if not self.ready():
            self._sending.release()
            self.tried = True
            self.refresh()
            return
        self.sent = True  # a later click finds the form spent
        self.resend.disabled = True
        self.status.value = live_html.status_region("Sending…")
        values = self.values()
        credentials = self.spec.credentials(values)
        if credentials:
            self._forget_passwords()  # a token must not stay in widget state
            self.result.session.use_credentials(credentials)
        outcome = self._resend_with(self.spec.corrected(values, self.result.payload, self.result.raw_body))
        self.status.value = live_html.status_region("Sent once; the outcome is below.")
        self.refresh()  # the spent form's fields are disabled
        self._show_outcome(outcome)

    def _forget_passwords(self) -> None:
        for field in self.spec.asks():
            if isinstance(field, forms.Field) and field.input is Input.PASSWORD:
                self.inputs[field.key].value = ""

    def _resend_with(self, body):
        session = self.result.session
        if isinstance(body, str):  # the JSON editor's text, sent exactly as typed
            return session.resend(self.result, raw_body=body)
        if body == self.result.payload:
            return session.resend(self.result)
        return session.resend(self.result, request=SmsRequest.from_payload(body))
