"""The interactive card (ipywidgets 8): an outcome, a fix-it form, one-click resend.

Built from the same `Result`, catalog entry and renderers as the text and HTML cards; the form
logic itself is pure (`fixes`), so this module only wires widgets to it. Every part carries a
``smsnb-*`` CSS class so that a browser test can find it.
"""
from __future__ import annotations

import json
import threading
import time
from html import escape

import ipywidgets as w

from . import fixes, msisdn, render
from .results import Message, Result
from .sinch.paths import NOT_FOUND_REASONS, REGION_HOSTS
from .sinch.rules import FINAL_STATUSES

POLL_SECONDS = {"SANDBOX": 0.1, "LIVE": 2.0}
POLL_LIMIT_SECONDS = 600  # a delivery status that never turns final stops being polled
_FULL = w.Layout(width="100%")


def card_for(result: Result) -> w.VBox:
    return ErrorCard(result) if not result.ok else SuccessCard(result)


def _html(value: str, css: str) -> w.HTML:
    part = w.HTML(value)
    part.add_class(css)
    return part


def _outcome_widget(outcome) -> w.Widget:
    """A resend's outcome: the next card of the chain, or a message (e.g. no credentials)."""
    if isinstance(outcome, Result):
        return card_for(outcome)
    return _html(f"<div>{escape(outcome.text if isinstance(outcome, Message) else str(outcome))}</div>",
                 "smsnb-message")


class _Card(w.VBox):
    """What every card has: the result, a place for what callbacks print, copy as code."""

    def __init__(self, result: Result, css: str):
        super().__init__()
        self.result = result
        self.output = w.Output(layout=w.Layout(max_height="12em", overflow="auto"))
        self.output.add_class("smsnb-log")
        self.problem = _html("", "smsnb-problem")  # one-line errors of the card itself
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
                    self.problem.value = f"<div style='color:#c62828'>smsnb could not do that: {escape(str(error))}</div>"
        return handler

    def _copy_as_code(self, body_source) -> w.VBox:
        """A toggle that shows the request as Python `requests` code and as curl."""
        toggle = w.ToggleButton(description="Copy as code", icon="code", value=False)
        toggle.add_class("smsnb-copy-toggle")
        python, curl = w.Textarea(layout=w.Layout(width="100%", height="12em")), w.Textarea(layout=w.Layout(width="100%", height="8em"))
        python.add_class("smsnb-copy-python")
        curl.add_class("smsnb-copy-curl")
        tabs = w.Tab(children=[python, curl], layout=w.Layout(display="none"))
        tabs.set_title(0, "Python (requests)")
        tabs.set_title(1, "curl")

        def show(change):
            if change["new"]:
                body = body_source()
                target = self.result.session.target(self.result)
                python.value, curl.value = fixes.as_python(body, target), fixes.as_curl(body, target)
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
        pieces = [("smsnb-header", render.error_header_html(result)), ("smsnb-sinch-text", render.sinch_text_html(result)),
                  ("smsnb-details", render.details_html(entry)), ("smsnb-request", render.request_html(result)),
                  ("smsnb-hints", render.hints_html(result.hints)),
                  ("smsnb-docs", render.docs_html(entry))]
        self.summary = _html("".join(f'<div class="{css}">{html}</div>' for css, html in pieces if html),
                             "smsnb-summary")
        self.chain = w.VBox()
        self.chain.add_class("smsnb-chain")
        self.form = FixForm(result, self)
        self._show([self.summary, self.form,
                    self._copy_as_code(self.form.corrected_body), self.chain])

    def append(self, outcome) -> None:
        self.chain.children = self.chain.children + (_outcome_widget(outcome),)


class FixForm(w.VBox):
    """The fix-it form of one error. It sends at most once: a later error gets its own form."""

    def __init__(self, result: Result, card: ErrorCard):
        self.result, self.card = result, card
        session = result.session
        default_region = (session.settings().default_country or None) if session else None
        retry_after = getattr(result.error, "retry_after", None)
        self.spec = fixes.form_for(result.error.key, result.error.text, result.payload,
                                   default_region=default_region, retry_after=retry_after)
        self.sent = False
        self._sending = threading.Lock()  # taken by the one click that sends; never given back
        self.inputs: dict[str, w.Widget] = {}  # request field (or "to[i]") -> its input
        self.messages: dict[str, w.HTML] = {}
        self.resend = w.Button(description="Resend", button_style="primary", icon="paper-plane", disabled=True)
        self.resend.add_class("smsnb-resend")
        self.diff = _html("", "smsnb-diff")
        self.status = _html("", "smsnb-form-status")
        rows = getattr(self, f"_build_{self.spec.kind}")()
        self.resend.on_click(card._guarded(self._on_resend))
        buttons = [] if self.spec.kind == "blocked" else [self.resend]
        super().__init__(rows + [w.HBox(buttons), self.status, self.diff])
        self.add_class("smsnb-form")
        self.refresh()

    # --- building each kind of form ----------------------------------------------------------

    def _field(self, key: str, widget: w.Widget, label: str) -> w.VBox:
        widget.add_class(f"smsnb-field-{key.replace('[', '-').replace(']', '')}")
        message = _html("", "smsnb-field-message")
        self.inputs[key], self.messages[key] = widget, message
        widget.observe(self.card._guarded(lambda change: self.refresh()), "value")
        return w.VBox([_html(f"<b>{escape(label)}</b>", "smsnb-label"), w.HBox([widget, message])])

    def _build_callback_url(self) -> list:
        receiver = self.result.session.receiver_url(self.result) if self.result.session else None
        options = [("Use this callback URL", "url")]
        if receiver:
            options.append(("Use the sandbox's callback receiver", "receiver"))
        options.append(("Turn delivery reports off", "off"))
        self.choice = w.RadioButtons(options=options, value="url")
        self.choice.add_class("smsnb-choice")
        self.receiver = receiver
        self.choice.observe(self.card._guarded(lambda change: self.refresh()), "value")
        url = w.Text(placeholder="https://example.com/delivery-reports", layout=w.Layout(width="30em"))
        return [self.choice, self._field("callback_url", url, "callback_url (an http(s) URL that answers POSTs)")]

    def _build_numbers(self) -> list:
        import phonenumbers

        regions = sorted(phonenumbers.SUPPORTED_REGIONS)
        default = (self.result.session.settings().default_country or "").upper() if self.result.session else ""
        self.country = w.Dropdown(options=[("(none)", "")] + [(r, r) for r in regions],
                                  value=default if default in regions else "", description="Default country",
                                  style={"description_width": "initial"})
        self.country.add_class("smsnb-country")
        rows = [self.country]
        for fix in self.spec.numbers:
            field = w.Text(value=fix.suggestion, placeholder="+46701234567")
            rows.append(self._field(f"to[{fix.index}]", field, f"to[{fix.index}]: '{fix.raw}' ({fix.reason})"))

        def new_country(change):
            for fix in self.spec.numbers:
                field = self.inputs[f"to[{fix.index}]"]
                old = msisdn.suggest_e164(fix.raw, change["old"] or None) or ""
                if field.value in ("", old):  # only what the user has not typed over
                    field.value = msisdn.suggest_e164(fix.raw, change["new"] or None) or ""

        self.country.observe(self.card._guarded(new_country), "value")
        return rows

    def _build_other_number(self) -> list:
        rows = []
        for fix in self.spec.numbers:
            rows.append(_html(f"<div><code>{escape(fix.raw)}</code> is a <b>{escape(fix.reason)}</b> number: "
                              f"it cannot receive SMS.</div>", "smsnb-number-type"))
            rows.append(self._field(f"to[{fix.index}]", w.Text(placeholder="+46701234567"),
                                    f"to[{fix.index}]: another number (a mobile)"))
        return rows

    def _build_json(self) -> list:
        raw = self.result.raw_body
        text = raw if raw is not None else json.dumps(self.result.payload, indent=2, ensure_ascii=False)
        editor = w.Textarea(value=text, layout=w.Layout(width="100%", height="10em"), continuous_update=True)
        return [self._field("json", editor, "The request as JSON (checked as you type)")]

    _build_raw_json = _build_json

    def _build_fields(self) -> list:
        rows = []
        for fix in self.spec.fields:
            multi = fix.name in ("to", "body")
            widget = (w.Textarea(value=fix.value, layout=w.Layout(width="30em")) if multi
                      else w.Text(value=fix.value, layout=w.Layout(width="30em")))
            rows.append(self._field(fix.name, widget, f"{fix.name} ({fix.limit})" if fix.limit else fix.name))
        return rows

    def _build_blocked(self) -> list:
        steps = "".join(f"<li>{escape(s)}</li>" for s in self.result.entry.steps)
        return [_html(f"<div><b>No resend:</b> {escape(self.spec.note)}<ul>{steps}</ul></div>", "smsnb-blocked")]

    def _plan_and_region(self) -> list:
        settings = self.result.session.settings()
        plan = w.Text(value=settings.service_plan_id, placeholder="service plan id")
        region = w.Dropdown(options=list(REGION_HOSTS), value=settings.region)
        return [self._field("service_plan_id", plan, "Service plan id"), self._field("region", region, "Region")]

    def _build_credentials(self) -> list:
        token = w.Password(placeholder="API token (kept in memory only)")
        return [self._field("api_token", token, "API token")] + self._plan_and_region()

    def _build_plan(self) -> list:
        note = NOT_FOUND_REASONS.get(getattr(self.result.error, "reason", ""), "Check the service plan id and region.")
        return [_html(f"<div>{escape(note)}</div>", "smsnb-reason")] + self._plan_and_region()

    def _build_countdown(self) -> list:
        self.countdown = _html("", "smsnb-countdown")
        self._ready_at = time.monotonic() + (self.spec.retry_after or 0)
        self._ticker = threading.Thread(target=self._tick, daemon=True, name="smsnb-countdown")
        self._ticker.start()
        return [self.countdown]

    def _tick(self) -> None:
        while not self.sent:
            left = self._ready_at - time.monotonic()
            if left <= 0:
                break
            self.countdown.value = f"Sinch asked to wait: you can retry in {left:.0f} s."
            time.sleep(min(0.2, left))
        self.countdown.value = "You can retry now."
        self.refresh()

    def _build_retry(self) -> list:
        return [_html("<div>Nothing reached Sinch, or Sinch did not process it: sending again is safe.</div>",
                      "smsnb-retry-note")]

    def _build_confirm_retry(self) -> list:
        self.confirm = w.Checkbox(value=False, description="I understand the SMS may already have been sent and may "
                                                           "arrive twice", indent=False, layout=_FULL)
        self.confirm.add_class("smsnb-confirm")
        self.confirm.observe(self.card._guarded(lambda change: self.refresh()), "value")
        return [_html(f"<div><b>{escape(self.spec.note)}</b> Check %sms history or GET /batches first.</div>",
                      "smsnb-confirm-note"), self.confirm]

    # --- validation, the corrected request, sending ------------------------------------------

    def problems(self) -> dict[str, str]:
        """Field -> what is wrong with it, for the fields that are in play."""
        found = {}
        for key, widget in self.inputs.items():
            if key == "callback_url" and self.choice.value != "url":
                continue
            name = "json" if key == "json" else "number" if key.startswith("to[") else key
            if name == "json":
                problem = fixes.json_problem(widget.value)
            elif name in ("api_token", "service_plan_id", "region"):
                problem = None if widget.value else f"Enter the {name.replace('_', ' ')}."
            else:
                problem = fixes.validate(name, widget.value)
            if problem:
                found[key] = problem
        return found

    def ready(self) -> bool:
        if self.sent or self.spec.kind == "blocked":
            return False
        if self.spec.kind == "countdown":
            return time.monotonic() >= self._ready_at
        if self.spec.kind == "confirm_retry":
            return self.confirm.value
        return not self.problems()

    def refresh(self) -> None:
        problems = self.problems()
        for key, message in self.messages.items():
            text = problems.get(key, "")
            message.value = f"<span style='color:#c62828'>{escape(text)}</span>" if text else ""
        self.resend.disabled = not self.ready()
        before, after = self._before(), self.corrected_body()
        lines = fixes.request_diff(before, after) if after is not None and after != before else []
        self.diff.value = _diff_html(lines)

    def _before(self):
        return self.result.raw_body if self.result.request is None else self.result.payload

    def changes(self) -> dict:
        """The form's edits as request-field changes (see fixes.apply_changes)."""
        kind = self.spec.kind
        if kind == "callback_url":
            if self.choice.value == "off":
                return {"delivery_report": "none", "callback_url": None}
            url = self.receiver if self.choice.value == "receiver" else self.inputs["callback_url"].value.strip()
            return {"callback_url": url}
        if kind in ("numbers", "other_number"):
            return {key: widget.value.strip() for key, widget in self.inputs.items()}
        if kind == "fields":
            return {key: fixes.field_value(key, widget.value) for key, widget in self.inputs.items()}
        return {}

    def corrected_body(self):
        """The request the form would send now: a JSON object, or raw text for the JSON editor."""
        if "json" in self.inputs:
            return self.inputs["json"].value
        payload = self.result.payload
        if not isinstance(payload, dict):
            return self.result.raw_body
        return fixes.apply_changes(payload, self.changes())

    def _on_resend(self, _button=None) -> None:
        if not self.ready() or not self._sending.acquire(blocking=False):
            return  # invalid, or another click is already sending
        self.sent = True  # a later click finds the form spent
        self.resend.disabled = True
        self.status.value = "<i>Sending…</i>"
        session = self.result.session
        if self.spec.kind in ("credentials", "plan"):
            values = {key: widget.value for key, widget in self.inputs.items()}
            if "api_token" in self.inputs:
                self.inputs["api_token"].value = ""  # the token must not stay in widget state
            session.use_credentials(values)
        body = self.corrected_body()
        if isinstance(body, str):  # the JSON editor's text, sent exactly as typed
            outcome = session.resend(self.result, raw_body=body)
        elif body == self.result.payload:
            outcome = session.resend(self.result)
        else:
            from .sinch.request import SmsRequest

            outcome = session.resend(self.result, request=SmsRequest.from_payload(body))
        self.status.value = "Sent once; the outcome is below."
        self.card.append(outcome)


def _diff_html(lines: list[str]) -> str:
    if not lines:
        return ""
    colors = {"+": "#e6ffec", "-": "#ffebe9"}
    body = "\n".join(f"<span style='background:{colors.get(line[:1], 'transparent')}'>{escape(line)}</span>"
                     for line in lines)
    return f"<div><b>Before → after</b></div><pre style='margin:2px 0;background:#f6f6f6;padding:4px'>{body}</pre>"


class SuccessCard(_Card):
    """A success, whose delivery status keeps updating until it is final."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-success-card")
        static = render.result_html(result)
        body = _html(static, "smsnb-summary")
        self.delivery = _html("", "smsnb-status")
        self._stop = threading.Event()
        self.statuses: dict[str, str] = {}
        parts = [body]
        if result.action != "dry_run" and result.batch_id:
            parts.append(self.delivery)
        self._show(parts + [self._copy_as_code(lambda: result.raw_body or result.payload)])
        if result.action != "dry_run" and result.batch_id and result.session is not None:
            self.delivery.value = "<i>Delivery status: waiting for the first report…</i>"
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
                self.delivery.value = f"<i>Delivery status unavailable: {escape(str(error))}</i>"
                if failures >= 3:
                    return
            else:
                if statuses is None:  # the sandbox that had the batch has stopped: no report can come
                    self.delivery.value = "<i>Delivery status: no longer watched; the sandbox stopped.</i>"
                    return
                self.statuses = statuses
                self.delivery.value = _status_html(self.statuses, self.final)
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


def _status_html(statuses: dict[str, str], final: bool) -> str:
    if not statuses:
        return "<i>Delivery status: no report yet…</i>"
    colors = {"Delivered": "#2e7d32", "Failed": "#c62828", "Rejected": "#c62828", "Expired": "#b3541e"}
    rows = "".join(f"<span style='margin-right:1em'><code>{escape(r)}</code> "
                   f"<b style='color:{colors.get(s, '#555')}'>{escape(s)}</b></span>"
                   for r, s in list(statuses.items())[:20])
    more = f" … and {len(statuses) - 20} more" if len(statuses) > 20 else ""
    return f"<div>Delivery status{' (final)' if final else ''}: {rows}{more}</div>"
