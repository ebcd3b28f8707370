"""Each recipient's message as Sinch would send it: the body with its ``parameters`` filled in,
and cut to ``max_number_of_message_parts`` when ``truncate_concat`` asks for it. Pure functions,
shared by the dry run and by the outcome of a send, so that both say the same.

The parameter rules themselves are `smsnb.knowledge.parameters`, shared with the card's 405 form.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..knowledge import encoding
from ..knowledge import parameters as parameters_rules
from ..knowledge.rules import MAX_BODY

# A body with its parameters filled in is cut here, so that a few placeholders of a long value
# cannot grow a message (or a dry run's answer) without bound. Far past any parts limit.
MAX_PERSONALIZED = 4 * MAX_BODY


@dataclass(frozen=True)
class Message:
    """One recipient's message."""

    body: str  # as it would be sent: parameters filled in (an unmatched one left as written), maybe cut
    parts: int
    encoding: str  # "text" (GSM-7) or "unicode" (UCS-2), as Sinch names them; "binary" for mt_binary
    unmatched: tuple[str, ...] = ()  # parameters with no value for this recipient and no default
    over_limit: bool = False  # more parts than max_number_of_message_parts, and not truncated
    truncated: bool = False  # cut to max_number_of_message_parts (truncate_concat)


def personalize(body: str, parameters, recipient: str) -> tuple[str, tuple[str, ...]]:
    """``body`` with its parameters filled in for ``recipient`` (Sinch's rules: see
    `knowledge.parameters`), and the names without a value; at most `MAX_PERSONALIZED` characters."""
    return parameters_rules.personalize(body, parameters, recipient, MAX_PERSONALIZED)


def truncate(body: str, max_parts: int) -> str:
    """The longest start of ``body`` that fits in ``max_parts`` parts. A longer start never
    takes fewer parts (GSM-7 turns into UCS-2 only as characters are added), so halving finds it."""
    if encoding.encode(body).parts <= max_parts:
        return body
    fits, too_long = 0, len(body)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if encoding.encode(body[:middle]).parts <= max_parts:
            fits = middle
        else:
            too_long = middle
    return body[:fits]


def fit(body: str, limit: int | None, truncate_concat: bool) -> Message:
    """``body`` as a message under the parts ``limit``: cut to fit it with ``truncate_concat``,
    else marked over the limit when it has more parts."""
    encoded = encoding.encode(body)
    if limit is None or encoded.parts <= limit:
        return Message(body, encoded.parts, encoded.encoding)
    if truncate_concat:
        cut = truncate(body, limit)
        encoded = encoding.encode(cut)
        return Message(cut, encoded.parts, encoded.encoding, truncated=True)
    return Message(body, encoded.parts, encoded.encoding, over_limit=True)


def message_for(batch: dict, recipient: str, memo: dict | None = None) -> Message:
    """The message ``batch`` (a checked request) makes for ``recipient`` (digits). ``memo`` keeps
    each personalized body's fit, so that a thousand recipients of one body are counted once.
    An ``mt_binary`` message is its base64 body as given, in one part of at most 140 bytes
    (Sinch applies no parameters to it)."""
    if batch.get("type") == "mt_binary":
        return Message(batch["body"], 1, "binary")
    body, unmatched = personalize(batch["body"], batch.get("parameters"), recipient)
    memo = {} if memo is None else memo
    if body not in memo:
        memo[body] = fit(body, batch.get("max_number_of_message_parts"), batch.get("truncate_concat") is True)
    return replace(memo[body], unmatched=unmatched)
