"""Pure logic between an error and its fix: which fields are at fault, and hints on numbers.

No widgets, no HTTP: everything here is a function of a request and an error.
"""
from __future__ import annotations

import difflib
import json
import math
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from ..knowledge import catalog, msisdn
from ..knowledge.rules import (DELIVERY_REPORTS, MAX_BODY, MAX_CALLBACK_URL, MAX_CLIENT_REFERENCE, MAX_RECIPIENTS,
                          is_http_url, parse_time)

_PARAMETER = re.compile(r"parameter '([^']+)'")


def offending_fields(key: str, text: str | None, payload: dict | None) -> list[str]:
    """The request fields to point at, e.g. ["to[0]"] or ["delivery_report", "callback_url"]."""
    named = _PARAMETER.findall(text or "")
    if named:
        return list(dict.fromkeys(named))
    payload = payload or {}
    if key == "missing_callback_url":
        return ["delivery_report", "callback_url"]
    if key in ("illegal_number_type", "unknown_group"):
        return [f"to[{i}]" for i, item in enumerate(_recipients(payload)) if _is_culprit(key, item)][:1]
    if key == "syntax_invalid_json":
        return ["body"]
    return []


def _recipients(payload: dict) -> list:
    """The request's "to" when it is a list (a raw JSON request may hold anything there)."""
    to = payload.get("to")
    return to if isinstance(to, list) else []


def _is_culprit(key: str, item) -> bool:
    if not isinstance(item, str):
        return False
    if key == "unknown_group":
        return msisdn.is_group_id(item)
    return not msisdn.parse(item).can_receive_sms


def top_field(field: str) -> str:
    """"to[3]" -> "to"."""
    return field.split("[", 1)[0]


def _kind_phrase(number: msisdn.Msisdn) -> str:
    """"a mobile number in Sweden"."""
    country = number.country
    return f"a {number.number_type} number" + (f" in {country}" if country else "")


def number_hints(to: Iterable[str], default_region: str | None = None) -> list[str]:
    """What a person should know about each recipient before (or after) Sinch judges it.

    Hints only: smsnb sends numbers exactly as written."""
    hints = []
    for raw in to:
        if not isinstance(raw, str) or msisdn.is_group_id(raw):
            continue
        number = msisdn.parse(raw)
        if number.ok and not number.can_receive_sms:
            hints.append(f"{raw} is {_kind_phrase(number)}: Sinch refuses SMS to it (illegal_number_type).")
        elif number.ok and number.e164 != raw:
            kind = f" is {_kind_phrase(number)};" if number.number_type else ""
            hints.append(f"'{raw}'{kind} Sinch wants E.164: {number.e164}")
        elif not number.ok:
            suggestion = msisdn.suggest_e164(raw, default_region) if default_region else None
            if suggestion:
                hints.append(f"'{raw}' is not international ({number.problem}); read as a number of "
                             f"{default_region} it is {suggestion}")
            elif not default_region and number.problem == "no country code":
                hints.append(f"'{raw}' has no country code. Write it as +<country code><number>, or set "
                             f"%config SmsMagic.default_country = \"SE\" (your country) for a suggestion.")
            else:
                hints.append(f"'{raw}' is not a valid international number ({number.problem}).")
    return hints


# --- the fix-it forms, as data ----------------------------------------------------------------


@dataclass(frozen=True)
class NumberFix:
    index: int  # position in "to"
    raw: str
    reason: str  # "no country code", "fixed line, Sweden", ...
    suggestion: str  # prefilled value ("" when none can be made)


@dataclass(frozen=True)
class FieldFix:
    name: str  # a request field: "callback_url", "body", "client_reference", ...
    value: str  # prefilled
    limit: str  # what is allowed, for the label


@dataclass(frozen=True)
class Form:
    """Which fix-it form an outcome gets. ``kind`` is one of: callback_url, numbers, other_number,
    json, fields, blocked, credentials, plan, countdown, retry, look_first, raw_json."""

    kind: str
    numbers: tuple[NumberFix, ...] = ()
    fields: tuple[FieldFix, ...] = ()
    retry_after: float | None = None
    note: str = ""


_LIMITS = {
    "to": f"1 to {MAX_RECIPIENTS} numbers, one per line, in international form",
    "body": f"1 to {MAX_BODY} characters",
    "client_reference": f"at most {MAX_CLIENT_REFERENCE} characters",
    "callback_url": f"an http(s) URL of at most {MAX_CALLBACK_URL} characters",
    "delivery_report": ", ".join(DELIVERY_REPORTS),
    "send_at": "ISO-8601 with a zone, e.g. 2030-01-01T09:00:00Z",
    "expire_at": "ISO-8601 with a zone, after send_at and at most 3 days after it",
    "from": "a number, short code or name",
}


def form_for(key: str, text: str | None, payload, *, default_region: str | None = None,
             retry_after: float | None = None) -> Form:
    """The form for an outcome: pure, from the error's key and text and the request payload."""
    payload = payload if isinstance(payload, dict) else None
    entry = catalog.get(key) or catalog.UNKNOWN_CODE
    if key == "missing_callback_url":
        return Form("callback_url", fields=(FieldFix("callback_url", "", _LIMITS["callback_url"]),))
    # A body that is not a JSON object can only be fixed by editing it.
    resendable_as_is = entry.retryable or entry.may_have_been_sent or key == "blocked_account"
    if key == "syntax_invalid_json" or (payload is None and not resendable_as_is):
        return Form("json")
    if key == "syntax_invalid_parameter_format" and number_fixes(payload, default_region):
        return Form("numbers", numbers=number_fixes(payload, default_region))
    if key == "illegal_number_type":
        return Form("other_number", numbers=illegal_numbers(payload))
    if key in ("syntax_invalid_parameter_format", "syntax_constraint_violation"):
        fields = _named_fields(text, payload)
        return Form("fields", fields=fields) if fields else Form("raw_json")
    if key == "blocked_account":
        return Form("blocked", note="Resending cannot help until the block is lifted.")
    if key in ("http_401", "oauth_failed", "invalid_credential"):
        return Form("credentials")
    if key == "http_404":
        return Form("plan")
    if key == "http_429":
        return Form("countdown", retry_after=retry_wait(retry_after))
    if entry.may_have_been_sent:  # the catalog knows which failures may have sent the SMS: look first
        return Form("look_first", note="The SMS may already have been sent: resending may send it twice.")
    if entry.retryable:
        return Form("retry")
    return Form("raw_json")


MAX_RETRY_WAIT = 3600.0  # however long a server asks for, Resend comes back within the hour
DEFAULT_RETRY_WAIT = 1.0  # when the server said nothing usable


def header(headers: dict, name: str) -> str | None:
    """A header's value, whatever case the server wrote its name in."""
    name = name.lower()
    return next((str(v) for k, v in (headers or {}).items() if str(k).lower() == name), None)


def retry_wait(seconds: float | None) -> float:
    """How long the countdown really waits: the server's wait, within 0 and MAX_RETRY_WAIT."""
    if seconds is None or math.isnan(seconds):
        return DEFAULT_RETRY_WAIT
    return min(max(seconds, 0.0), MAX_RETRY_WAIT)


def _named_fields(text: str | None, payload: dict) -> tuple[FieldFix, ...]:
    fields = []
    for name in offending_fields("", text, payload):
        top = top_field(name)
        value = payload.get(top)
        if top == "to":
            shown = "\n".join(str(x) for x in value) if isinstance(value, list) else ""
        else:
            shown = "" if value is None else str(value)
        if top not in {f.name for f in fields}:
            fields.append(FieldFix(top, shown, _LIMITS.get(top, "")))
    return tuple(fields)


def number_fixes(payload: dict, default_region: str | None) -> tuple[NumberFix, ...]:
    """Every recipient Sinch would reject for its format, with the reason and an E.164 suggestion."""
    fixes = []
    for index, raw in enumerate(_recipients(payload)):
        if not isinstance(raw, str) or msisdn.is_group_id(raw):
            continue
        number = msisdn.parse(raw)
        if not number.ok:
            fixes.append(NumberFix(index, raw, number.problem, msisdn.suggest_e164(raw, default_region) or ""))
    return tuple(fixes)


def illegal_numbers(payload: dict) -> tuple[NumberFix, ...]:
    """Recipients whose number type cannot take SMS, described as "fixed line, Sweden"."""
    fixes = []
    for index, raw in enumerate(_recipients(payload)):
        if isinstance(raw, str) and not msisdn.is_group_id(raw):
            number = msisdn.parse(raw)
            if number.ok and not number.can_receive_sms:
                fixes.append(NumberFix(index, raw, number.describe_type(), ""))
    return tuple(fixes)


def validate(name: str, value: str) -> str | None:
    """Why ``value`` cannot go into field ``name``; None when it can."""
    value = value.strip() if name != "body" else value
    if name == "callback_url":
        if not value:
            return "Enter a callback URL."
        if len(value) > MAX_CALLBACK_URL:
            return f"At most {MAX_CALLBACK_URL} characters."
        return None if is_http_url(value) else "Not an http(s) URL, e.g. https://example.com/dlr"
    if name in ("number", "to"):
        numbers = [n.strip() for n in value.splitlines() if n.strip()] if name == "to" else [value]
        if not numbers or not numbers[0]:
            return "Enter a number in international form, e.g. +46701234567."
        if len(numbers) > MAX_RECIPIENTS:
            return f"At most {MAX_RECIPIENTS} numbers."
        for raw in numbers:
            if msisdn.is_group_id(raw):
                continue
            number = msisdn.parse(raw)
            if not number.ok:
                return f"{raw}: {number.problem}."
            if not number.can_receive_sms:
                return f"{raw} is a {number.describe_type()} number: it cannot receive SMS."
        return None
    if name == "body":
        if not value:
            return "Enter the message text."
        return None if len(value) <= MAX_BODY else f"At most {MAX_BODY} characters ({len(value)} now)."
    if name == "client_reference":
        return None if len(value) <= MAX_CLIENT_REFERENCE else f"At most {MAX_CLIENT_REFERENCE} characters ({len(value)} now)."
    if name == "delivery_report":
        return None if value in DELIVERY_REPORTS else f"One of {', '.join(DELIVERY_REPORTS)}."
    if name in ("send_at", "expire_at"):
        return None if parse_time(value) else "An ISO-8601 time with a zone, e.g. 2030-01-01T09:00:00Z."
    return None if value else f"Enter {name}."


def json_problem(text: str) -> str | None:
    """Where and why ``text`` is not a JSON object ("line 2, column 3: Expecting value"); None if fine."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return f"line {error.lineno}, column {error.colno}: {error.msg}"
    except RecursionError:
        return "nested too deeply"
    except ValueError:  # json reads numbers with int(), which refuses more than 4,300 digits
        return "a number has too many digits to read"
    return None if isinstance(data, dict) else "the request must be a JSON object { ... }"


def field_value(name: str, text: str):
    """A form's text as the JSON value of field ``name``."""
    if name == "to":
        return [n.strip() for n in text.splitlines() if n.strip()]
    return text if name == "body" else text.strip()


def apply_changes(payload: dict, changes: dict) -> dict:
    """A new payload with ``changes``: field names, or "to[i]" for one recipient; None removes."""
    corrected = json.loads(json.dumps(payload))
    for name, value in changes.items():
        if name.startswith("to["):
            corrected["to"][int(name[3:-1])] = value
        elif value is None:
            corrected.pop(name, None)
        else:
            corrected[name] = value
    return corrected


def request_diff(before, after) -> list[str]:
    """A unified diff of two requests (JSON objects or raw text), without its header lines."""
    def lines(value):
        if isinstance(value, str):
            return value.splitlines()
        return json.dumps(value, indent=2, ensure_ascii=False).split("\n")  # its lines, not a string's \u2028

    diff = difflib.unified_diff(lines(before), lines(after), "before", "after", lineterm="", n=2)
    return [line for line in diff if not line.startswith(("---", "+++"))]


# --- copy as code -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """Where a request goes, without any secret: the code refers to environment variables."""

    base_url: str
    account_id: str
    oauth: bool = False
    token_url: str = ""

    @property
    def url(self) -> str:
        return f"{self.base_url}/xms/v1/{quote(self.account_id, safe='')}/batches"  # the id is one segment


def as_python(body, target: Target) -> str:
    """The request as a runnable `requests` snippet; credentials come from the environment."""
    data = body if isinstance(body, str) else json.dumps(body, indent=4, ensure_ascii=False)
    lines = ["import os", "", "import requests", ""]
    if target.oauth:
        lines += [f"token = requests.post({target.token_url!r}, data={{'grant_type': 'client_credentials'}},",
                  "                      auth=(os.environ['SINCH_KEY_ID'], os.environ['SINCH_KEY_SECRET']),",
                  "                      timeout=30).json()['access_token']"]
    else:
        lines += ["token = os.environ['SINCH_API_TOKEN']"]
    lines += [
        "response = requests.post(",
        f"    {target.url!r},",
        "    headers={'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'},",
        f"    data={data!r}.encode('utf-8'),",
        "    timeout=30,",
        ")",
        "print(response.status_code, response.text)",
    ]
    return "\n".join(lines)


def as_curl(body, target: Target) -> str:
    """The request as a curl command; the token is $SINCH_API_TOKEN (or fetched with the key)."""
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    prefix = ""
    if target.oauth:
        prefix = (f"SINCH_API_TOKEN=$(curl -s -u \"$SINCH_KEY_ID:$SINCH_KEY_SECRET\" -d grant_type=client_credentials "
                  f"{shlex.quote(target.token_url)} | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n")
    return (prefix + f"curl -X POST {shlex.quote(target.url)} \\\n"
            "  -H \"Authorization: Bearer $SINCH_API_TOKEN\" \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            f"  --data-binary {shlex.quote(data)}")
