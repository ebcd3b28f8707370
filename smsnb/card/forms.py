"""The fix-it forms, as data: what each asks, what is wrong with the answers, what it changes.

Pure: no widgets, no session. `form_for` builds the form the error's catalog entry names
(`Entry.form`) from the error's text, the request and a `Context`. A form lists the parts it asks
for (`asks`); given the values typed into them it says what is wrong (`problems`) and which of it
to show yet (`messages`: after the first edit, not before), which fields a choice made irrelevant
(`disabled`), what it changes in the request (`edits`, `corrected`, `finished`), which
credentials it gives the session (`credentials`) and whether it may resend now (`ready`). The
widget (`fix_form`) only draws the parts and wires their events.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import Any, ClassVar

import phonenumbers

from ..knowledge import catalog, msisdn
from ..knowledge.catalog import FormKind
from ..sinch.paths import NOT_FOUND_REASONS, REGION_HOSTS
from .recipients import NumberFix, example_mobile, illegal_numbers, number_fixes
from .request_fields import (
    FieldFix,
    apply_changes,
    differs,
    field_value,
    json_problem,
    json_value,
    named_fields,
    plain_name,
    validate,
)
from .retry import retry_wait
from .safe import Markup, html, join, visible
from .words import plural

# --- the parts a form asks for ------------------------------------------------------------------


class Input(Enum):
    """How a field is filled in."""

    TEXT = "one line"
    MULTILINE = "several lines"
    PASSWORD = "one line, never kept"  # the widget empties it once read
    DROPDOWN = "one of a list"  # a native <select>: the arrow keys move the choice
    CHECKBOX = "yes or no"


@dataclass(frozen=True)
class Field:
    """Something typed or chosen, named by its ``label``: plain words, its accessible name, shown
    beside it. A field (CSS class smsnb-field-<key>) shows below it what is wrong with its value; a
    control that ``steers`` the form, such as a choice or a tick box (CSS class smsnb-<key>), does
    not."""

    key: str  # a request field, "to[i]", "json", a setting, or a control's name
    input: Input = Input.TEXT
    label: str = ""
    value: str | bool = ""  # prefilled
    placeholder: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (shown, value), for DROPDOWN
    steers: bool = False
    width: str = ""  # CSS, of the row with its label, e.g. "30em"; "" for the form's
    height: str = ""


@dataclass(frozen=True)
class Note:
    """Fixed HTML, e.g. why a number cannot take SMS."""

    css: str
    markup: Markup


@dataclass(frozen=True)
class Wait:
    """A line that counts down to when the server lets a retry go."""

    seconds: float  # clamped: the countdown always ends
    asked: str  # what the server asked, e.g. "Retry after: 2 s"

    def line(self, left: float) -> str:
        if left <= 0:
            return "You can retry now."
        return f"Sinch asked to wait ({self.asked}): you can retry in {left:.0f} s."


@dataclass(frozen=True)
class Look:
    """A button that lists the batches matching the request, and the place they are listed."""

    label: str = "Look first"
    tooltip: str = "List the batches Sinch has that match this request"


Part = Field | Note | Wait | Look


@dataclass(frozen=True)
class Context:
    """What a form shows beyond the error and the request: from the answer and the session."""

    raw_body: str | None = None  # the request's exact text, when it was written as JSON
    default_region: str | None = None  # the default country numbers are read in, for suggestions
    retry_after: float | None = None  # the wait the server asked for, in seconds
    asked: str = "no Retry-After header"  # that wait as the card says it
    reason: str | None = None  # for a 404: a key of NOT_FOUND_REASONS
    receiver: str | None = None  # the sandbox's callback receiver, when it can take reports
    service_plan_id: str = ""  # the settings in use, prefilled
    region: str = ""


def _found(problems: dict[str, str | None]) -> dict[str, str]:
    return {key: problem for key, problem in problems.items() if problem}


def not_sent(problems: int) -> str:
    """The status line of a Resend (or Enter) that the form held back."""
    if not problems:
        return "Not sent: Resend is not available yet."
    return f"Not sent: {plural(problems, 'field')} to correct first, marked ⚠."


def _shown(raw, cap: int = 40) -> str:
    """A value the person wrote, fit for a label: control characters escaped, cut when long."""
    return visible(raw, cap=cap, whole=None)


# --- the forms ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """A form: by default it asks nothing and resends the request as it is."""

    resends_as_is: ClassVar[bool] = False  # True: nothing is typed, the same request goes again
    offers_resend: ClassVar[bool] = True

    @classmethod
    def build(cls, entry: catalog.Entry, text: str | None, payload: dict | None, context: Context) -> Form:
        """The form for an error of ``entry`` with Sinch's ``text``, for this request."""
        return cls()

    def asks(self) -> tuple[Part, ...]:
        return ()

    def problems(self, values: dict[str, Any]) -> dict[str, str]:
        """Field key -> what is wrong with its value, for the fields that are in play (never a
        disabled one)."""
        return {}

    def disabled(self, values: dict[str, Any]) -> set[str]:
        """The fields that a choice made irrelevant: shown disabled, never checked, never sent."""
        return set()

    def messages(self, values: dict[str, Any], initial: dict[str, Any], touched=frozenset(),
                 tried: bool = False) -> dict[str, str]:
        """The problems to show now: a field's once it was edited (``touched``), held a value from
        the start (the request's own, which Sinch judged), or the person ``tried`` to send."""
        off = self.disabled(values)
        return {key: problem for key, problem in self.problems(values).items() if key not in off
                and (tried or key in touched or initial.get(key) not in (None, "", False))}

    def shows_diff(self, values: dict[str, Any], initial: dict[str, Any]) -> bool:
        """Whether the before/after shows yet: once something was changed, or from the start when
        the prefilled values already make a fix (a suggested number)."""
        return values != initial or not self.problems(values)

    def edits(self, values: dict[str, Any]) -> dict:
        """The values as request-field changes (see `request_fields.apply_changes`)."""
        return {}

    def corrected(self, values: dict[str, Any], payload, raw_body: str | None):
        """The request the form would send now: a JSON object, or raw text (sent as it is)."""
        if not isinstance(payload, dict):
            return raw_body
        return apply_changes(payload, self.edits(values))

    def finished(self, values: dict[str, Any], payload, raw_body: str | None, before):
        """The corrected request when the form is complete (nothing wrong) and it changes the
        request ``before``; else None. What copy-as-code may honestly show as the fix."""
        if self.problems(values):
            return None
        after = self.corrected(values, payload, raw_body)
        return after if differs(before, after) else None

    def credentials(self, values: dict[str, Any]) -> dict[str, str]:
        """Settings the session uses from now on (see `SmsSession.use_credentials`)."""
        return {}

    def follow(self, key: str, old, new, values: dict[str, Any]) -> dict[str, Any]:
        """Values that change when field ``key`` changes from ``old`` to ``new``."""
        return {}

    def ready(self, values: dict[str, Any], *, waited: bool = False, nothing_found: bool = False) -> bool:
        """Whether Resend may go: ``waited`` says a countdown is over, ``nothing_found`` that a
        look found no matching batch."""
        return not self.problems(values)


@dataclass(frozen=True)
class EditJson(Form):
    """The whole request as JSON text, checked as it is typed and sent exactly as typed."""

    text: str = ""

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        raw = context.raw_body
        return cls(raw if raw is not None else json.dumps(payload, indent=2, ensure_ascii=False))

    def asks(self) -> tuple[Part, ...]:
        return (Field("json", Input.MULTILINE, "The request as JSON", self.text, height="10em"),)

    def problems(self, values) -> dict[str, str]:
        return _found({"json": json_problem(values["json"])})

    def corrected(self, values, payload, raw_body):
        return values["json"]


@dataclass(frozen=True)
class CallbackUrl(Form):
    """Where delivery reports go: a typed URL, the sandbox's receiver, or no reports at all."""

    receiver: str | None = None

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        return cls(context.receiver)

    def asks(self) -> tuple[Part, ...]:
        options = [("Use the callback URL below", "url")]
        if self.receiver:
            options.append(("Use the sandbox's callback receiver", "receiver"))
        options.append(("Turn delivery reports off", "off"))
        return (Field("choice", Input.DROPDOWN, "What to do", "url", options=tuple(options), steers=True),
                Field("callback_url", Input.TEXT, "Callback URL",
                      placeholder="https://example.com/delivery-reports"))

    def disabled(self, values) -> set[str]:
        return set() if values["choice"] == "url" else {"callback_url"}  # the typed URL is not used

    def problems(self, values) -> dict[str, str]:
        if self.disabled(values):
            return {}
        return _found({"callback_url": validate("callback_url", values["callback_url"])})

    def edits(self, values) -> dict:
        if values["choice"] == "off":
            return {"delivery_report": "none", "callback_url": None}
        if values["choice"] == "receiver":
            return {"callback_url": self.receiver}
        return {"callback_url": values["callback_url"].strip()}


def _to(fix: NumberFix) -> str:
    return f"to[{fix.index}]"


def _recipient(fix: NumberFix) -> str:
    """"Recipient 1": as a person counts them."""
    return f"Recipient {fix.index + 1}"


@dataclass(frozen=True)
class _Recipients(Form):
    """A form with one field per recipient to replace."""

    numbers: tuple[NumberFix, ...] = ()

    def problems(self, values) -> dict[str, str]:
        return _found({_to(fix): validate("number", values[_to(fix)]) for fix in self.numbers})

    def edits(self, values) -> dict:
        return {_to(fix): values[_to(fix)].strip() for fix in self.numbers}


@dataclass(frozen=True)
class Numbers(_Recipients):
    """Numbers not in international form, each prefilled with its E.164 form where one can be made,
    read in a default country the person can change."""

    country: str = ""

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        numbers = number_fixes(payload, context.default_region)
        if not numbers:  # Sinch named another field
            return Fields.build(entry, text, payload, context)
        return cls(numbers, (context.default_region or "").upper())

    def asks(self) -> tuple[Part, ...]:
        options = country_options()
        known = {region for _, region in options}
        country = Field("country", Input.DROPDOWN, "Default country", self.country if self.country in known
                        else "", options=options, steers=True)
        fields = (Field(_to(fix), Input.TEXT, f"{_recipient(fix)} ({_shown(fix.raw)}, {fix.reason})",
                        fix.suggestion, placeholder=example_mobile(fix.suggestion or fix.raw))
                  for fix in self.numbers)
        return (country, *fields)

    def follow(self, key, old, new, values) -> dict[str, Any]:
        """Another default country suggests again, where the person has not typed over a suggestion."""
        if key != "country":
            return {}
        suggested = {}
        for fix in self.numbers:
            if values[_to(fix)] in ("", msisdn.suggest_e164(fix.raw, old or None) or ""):
                suggested[_to(fix)] = msisdn.suggest_e164(fix.raw, new or None) or ""
        return suggested


@lru_cache(maxsize=1)  # the same ~250 names for every form: named and sorted once
def country_options() -> tuple[tuple[str, str], ...]:
    """The default countries to choose from: "Sweden (+46)" for "SE", by name; none first."""
    named = ((f"{msisdn.region_name(region)} (+{phonenumbers.country_code_for_region(region)})", region)
             for region in phonenumbers.SUPPORTED_REGIONS)
    return (("No default country", ""),) + tuple(sorted(named, key=lambda option: _sort_key(option[0])))


def _sort_key(name: str) -> str:
    """"Åland Islands" among the A's."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def says_type(text: str | None, fix: NumberFix) -> bool:
    """Whether Sinch's ``text`` already says what type of number ``fix.raw`` is."""
    kind = msisdn.parse(fix.raw).number_type
    said = (text or "").replace("-", " ").lower()
    return bool(kind) and fix.raw in (text or "") and kind.lower() in said


@dataclass(frozen=True)
class OtherNumber(_Recipients):
    """Numbers of a type that cannot take SMS (a fixed line, ...): another number for each. Its
    type is said once: by Sinch's text when it says it, else in the field's label."""

    said: frozenset[int] = frozenset()  # the indexes of the numbers whose type Sinch's text says

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        numbers = illegal_numbers(payload)
        return cls(numbers, frozenset(fix.index for fix in numbers if says_type(text, fix)))

    def asks(self) -> tuple[Part, ...]:
        return tuple(Field(_to(fix), Input.TEXT, self._label(fix), placeholder=example_mobile(fix.raw))
                     for fix in self.numbers)

    def _label(self, fix: NumberFix) -> str:
        """"Recipient 1: a mobile number instead of +46812345678", with the type unless Sinch said it."""
        label = f"{_recipient(fix)}: a mobile number instead of {_shown(fix.raw)}"
        return label if fix.index in self.said else f"{label} ({fix.reason})"


@dataclass(frozen=True)
class Fields(Form):
    """The fields Sinch's text names, prefilled, each with what it may hold. A field whose value is
    not text (a number, true or false, an object) is shown and typed as JSON and sent as the value
    typed: 2 goes as the number 2, never as the text "2" that Sinch would refuse again."""

    fields: tuple[FieldFix, ...] = ()
    as_json: frozenset[str] = frozenset()  # the fields typed as JSON

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        fields = named_fields(text, payload)
        if not fields:
            return EditJson.build(entry, text, payload, context)
        typed = frozenset(fix.name for fix in fields if fix.name != "to" and payload.get(fix.name) is not None
                          and not isinstance(payload.get(fix.name), str))
        return cls(tuple(replace(fix, value=json.dumps(payload[fix.name], ensure_ascii=False))
                         if fix.name in typed else fix for fix in fields), typed)

    def asks(self) -> tuple[Part, ...]:
        return tuple(Field(fix.name, Input.MULTILINE if fix.name in ("to", "body") else Input.TEXT,
                           self._label(fix), fix.value) for fix in self.fields)

    def _label(self, fix: FieldFix) -> str:
        said = "as JSON, e.g. 2, true or {...}" if fix.name in self.as_json else fix.limit
        return f"{plain_name(fix.name)} ({said})" if said else plain_name(fix.name)

    def problems(self, values) -> dict[str, str]:
        return _found({fix.name: _typed_json(values[fix.name])[1] if fix.name in self.as_json
                       else validate(fix.name, values[fix.name]) for fix in self.fields})

    def edits(self, values) -> dict:
        edits = {}
        for fix in self.fields:
            value, problem = _typed_json(values[fix.name]) if fix.name in self.as_json else (None, "text")
            edits[fix.name] = value if problem is None else field_value(fix.name, values[fix.name])
        return edits


def _typed_json(text: str) -> tuple[Any, str | None]:
    """A field typed as JSON: its value, or what is wrong with it, said as a form says it."""
    value, problem = json_value(text)
    return value, None if problem is None else f"Not JSON ({problem}). Write e.g. 2, true or {{...}}."


@dataclass(frozen=True)
class Blocked(Form):
    """No resend: what can lift the block."""

    steps: tuple[str, ...] = ()
    note: str = "Resending cannot help until the block is lifted."
    resends_as_is = True
    offers_resend = False

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        return cls(entry.steps)

    def asks(self) -> tuple[Part, ...]:
        steps = join(html("<li>{}</li>", step) for step in self.steps)
        return (Note("smsnb-blocked", html("<div><b>No resend:</b> {}<ul>{}</ul></div>", self.note, steps)),)

    def ready(self, values, *, waited=False, nothing_found=False) -> bool:
        return False


@dataclass(frozen=True)
class _Account(Form):
    """A form that asks for the service plan id and the region, prefilled with the settings."""

    service_plan_id: str = ""
    region: str = ""
    keys: ClassVar[tuple[str, ...]] = ("service_plan_id", "region")
    missing: ClassVar[dict[str, str]] = {"api_token": "Enter the API token.",
                                         "service_plan_id": "Enter the service plan ID.",
                                         "region": "Choose a region."}

    def _plan_and_region(self) -> tuple[Part, ...]:
        return (Field("service_plan_id", Input.TEXT, "Service plan ID", self.service_plan_id,
                      placeholder="the ID of your service plan"),
                Field("region", Input.DROPDOWN, "Region", self.region,
                      options=tuple((region, region) for region in REGION_HOSTS)))

    def problems(self, values) -> dict[str, str]:
        return {key: self.missing[key] for key in self.keys if not values[key]}

    def credentials(self, values) -> dict[str, str]:
        return {key: values[key] for key in self.keys}


@dataclass(frozen=True)
class Credentials(_Account):
    """A new API token with the service plan and region it belongs to; kept in memory only."""

    keys: ClassVar[tuple[str, ...]] = ("api_token", "service_plan_id", "region")

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        return cls(context.service_plan_id, context.region)

    def asks(self) -> tuple[Part, ...]:
        token = Field("api_token", Input.PASSWORD, "API token", placeholder="API token (kept in memory only)")
        return (token,) + self._plan_and_region()


@dataclass(frozen=True)
class Plan(_Account):
    """A 404: the most likely reason, and the service plan id and region to check."""

    reason: str | None = None

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        return cls(context.service_plan_id, context.region, context.reason)

    def asks(self) -> tuple[Part, ...]:
        why = NOT_FOUND_REASONS.get(self.reason, "Check the service plan id and region.")
        return (Note("smsnb-reason", html("<div>{}</div>", why)),) + self._plan_and_region()


@dataclass(frozen=True)
class Countdown(Form):
    """Too many requests: Resend comes back once the wait the server asked for is over."""

    retry_after: float = 0.0  # seconds, clamped to the hour
    asked: str = ""
    resends_as_is = True

    @classmethod
    def build(cls, entry, text, payload, context) -> Form:
        return cls(retry_wait(context.retry_after), context.asked)

    def asks(self) -> tuple[Part, ...]:
        return (Wait(self.retry_after, self.asked),)

    def ready(self, values, *, waited=False, nothing_found=False) -> bool:
        return waited


@dataclass(frozen=True)
class Retry(Form):
    """Nothing was processed: the same request again."""

    resends_as_is = True

    def asks(self) -> tuple[Part, ...]:
        return (Note("smsnb-retry-note", Markup("<div>Nothing reached Sinch, or Sinch did not process it: "
                                                "sending again is safe.</div>")),)


@dataclass(frozen=True)
class LookFirst(Form):
    """The SMS may have been sent: list the matching batches first; Resend only after that."""

    note: str = "The SMS may already have been sent: resending may send it twice."
    resends_as_is = True

    def asks(self) -> tuple[Part, ...]:
        note = html("<div><b>{}</b> Look first: list the batches that match this request, and resend only "
                    "if it is not there.</div>", self.note)
        looked = "I have looked and it is not there, or I accept a duplicate"
        confirm = Field("confirm", Input.CHECKBOX, looked, False, steers=True, width="100%")
        return (Note("smsnb-confirm-note", note), Look(), confirm)

    def ready(self, values, *, waited=False, nothing_found=False) -> bool:
        return bool(values["confirm"]) or nothing_found


FORMS: dict[FormKind, type[Form]] = {
    FormKind.EDIT_JSON: EditJson, FormKind.CALLBACK_URL: CallbackUrl, FormKind.NUMBERS: Numbers,
    FormKind.FIELDS: Fields, FormKind.OTHER_NUMBER: OtherNumber, FormKind.BLOCKED: Blocked,
    FormKind.CREDENTIALS: Credentials, FormKind.PLAN: Plan, FormKind.COUNTDOWN: Countdown,
    FormKind.RETRY: Retry, FormKind.LOOK_FIRST: LookFirst,
}


def form_for(key: str, text: str | None, payload, context: Context | None = None) -> Form:
    """The form for an error: the one its catalog entry names, for this request."""
    context = context or Context()
    entry = catalog.get(key) or catalog.UNKNOWN_CODE
    form = FORMS[entry.form]
    payload = payload if isinstance(payload, dict) else None
    if payload is None and not form.resends_as_is:  # a body that is not a JSON object: edit it first
        form = EditJson
    return form.build(entry, text, payload, context)
