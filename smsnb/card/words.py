"""Small pieces of wording the cards share."""
from __future__ import annotations

from .safe import visible


def plural(count, noun: str, nouns: str | None = None) -> str:
    """ "1 recipient", "2 recipients", "0 recipients"; ``nouns`` for an irregular plural. A count
    that is not a number (an answer of an odd shape) is shown as it is, fit to show, with the plural."""
    many = nouns or noun + "s"
    if isinstance(count, str) and count.strip().isascii() and count.strip().isdigit():
        count = int(count.strip()[:18])
    if isinstance(count, int) and not isinstance(count, bool):
        return f"{count} {noun if count == 1 else many}"
    return f"{visible(count, whole=None)} {many}"
