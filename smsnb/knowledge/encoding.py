"""How an SMS body is encoded and split into parts (GSM 03.38 and UCS-2).

Pure functions, shared by the sandbox's dry run and the client's dry-run card.
"""
from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic character set (the escape character 0x1B is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (escape + character).
GSM7_EXTENDED = frozenset("|^€{}[]~\\\f")

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets per part: whole message / each part of a long one
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units, likewise


@dataclass(frozen=True)
class Encoded:
    encoding: str  # "text" (GSM-7) or "unicode" (UCS-2), as Sinch names them
    parts: int
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    forcing_unicode: tuple[str, ...] = ()  # the characters that ruled GSM-7 out, in order


def non_gsm_characters(body: str) -> tuple[str, ...]:
    """The distinct characters of ``body`` that GSM-7 cannot carry, in order of appearance."""
    seen: dict[str, None] = {}
    for ch in body:
        if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED:
            seen.setdefault(ch)
    return tuple(seen)


def _count_parts(costs: list[int], single: int, multi: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1
    # Fill each part greedily; a character (escape pair, surrogate pair) never straddles two parts.
    parts, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            parts, used = parts + 1, 0
        used += cost
    return parts


def encode(body: str) -> Encoded:
    """The encoding Sinch would pick for ``body`` and how many parts it takes."""
    forcing = non_gsm_characters(body)
    if not forcing:
        costs = [2 if ch in GSM7_EXTENDED else 1 for ch in body]
        return Encoded("text", _count_parts(costs, GSM7_SINGLE, GSM7_MULTI), sum(costs))
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
    return Encoded("unicode", _count_parts(costs, UCS2_SINGLE, UCS2_MULTI), sum(costs), forcing)
