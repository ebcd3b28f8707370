"""The interactive card (ipywidgets 8): an outcome, a fix-it form, one-click resend.

Built from the same `Result`, catalog entry and renderers as the text and HTML cards; the form
logic itself is pure (`fixes`), so this module only wires widgets to it. Every part carries a
``smsnb-*`` CSS class so that a browser test can find it.
"""
from __future__ import annotations

import json
import threading
import time

import ipywidgets as w
from traitlets import validate

from ..knowledge import msisdn
from . import fixes, render
from .outcome import Message, Result
from .safe import Markup, escape, html, join, visible
from ..sinch.errors import retry_after_seconds
from ..sinch.paths import NOT_FOUND_REASONS, REGION_HOSTS
from ..knowledge.rules import FINAL_STATUSES

POLL_SECONDS = {"SANDBOX": 0.1, "LIVE": 2.0}
POLL_LIMIT_SECONDS = 600  # a delivery status that never turns final stops being polled
_FULL = w.Layout(width="100%")


def card_for(result: Result) -> w.VBox:
    return ErrorCard(result) if not result.ok else SuccessCard(result)


class SafeHTML(w.HTML):
    """An HTML widget that shows any value that is not Markup as text: escaping is its default."""

    @validate("value")
    def _escape_unless_markup(self, proposal):
        return str(escape(proposal["value"]))


def _html(value: str, css: str) -> SafeHTML:
    part = SafeHTML(value)
    part.add_class(css)
    return part


def _outcome_widget(outcome) -> w.Widget:
    """A resend's outcome: the next card of the chain, or a message (e.g. no credentials)."""
    if isinstance(outcome, Result):
        return card_for(outcome)
    text = outcome.text if isinstance(outcome, Message) else str(outcome)
    return _html(html("<div>{}</div>", visible(text, newlines=True, whole=None)), "smsnb-message")


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
                    self.problem.value = html("<div style='color:#c62828'>smsnb could not do that: {}</div>",
                                              visible(error, whole=None))
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
                  ("smsnb-location", render.location_html(result)),
                  ("smsnb-details", render.details_html(entry)), ("smsnb-request", render.request_html(result)),
                  ("smsnb-hints", render.hints_html(result.hints)),
                  ("smsnb-docs", render.docs_html(entry))]
        summary = join(html('<div class="{}">{}</div>', css, piece) for css, piece in pieces if piece)
        self.summary = _html(summary, "smsnb-summary")
        self.chain = w.VBox()
        self.chain.add_class("smsnb-chain")
        self.form = FixForm(result, self)
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


class FixForm(w.VBox):
    """The fix-it form of one error. It sends at most once: a later error gets its own form."""

    def __init__(self, result: Result, card: ErrorCard):
        self.result, self.card = result, card
        session = result.session
        default_region = (session.settings().default_country or None) if session else None
        # The wait the server asked for (seconds or a date), from its header whatever its case; clamped.
        retry_after = retry_after_seconds(fixes.header(result.error.headers, "Retry-After"))
        self.spec = fixes.form_for(result.error.key, result.error.text, result.payload,
                                   default_region=default_region, retry_after=retry_after)
        self.sent = False
        self._closed = threading.Event()  # set when the card closes: ends the countdown
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
        label_html = _html(html("<b>{}</b>", visible(label, whole=None)), "smsnb-label")
        return w.VBox([label_html, w.HBox([widget, message])])

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
            rows.append(_html(html("<div><code>{}</code> is a <b>{}</b> number: it cannot receive SMS.</div>",
                                   visible(fix.raw, whole=None), fix.reason), "smsnb-number-type"))
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
        steps = join(html("<li>{}</li>", s) for s in self.result.entry.steps)
        note = html("<div><b>No resend:</b> {}<ul>{}</ul></div>", self.spec.note, steps)
        return [_html(note, "smsnb-blocked")]

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
        return [_html(html("<div>{}</div>", note), "smsnb-reason")] + self._plan_and_region()

    def _build_countdown(self) -> list:
        self.countdown = _html("", "smsnb-countdown")
        self._asked = render.retry_after_text(self.result) or "no Retry-After header"
        self._ready_at = time.monotonic() + self.spec.retry_after  # clamped: the countdown always ends
        self._ticker = threading.Thread(target=self._tick, daemon=True, name="smsnb-countdown")
        self._ticker.start()
        return [self.countdown]

    def _tick(self) -> None:
        while not self.sent and not self._closed.is_set():
            left = self._ready_at - time.monotonic()
            if left <= 0:
                self.countdown.value = "You can retry now."
                self.refresh()
                return
            self.countdown.value = f"Sinch asked to wait ({self._asked}): you can retry in {left:.0f} s."
            self._closed.wait(min(0.2, left))

    def close(self) -> None:
        self._closed.set()
        super().close()

    def _build_retry(self) -> list:
        note = Markup("<div>Nothing reached Sinch, or Sinch did not process it: sending again is safe.</div>")
        return [_html(note, "smsnb-retry-note")]

    def _build_look_first(self) -> list:
        """The SMS may have been sent: list the matching batches first; Resend only after that."""
        self.look = w.Button(description="Look first", icon="search", button_style="info",
                             tooltip="List the batches Sinch has that match this request")
        self.look.add_class("smsnb-look")
        self.look.on_click(self.card._guarded(self._look))
        self.matches = _html("", "smsnb-matches")
        self.nothing_found = False  # a look found no matching batch
        self.confirm = w.Checkbox(value=False, description="I have looked and it is not there, or I accept a "
                                                           "duplicate", indent=False, layout=_FULL)
        self.confirm.add_class("smsnb-confirm")
        self.confirm.observe(self.card._guarded(lambda change: self.refresh()), "value")
        note = html("<div><b>{}</b> Look first: list the batches that match this request, and resend only "
                    "if it is not there.</div>", self.spec.note)
        return [_html(note, "smsnb-confirm-note"), self.look, self.matches, self.confirm]

    def _look(self, _button=None) -> None:
        self.matches.value = Markup("<i>Looking…</i>")
        try:
            found = list(self.result.session.find_batches(self.result))
        except Exception as error:  # e.g. still unreachable: say so; the person decides with the box
            self.nothing_found = False
            self.matches.value = html("<div>Could not list the batches: {}</div>", visible(error, whole=None))
        else:
            self.nothing_found = not found
            self.matches.value = _matches_html(found)
        self.refresh()

    # --- validation, the corrected request, sending ------------------------------------------

    def problems(self) -> dict[str, str]:
        """Field -> what is wrong with it, for the fields that are in play."""
        found = {}
        for key, widget in self.inputs.items():
            if self.spec.kind == "callback_url" and key == "callback_url" and self.choice.value != "url":
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
        if self.spec.kind == "look_first":
            return self.confirm.value or self.nothing_found
        return not self.problems()

    def refresh(self) -> None:
        problems = self.problems()
        for key, message in self.messages.items():
            text = problems.get(key, "")
            shown = visible(text, whole=None)
            message.value = html("<span style='color:#c62828'>{}</span>", shown) if text else ""
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
        self.status.value = Markup("<i>Sending…</i>")
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
            from ..sinch.request import SmsRequest

            outcome = session.resend(self.result, request=SmsRequest.from_payload(body))
        self.status.value = "Sent once; the outcome is below."
        self.card.append(outcome)


def _diff_html(lines: list[str]) -> Markup:
    if not lines:
        return Markup()
    colors = {"+": "#e6ffec", "-": "#ffebe9"}
    body = join((html("<span style='background:{}'>{}</span>", colors.get(line[:1], "transparent"),
                      visible(line, whole="the whole request is in the form")) for line in lines), "\n")
    return html("<div><b>Before → after</b></div>"
                "<pre style='margin:2px 0;background:#f6f6f6;padding:4px'>{}</pre>", body)


MAX_MATCHES = 20  # matching batches listed by "Look first"


def _listed(value) -> str:
    """A value of a batch, fit to show; a list as its items, comma-separated."""
    items = value if isinstance(value, list) else [value]
    return ", ".join(visible(x, whole=None) for x in items)


def _matches_html(batches: list) -> Markup:
    """The batches that match the request: id, when it was created, and to whom."""
    if not batches:
        return Markup("<div>No batch matches this request: it was most likely not sent. "
                      "Resend is enabled.</div>")
    rows = join(html("<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", _listed(b.get("id")),
                     _listed(b.get("created_at")), _listed(b.get("to")))
                for b in (b if isinstance(b, dict) else {"id": b} for b in batches[:MAX_MATCHES]))
    more = len(batches) - MAX_MATCHES
    return html("<div><b>{} matching batch(es): the SMS was most likely sent.</b> Resend only to send it "
                "again (tick the box).</div><table><tr><th>id</th><th>created_at</th><th>to</th></tr>{}"
                "</table>{}", len(batches), rows, html("<div>… and {} more</div>", more) if more > 0 else "")


class SuccessCard(_Card):
    """A success, whose delivery status keeps updating until it is final."""

    def __init__(self, result: Result):
        super().__init__(result, "smsnb-success-card")
        static = render.result_html(result)
        body = _html(static, "smsnb-summary")
        # The polling code below writes literal HTML and _status_html into it: a plain HTML widget.
        self.delivery = w.HTML("")
        self.delivery.add_class("smsnb-status")
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
    """Each recipient's delivery status, as finished HTML."""
    if not statuses:
        return "<i>Delivery status: no report yet…</i>"
    colors = {"Delivered": "#2e7d32", "Failed": "#c62828", "Rejected": "#c62828", "Expired": "#b3541e"}
    rows = join(html("<span style='margin-right:1em'><code>{}</code> <b style='color:{}'>{}</b></span>",
                     visible(r, whole=None), colors.get(s, "#555"), visible(s, whole=None))
                for r, s in list(statuses.items())[:20])
    more = f" … and {len(statuses) - 20} more" if len(statuses) > 20 else ""
    return str(html("<div>Delivery status{}: {}{}</div>", " (final)" if final else "", rows, more))
