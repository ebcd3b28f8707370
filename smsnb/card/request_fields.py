"""The request's fields in a fix: which are at fault, what each may hold, and edits applied.

Pure: functions of a request (its JSON payload), an error's text and what a person typed.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from ..knowledge import msisdn
from ..knowledge.rules import (
    DELIVERY_REPORTS,
    MAX_BODY,
    MAX_CALLBACK_URL,
    MAX_CLIENT_REFERENCE,
    MAX_RECIPIENTS,
    is_http_url,
    parse_time,
)
from .recipients import kind_phrase, recipients

_PARAMETER = re.compile(r"parameter '([^']+)'")

LIMITS = {
    "to": f"1 to {MAX_RECIPIENTS} numbers, one per line, in international form",
    "body": f"1 to {MAX_BODY} characters",
    "client_reference": f"at most {MAX_CLIENT_REFERENCE} characters",
    "callback_url": f"an http(s) URL of at most {MAX_CALLBACK_URL} characters",
    "delivery_report": ", ".join(DELIVERY_REPORTS),
    "send_at": "ISO-8601 with a zone, e.g. 2030-01-01T09:00:00Z",
    "expire_at": "ISO-8601 with a zone, after send_at and at most 3 days after it",
    "from": "a number, short code or name",
}

# What a person calls each field; the field's own name follows where the two differ.
NAMES = {
    "to": "Recipients",
    "body": "Message text",
    "client_reference": "Client reference",
    "callback_url": "Callback URL",
    "delivery_report": "Delivery report",
    "send_at": "Send at",
    "expire_at": "Expire at",
    "from": "Sender (from)",
}


def plain_name(name: str) -> str:
    """"Client reference" for "client_reference"; a field smsnb has no name for, as it is."""
    return NAMES.get(name, name)


# --- which fields are at fault ------------------------------------------------------------------

def offending_fields(key: str, text: str | None, payload: dict | None) -> list[str]:
    """The request fields to point at, e.g. ["to[0]"] or ["delivery_report", "callback_url"]."""
    named = _PARAMETER.findall(text or "")
    if named:
        return list(dict.fromkeys(named))
    payload = payload or {}
    if key == "missing_callback_url":
        return ["delivery_report", "callback_url"]
    if key in ("illegal_number_type", "unknown_group"):
        culprits = (i for i, item in enumerate(recipients(payload)) if _is_culprit(key, item))
        return [f"to[{i}]" for i in culprits][:1]
    if key == "syntax_invalid_json":
        return ["body"]
    return []


def _is_culprit(key: str, item) -> bool:
    if not isinstance(item, str):
        return False
    if key == "unknown_group":
        return msisdn.is_group_id(item)
    return not msisdn.parse(item).can_receive_sms


def top_field(field: str) -> str:
    """"to[3]" -> "to"."""
    return field.split("[", 1)[0]


@dataclass(frozen=True)
class FieldFix:
    """A field Sinch named, as a form offers to correct it."""

    name: str  # a request field: "callback_url", "body", "client_reference", ...
    value: str  # prefilled
    limit: str  # what is allowed, for the label


def named_fields(text: str | None, payload: dict) -> tuple[FieldFix, ...]:
    """The fields Sinch's text names, each once, with its value as text and its limit."""
    fields: dict[str, FieldFix] = {}
    for name in offending_fields("", text, payload):
        top = top_field(name)
        value = payload.get(top)
        if top == "to":
            shown = "\n".join(str(x) for x in value) if isinstance(value, list) else ""
        else:
            shown = "" if value is None else str(value)
        fields.setdefault(top, FieldFix(top, shown, LIMITS.get(top, "")))
    return tuple(fields.values())


# --- what each field may hold -------------------------------------------------------------------

def validate(name: str, value: str) -> str | None:
    """Why ``value`` cannot go into field ``name`` ("number": one recipient); None when it can."""
    value = value.strip() if name != "body" else value
    check = _CHECKS.get(name)
    if check is not None:
        return check(value)
    if name in ("send_at", "expire_at"):
        return None if parse_time(value) else "An ISO-8601 time with a zone, e.g. 2030-01-01T09:00:00Z."
    return None if value else f"Enter the {plain_name(name).lower()}."


def _callback_url(value: str) -> str | None:
    if not value:
        return "Enter a callback URL."
    if len(value) > MAX_CALLBACK_URL:
        return f"At most {MAX_CALLBACK_URL} characters."
    return None if is_http_url(value) else "Not an http(s) URL, e.g. https://example.com/dlr"


def _numbers(numbers: list[str]) -> str | None:
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
            return f"{raw} is {kind_phrase(number)}: it cannot receive SMS."
    return None


def _body(value: str) -> str | None:
    if not value:
        return "Enter the message text."
    return None if len(value) <= MAX_BODY else f"At most {MAX_BODY} characters ({len(value)} now)."


def _client_reference(value: str) -> str | None:
    if len(value) <= MAX_CLIENT_REFERENCE:
        return None
    return f"At most {MAX_CLIENT_REFERENCE} characters ({len(value)} now)."


def _delivery_report(value: str) -> str | None:
    return None if value in DELIVERY_REPORTS else f"One of {', '.join(DELIVERY_REPORTS)}."


_CHECKS = {
    "callback_url": _callback_url,
    "number": lambda value: _numbers([value]),
    "to": lambda value: _numbers([n.strip() for n in value.splitlines() if n.strip()]),
    "body": _body,
    "client_reference": _client_reference,
    "delivery_report": _delivery_report,
}


class _NotJson(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON has no such value."""


def _no_constant(name: str):
    raise _NotJson(f"{name} is not a JSON value")


def json_value(text: str) -> tuple[Any, str | None]:
    """(the JSON value ``text`` holds, None), or (None, where and why it is not JSON: "line 2,
    column 3: Expecting value")."""
    try:
        return json.loads(text, parse_constant=_no_constant), None
    except json.JSONDecodeError as error:
        return None, f"line {error.lineno}, column {error.colno}: {error.msg}"
    except _NotJson as error:
        return None, str(error)
    except RecursionError:
        return None, "nested too deeply"
    except ValueError:  # json reads numbers with int(), which refuses more than 4,300 digits
        return None, "a number has too many digits to read"


def json_problem(text: str) -> str | None:
    """Where and why ``text`` is not a JSON object; None if it is one."""
    data, problem = json_value(text)
    if problem is not None:
        return problem
    return None if isinstance(data, dict) else "the request must be a JSON object { ... }"


# --- edits --------------------------------------------------------------------------------------

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


def differs(before, after) -> bool:
    """Whether sending ``after`` changes the request ``before`` (each a JSON object or raw text; text
    and an object are compared as the JSON the text holds). None (nothing to send) changes nothing."""
    if after is None:
        return False
    if isinstance(before, str) == isinstance(after, str):
        return before != after
    text, data = (before, after) if isinstance(before, str) else (after, before)
    try:
        return json.loads(text) != data
    except (ValueError, RecursionError):
        return True


def request_diff(before, after) -> list[str]:
    """A unified diff of two requests (JSON objects or raw text), without its header lines."""
    def lines(value):
        if isinstance(value, str):
            return value.splitlines()
        return json.dumps(value, indent=2, ensure_ascii=False).split("\n")  # its lines, not a string's \u2028

    diff = difflib.unified_diff(lines(before), lines(after), "before", "after", lineterm="", n=2)
    return [line for line in diff if not line.startswith(("---", "+++"))]
