"""Pure logic between an error and its fix: which fields are at fault, and hints on numbers.

No widgets, no HTTP: everything here is a function of a request and an error.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from . import msisdn

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
        return [f"to[{i}]" for i, item in enumerate(payload.get("to") or []) if _is_culprit(key, item)][:1]
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


def number_hints(to: Iterable[str], default_region: str | None = None) -> list[str]:
    """What a person should know about each recipient before (or after) Sinch judges it.

    Hints only: smsnb sends numbers exactly as written."""
    hints = []
    for raw in to:
        if not isinstance(raw, str) or msisdn.is_group_id(raw):
            continue
        number = msisdn.parse(raw)
        if number.ok and not number.can_receive_sms:
            hints.append(f"{raw} is a {number.describe_type()} number: Sinch refuses SMS to it (illegal_number_type).")
        elif number.ok and number.e164 != raw:
            kind = number.describe_type()
            looks = f" looks like a {kind} number;" if kind else ""
            hints.append(f"'{raw}'{looks} Sinch wants E.164: {number.e164}")
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
