"""The fix-it forms of a delivery failure, as data: one per failing group of a delivery report.

Pure, like `forms`: a group (status, code, recipients) and the batch's request give a `forms.Form`
that says what it asks, what is wrong with the answers and what it changes. Each resend goes to
the recipients that failed in its group, as they were written in the request, and the form says
so. The codes a field fixes have their own form: 405 a value for each ``${name}`` without one,
411 a higher parts limit or truncation, 410 a sender, 406 a later expiry; any other code whose
resend can help (404, 403, ...) sends the same request again; the others offer no resend.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..knowledge import encoding
from ..knowledge.msisdn import digits, written_by_digits
from ..knowledge.parameters import PARAMETER, personalize
from ..knowledge.rules import parse_time
from .forms import EditJson, Field, Form, Input, Note, Part
from .report import MAX_RECIPIENTS_SHOWN, Group
from .safe import html, visible
from .words import plural

MAX_ALPHANUMERIC_SENDER = 11
PARTS = "max_number_of_message_parts"
EXPIRY_WINDOW = timedelta(days=3)  # expire_at is at most 3 days after send_at (or now)


# --- who a resend goes to -----------------------------------------------------------------------

def failing_recipients(group: Group, payload: dict) -> tuple[tuple[str, ...], bool]:
    """The recipients of ``group`` as the request wrote them (a reported number the request does
    not hold, e.g. a group member, as +digits), and whether the report named them: when it did
    not, the resend goes to every recipient of the batch."""
    to = [str(n) for n in payload.get("to")] if isinstance(payload.get("to"), list) else []
    if not group.recipients:
        return tuple(to), False
    written = written_by_digits(to)
    chosen = (written.get(digits(r)) or f"+{digits(r)}" for r in group.recipients if digits(r))
    return tuple(dict.fromkeys(chosen)), True


def _shown(numbers: tuple[str, ...]) -> str:
    listed = ", ".join(visible(n, whole=None) for n in numbers[:MAX_RECIPIENTS_SHOWN])
    more = len(numbers) - MAX_RECIPIENTS_SHOWN
    return listed + (f" and {more} more" if more > 0 else "")


# --- parameters (405) ---------------------------------------------------------------------------

def unmatched_parameters(body, parameters, recipients: tuple[str, ...]) -> tuple[str, ...]:
    """The ``${name}``s of ``body`` that ``parameters`` has but without a value (and no default) for
    one of ``recipients``. (A name ``parameters`` lacks is sent as written: it causes no 405.)"""
    if not isinstance(body, str):
        return ()
    missing = {name: None for r in recipients for name in personalize(body, parameters, digits(r))[1]}
    return tuple(name for name in dict.fromkeys(PARAMETER.findall(body)) if name in missing)


def substituted(body: str, parameters, recipient: str) -> str:
    """``body`` as ``recipient`` gets it: each ``${name}`` with a value replaced by it."""
    return personalize(body, parameters, digits(recipient))[0]


# --- the forms ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Failed(Form):
    """A delivery failure's form: the request again, to the recipients that failed (``to``)."""

    label: str = ""  # "Aborted 405": the group it resends
    to: tuple[str, ...] = ()
    named: bool = True  # False: the report named no one, so it goes to the whole batch

    def asks(self) -> tuple[Part, ...]:
        return (self._who(),) + self.fields()

    def fields(self) -> tuple[Part, ...]:
        return ()

    def _who(self) -> Note:
        if not self.named:
            said = html("<div><b>Resend</b> goes to all {} of the batch ({}): the report does not name the "
                        "ones that failed.</div>", plural(len(self.to), "recipient"), _shown(self.to))
        else:
            said = html("<div><b>Resend</b> goes only to the {} that failed with {}: {}.</div>",
                        plural(len(self.to), "recipient"), self.label, _shown(self.to))
        return Note("smsnb-resend-to", said)

    def edits(self, values: dict[str, Any]) -> dict:
        return {"to": list(self.to), **self.changes(values)}

    def changes(self, values: dict[str, Any]) -> dict:
        """What the form changes besides the recipients."""
        return {}


@dataclass(frozen=True)
class NoResend(Failed):
    """Sending again cannot help: only what to do (the explanation above lists it)."""

    offers_resend = False

    def asks(self) -> tuple[Part, ...]:
        return (Note("smsnb-no-resend", html("<div><b>No resend:</b> sending the same message again would "
                                             "likely fail the same way. See what to do above.</div>")),)

    def ready(self, values, *, waited=False, nothing_found=False) -> bool:
        return False

    def corrected(self, values, payload, raw_body):
        return payload if isinstance(payload, dict) else raw_body  # nothing changes: no before/after


@dataclass(frozen=True)
class Again(Failed):
    """A temporary failure (404) or one at Sinch (403): the same request again."""

    def fields(self) -> tuple[Part, ...]:
        return (Note("smsnb-again", html("<div>Nothing in the request caused it: the same request again "
                                         "can deliver it.</div>")),)


@dataclass(frozen=True)
class Parameters(Failed):
    """405: a value for each ``${name}`` without one, as its default or for each failing recipient."""

    names: tuple[str, ...] = ()
    parameters: dict = field(default_factory=dict)

    def fields(self) -> tuple[Part, ...]:
        failed = "the recipient" if len(self.to) == 1 else f"each of the {len(self.to)} recipients"
        how = Field("as", Input.DROPDOWN, "Give the value", "default", steers=True, options=(
            ("As the parameter's default: for every recipient without a value", "default"),
            (f"To {failed} that failed", "each")))
        values = (Field(f"parameter-{i}", Input.TEXT, f"Value of ${{{name}}}", placeholder="a value")
                  for i, name in enumerate(self.names))
        return (how, *values)

    def problems(self, values) -> dict[str, str]:
        return {f"parameter-{i}": f"Enter a value for ${{{name}}}." for i, name in enumerate(self.names)
                if not str(values[f"parameter-{i}"]).strip()}

    def changes(self, values) -> dict:
        parameters = json.loads(json.dumps(self.parameters)) if isinstance(self.parameters, dict) else {}
        for i, name in enumerate(self.names):
            entry = parameters.get(name) if isinstance(parameters.get(name), dict) else {}
            value = values[f"parameter-{i}"]
            each = {f"+{digits(number)}": value for number in self.to}
            entry.update({"default": value} if values["as"] == "default" else each)
            parameters[name] = entry
        return {"parameters": parameters}


def _whole(value) -> int | None:
    """A whole number typed (up to six digits), or None."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


@dataclass(frozen=True)
class PartsLimit(Failed):
    """411: the parts the body needs, and a higher ``max_number_of_message_parts`` or truncation."""

    parts: int = 1
    encoded: str = "text"  # as Sinch names it: "text" (GSM-7) or "unicode" (UCS-2)
    limit: object = None  # the request's max_number_of_message_parts, as it was

    def fields(self) -> tuple[Part, ...]:
        coding = "GSM-7" if self.encoded == "text" else "UCS-2"
        limit = visible(self.limit, whole=None)
        needs = html("<div>The body needs <b>{}</b> ({}); max_number_of_message_parts is <b>{}</b>.</div>",
                     plural(self.parts, "part"), coding, limit)
        fits = plural(self.limit, "part") if type(self.limit) is int else f"{limit} parts"
        fix = Field("fix", Input.DROPDOWN, "What to do", "raise", steers=True, options=(
            (f"Allow {plural(self.parts, 'part')} or more (max_number_of_message_parts)", "raise"),
            (f"Cut the body to fit {fits} (truncate_concat)", "truncate")))
        allowed = Field(PARTS, Input.TEXT, "Most parts a message may take (a whole number)", str(self.parts),
                        width="30em")
        return (Note("smsnb-parts", needs), fix, allowed)

    def disabled(self, values) -> set[str]:
        return {PARTS} if values["fix"] == "truncate" else set()

    def problems(self, values) -> dict[str, str]:
        if self.disabled(values):
            return {}
        wanted = _whole(values[PARTS])
        if wanted is None:
            return {PARTS: f"A whole number, e.g. {self.parts}."}
        if wanted < self.parts:
            return {PARTS: f"The body needs {self.parts} parts: at least {self.parts}."}
        return {}

    def changes(self, values) -> dict:
        if values["fix"] == "truncate":
            return {"truncate_concat": True}
        wanted = _whole(values[PARTS])
        return {PARTS: wanted if wanted is not None else str(values[PARTS]).strip()}  # shown, never sent


@dataclass(frozen=True)
class Sender(Failed):
    """410: no ``from`` and no default originator: a sender."""


    def fields(self) -> tuple[Part, ...]:
        return (Field("from", Input.TEXT, f"Sender (from): a number, short code or name of at most "
                                          f"{MAX_ALPHANUMERIC_SENDER} characters",
                      placeholder="+46701234567 or MyShop"),)

    def problems(self, values) -> dict[str, str]:
        sender = str(values["from"]).strip()
        if not sender:
            return {"from": "Enter a sender."}
        if not sender.lstrip("+").isdigit() and len(sender) > MAX_ALPHANUMERIC_SENDER:
            return {"from": f"A name has at most {MAX_ALPHANUMERIC_SENDER} characters ({len(sender)} now)."}
        return {}

    def changes(self, values) -> dict:
        return {"from": str(values["from"]).strip()}


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Expiry(Failed):
    """406: it expired before dispatch: a later ``expire_at``, or none (Sinch's default, 3 days).
    A ``send_at`` that has passed is dropped: the resend goes now."""

    now: datetime | None = None  # when the form was made: an expiry must be after it
    send_at: datetime | None = None

    @property
    def passed(self) -> bool:
        return self.send_at is not None and self.send_at <= self.now

    @property
    def start(self) -> datetime:
        """When the resend goes: its send_at if still ahead, else now."""
        return self.now if self.send_at is None or self.passed else self.send_at

    def fields(self) -> tuple[Part, ...]:
        choice = Field("expiry", Input.DROPDOWN, "Expiry", "later", steers=True, options=(
            ("A later expiry (expire_at)", "later"), ("No expire_at: Sinch's default, 3 days", "none")))
        label = "Expire at (ISO-8601 with a zone, at most 3 days after send_at or now)"
        suggested = iso(self.start + timedelta(days=1))
        parts: tuple[Part, ...] = (choice, Field("expire_at", Input.TEXT, label, suggested))
        if self.passed:
            said = html("<div>send_at ({}) has passed: the resend goes now, without it.</div>",
                        iso(self.send_at))
            parts = (Note("smsnb-send-at", said),) + parts
        return parts

    def disabled(self, values) -> set[str]:
        return {"expire_at"} if values["expiry"] == "none" else set()

    def problems(self, values) -> dict[str, str]:
        if self.disabled(values):
            return {}
        moment = parse_time(str(values["expire_at"]).strip())
        since = "now" if self.start is self.now else "send_at"
        if moment is None:
            return {"expire_at": "An ISO-8601 time with a zone, e.g. 2030-01-01T09:00:00Z."}
        if moment <= self.start:
            return {"expire_at": f"Already past: choose a time after {since}, {iso(self.start)}."}
        if moment > self.start + EXPIRY_WINDOW:
            latest = iso(self.start + EXPIRY_WINDOW)
            return {"expire_at": f"At most 3 days after {since}: {latest} at the latest."}
        return {}

    def changes(self, values) -> dict:
        later = values["expiry"] == "later"
        return {"expire_at": str(values["expire_at"]).strip() if later else None,
                **({"send_at": None} if self.passed else {})}


@dataclass(frozen=True)
class FailedJson(Failed):
    """A fix smsnb cannot narrow down (a 405 whose ${name} it cannot find): the corrected request as
    JSON, its recipients already the ones that failed."""

    text: str = ""

    def fields(self) -> tuple[Part, ...]:
        return EditJson(self.text).asks()

    def problems(self, values) -> dict[str, str]:
        return EditJson(self.text).problems(values)

    def corrected(self, values, payload, raw_body):
        return values["json"]


# --- which form ---------------------------------------------------------------------------------

def _parameters(base: dict, group: Group, payload: dict, now: datetime) -> Form:
    names = unmatched_parameters(payload.get("body"), payload.get("parameters"), base["to"])
    if not names:  # Sinch's 405 names no parameter: edit the request itself
        to_failing = {**payload, "to": list(base["to"])}
        return FailedJson(**base, text=json.dumps(to_failing, indent=2, ensure_ascii=False))
    parameters = payload.get("parameters")
    return Parameters(**base, names=names, parameters=parameters if isinstance(parameters, dict) else {})


def _parts(base: dict, group: Group, payload: dict, now: datetime) -> Form:
    body = payload.get("body")
    if not isinstance(body, str):
        return Again(**base)
    bodies = [substituted(body, payload.get("parameters"), r) for r in base["to"]] or [body]
    encoded = max((encoding.encode(b) for b in bodies), key=lambda e: e.parts)
    return PartsLimit(**base, parts=encoded.parts, encoded=encoded.encoding,
                      limit=payload.get("max_number_of_message_parts"))


def _expiry(base: dict, group: Group, payload: dict, now: datetime) -> Form:
    send_at = payload.get("send_at")
    return Expiry(**base, now=now, send_at=parse_time(send_at) if isinstance(send_at, str) else None)


def _sender(base: dict, group: Group, payload: dict, now: datetime) -> Form:
    return Sender(**base)


_BY_CODE = {405: _parameters, 406: _expiry, 410: _sender, 411: _parts}


def form_for_group(group: Group, payload, now: datetime) -> Form:
    """The form of a failing group, for the batch's request ``payload``; ``now`` is aware (UTC)."""
    entry = group.entry
    if not isinstance(payload, dict) or not entry.resend_helps:
        return NoResend(label=_label(group))
    to, named = failing_recipients(group, payload)
    base = {"label": _label(group), "to": to, "named": named}
    if not to:
        return NoResend(**base)
    build = _BY_CODE.get(group.code) if getattr(entry, "sinch_code", False) else None
    return build(base, group, payload, now) if build else Again(**base)


def _label(group: Group) -> str:
    return visible(group.status, whole=None) + (f" {group.code}" if group.code is not None else "")

