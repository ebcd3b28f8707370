"""What smsnb can tell about the recipients' numbers: hints before sending, fixes after an error.

Pure: functions of the numbers and the default country. smsnb sends numbers exactly as written;
these only explain and suggest.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..knowledge import msisdn


def recipients(payload: dict) -> list:
    """The request's "to" when it is a list (a raw JSON request may hold anything there)."""
    to = payload.get("to")
    return to if isinstance(to, list) else []


def _kind_phrase(number: msisdn.Msisdn) -> str:
    """"a mobile number in Sweden"."""
    country = number.country
    return f"a {number.number_type} number" + (f" in {country}" if country else "")


def number_hints(to: Iterable[str], default_region: str | None = None) -> list[str]:
    """What a person should know about each recipient before (or after) Sinch judges it."""
    hints = []
    for raw in to:
        if isinstance(raw, str) and not msisdn.is_group_id(raw):
            hint = _hint(raw, msisdn.parse(raw), default_region)
            if hint:
                hints.append(hint)
    return hints


def _hint(raw: str, number: msisdn.Msisdn, default_region: str | None) -> str | None:
    if number.ok and not number.can_receive_sms:
        return f"{raw} is {_kind_phrase(number)}: Sinch refuses SMS to it (illegal_number_type)."
    if number.ok and number.e164 != raw:
        kind = f" is {_kind_phrase(number)};" if number.number_type else ""
        return f"'{raw}'{kind} Sinch wants E.164: {number.e164}"
    if number.ok:
        return None
    suggestion = msisdn.suggest_e164(raw, default_region) if default_region else None
    if suggestion:
        return (f"'{raw}' is not international ({number.problem}); read as a number of "
                f"{default_region} it is {suggestion}")
    if not default_region and number.problem == "no country code":
        return (f"'{raw}' has no country code. Write it as +<country code><number>, or set "
                f"%config SmsMagic.default_country = \"SE\" (your country) for a suggestion.")
    return f"'{raw}' is not a valid international number ({number.problem})."


@dataclass(frozen=True)
class NumberFix:
    """A recipient a form offers to correct."""

    index: int  # position in "to"
    raw: str
    reason: str  # "no country code", "fixed line, Sweden", ...
    suggestion: str  # prefilled value ("" when none can be made)


def number_fixes(payload: dict, default_region: str | None) -> tuple[NumberFix, ...]:
    """Every recipient Sinch would reject for its format, with the reason and an E.164 suggestion."""
    fixes = []
    for index, raw in enumerate(recipients(payload)):
        if not isinstance(raw, str) or msisdn.is_group_id(raw):
            continue
        number = msisdn.parse(raw)
        if not number.ok:
            suggestion = msisdn.suggest_e164(raw, default_region) or ""
            fixes.append(NumberFix(index, raw, number.problem, suggestion))
    return tuple(fixes)


def illegal_numbers(payload: dict) -> tuple[NumberFix, ...]:
    """Recipients whose number type cannot take SMS, described as "fixed line, Sweden"."""
    fixes = []
    for index, raw in enumerate(recipients(payload)):
        if isinstance(raw, str) and not msisdn.is_group_id(raw):
            number = msisdn.parse(raw)
            if number.ok and not number.can_receive_sms:
                fixes.append(NumberFix(index, raw, number.describe_type(), ""))
    return tuple(fixes)
