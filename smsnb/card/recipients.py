"""What smsnb can tell about the recipients' numbers: hints before sending, fixes after an error.

Pure: functions of the numbers and the default country. smsnb sends numbers exactly as written;
these only explain and suggest.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from ..knowledge import msisdn


def recipients(payload: dict) -> list:
    """The request's "to" when it is a list (a raw JSON request may hold anything there)."""
    to = payload.get("to")
    return to if isinstance(to, list) else []


# A type as an adjective before "number": "a fixed-line number", "a toll-free number".
_ADJECTIVES = {"fixed line": "fixed-line", "fixed line or mobile": "fixed-line or mobile",
               "toll free": "toll-free", "premium rate": "premium-rate", "shared cost": "shared-cost"}


def kind_phrase(number: msisdn.Msisdn) -> str:
    """What a number is, as a person says it: "a fixed-line number in Sweden", "a number in Sweden"
    when its type is unknown."""
    kind = _ADJECTIVES.get(number.number_type or "", number.number_type or "")
    noun = kind if kind.endswith("number") else f"{kind} number".strip()
    article = "an" if noun[:1] in "aeio" or noun.startswith("unknown") else "a"
    return f"{article} {noun}" + (f" in {_the(number.country)}" if number.country else "")


_WITH_THE = ("United ", "Czech Republic", "Dominican Republic", "Central African Republic", "Netherlands",
             "Philippines", "Bahamas", "Gambia", "Maldives", "Comoros", "Seychelles", "Vatican")


def _the(country: str) -> str:
    """"the United States", "the Cayman Islands", "Sweden"."""
    return f"the {country}" if country.startswith(_WITH_THE) or country.endswith("Islands") else country


def example_mobile(raw: str) -> str:
    """A mobile number of ``raw``'s country, as a placeholder ("+46701234567"); Sweden's for none."""
    region = msisdn.parse(raw).region or "SE"
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "+46701234567"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


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
        return f"{raw} is {kind_phrase(number)}: Sinch refuses SMS to it (illegal_number_type)."
    if number.ok and number.e164 != raw:
        kind = f" is {kind_phrase(number)};" if number.number_type else ""
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
    reason: str  # "no country code", "a fixed-line number in Sweden", ...
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
    """Recipients whose number type cannot take SMS, described as "a fixed-line number in Sweden"."""
    fixes = []
    for index, raw in enumerate(recipients(payload)):
        if isinstance(raw, str) and not msisdn.is_group_id(raw):
            number = msisdn.parse(raw)
            if number.ok and not number.can_receive_sms:
                fixes.append(NumberFix(index, raw, kind_phrase(number), ""))
    return tuple(fixes)
