"""Phone numbers as Sinch reads them (MSISDN), judged with ``phonenumbers``.

Sinch takes a number only in international form: a leading ``+``, a leading ``00`` or no
prefix at all, with spaces, dashes and brackets ignored. Pure functions: the sandbox uses them
to reject what Sinch rejects, the client and the fix-it forms to explain and suggest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

UNKNOWN_REGION = "ZZ"  # phonenumbers' region of a number that has none
_IGNORED = re.compile(r"[\s\-().\[\]]")
# Sinch group ids are ULID-like: 26 upper-case letters and digits (Sinch's own examples
# use letters outside Crockford's alphabet, so this is not stricter than that).
_GROUP_ID = re.compile(r"^(?=.*[A-Z])[0-9A-Z]{26}$")

_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed line or mobile",
    PhoneNumberType.TOLL_FREE: "toll free",
    PhoneNumberType.PREMIUM_RATE: "premium rate",
    PhoneNumberType.SHARED_COST: "shared cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "personal number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "UAN",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
# Number types that cannot receive an SMS: Sinch answers illegal_number_type.
NO_SMS_TYPES = frozenset(
    {"fixed line", "toll free", "premium rate", "shared cost", "UAN", "voicemail", "pager"}
)

_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "no country code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.INVALID_LENGTH: "impossible length",
    ValidationResult.TOO_LONG: "too long",
}
_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
    NumberParseException.NOT_A_NUMBER: "too short",  # only digits get this far
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_LONG: "too long",
}


@dataclass(frozen=True)
class Msisdn:
    """What Sinch would make of one recipient string."""

    raw: str
    e164: str | None  # "+46701234567" when the syntax is acceptable
    problem: str | None  # why Sinch rejects it: "no country code", "too short", "letters", ...
    number_type: str | None = None  # "mobile", "fixed line", ... when phonenumbers knows
    region: str | None = None  # ISO country code, e.g. "SE"

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def can_receive_sms(self) -> bool:
        return self.number_type not in NO_SMS_TYPES

    @property
    def country(self) -> str | None:
        return country_name(self.e164) if self.region else None


def digits(number) -> str:
    """A number as Sinch reports it: digits only, without a leading 00 ("+46 70-1" -> "46701")."""
    found = "".join(c for c in str(number) if c.isascii() and c.isdigit())
    return found[2:] if found.startswith("00") else found


def written_by_digits(numbers) -> dict[str, str]:
    """Each number as written (the first writing of it), by the digits Sinch reports it as: how a
    reported 46701234567 is shown as the +46 70-123 45 67 the request held."""
    written: dict[str, str] = {}
    for number in numbers:
        if isinstance(number, str) and digits(number):
            written.setdefault(digits(number), number)
    return written


def is_group_id(value: str) -> bool:
    return bool(_GROUP_ID.match(value))


@lru_cache(maxsize=4096)
def parse(raw: str) -> Msisdn:
    """Judge ``raw`` the way Sinch does (international form only)."""
    text = _IGNORED.sub("", raw)
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        digits = text
    if not digits:
        return Msisdn(raw, None, "empty")
    if not (digits.isascii() and digits.isdigit()):  # ٤٦٧ or ４６７ are digits to Python, not to Sinch
        return Msisdn(raw, None, "letters" if any(c.isalpha() for c in digits) else "stray characters")
    if digits.startswith("0"):
        return Msisdn(raw, None, "no country code")
    try:
        number = phonenumbers.parse("+" + digits, None)
    except NumberParseException as error:
        return Msisdn(raw, None, _PARSE_REASONS.get(error.error_type, "not a number"))
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible not in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return Msisdn(raw, None, _REASONS.get(possible, "impossible length"))
    e164 = "+" + digits
    # The region first, then the type: is_valid_number would repeat both matches (a third of the
    # time of a 1000-recipient batch went there). A number with no region or no type is not valid.
    region = phonenumbers.region_code_for_number(number)
    kind = phonenumbers.number_type(number) if region else PhoneNumberType.UNKNOWN
    if kind == PhoneNumberType.UNKNOWN:
        return Msisdn(raw, e164, None, None, region)
    return Msisdn(raw, e164, None, _TYPE_NAMES.get(kind, "unknown"), region)


def suggest_e164(raw: str, default_region: str | None = None) -> str | None:
    """The E.164 form of ``raw``, reading it as a national number of ``default_region``
    when it has no country code. None when no valid number can be made of it."""
    for region in (None, default_region):
        try:
            number = phonenumbers.parse(raw, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def country_name(e164: str) -> str | None:
    """The English name of the number's country, e.g. "Sweden"; None when it has none."""
    region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    # "001" is a non-geographic number (+800, +882, ...): it has no country.
    return region_name(region) if region and region.isalpha() and region != UNKNOWN_REGION else None


@lru_cache(maxsize=None)
def region_name(region: str) -> str:
    """The English name of an ISO 3166 region code ("SE" -> "Sweden"), the code itself when none
    is known. From Babel's CLDR data, which loads in ~30 ms: phonenumbers' geocoder would take
    ~300 ms to load its data, and that wait was most of the first error card's time."""
    return _english().territories.get(region.upper(), region) if region else region


@lru_cache(maxsize=1)
def _english():
    from babel import Locale

    return Locale("en")
