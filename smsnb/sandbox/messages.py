"""Each recipient's message as Sinch would send it: the body with its ``parameters`` filled in,
and cut to ``max_number_of_message_parts`` when ``truncate_concat`` asks for it. Pure functions,
shared by the dry run and by the outcome of a send, so that both say the same.

Sinch's parameter rules: ``parameters`` is ``{name: {msisdn: value, "default": value}}`` and each
``${name}`` in the body takes the recipient's value, else the default. Keys are case sensitive;
the recipient may be keyed with or without its "+". A ``${name}`` whose name is in
``parameters`` but that has neither a value for the recipient nor a default leaves the message
unsendable for that recipient only (delivery code 405); a ``${...}`` naming no parameter is
plain text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..knowledge import encoding
from ..knowledge.rules import MAX_BODY

PARAMETER = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")  # Sinch: letters, digits and . - _
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


def value_for(values, recipient: str) -> str | None:
    """A parameter's value for ``recipient`` (digits, as Sinch returns numbers): keyed by its
    digits or with a "+", else the ``default``; None when there is neither."""
    if not isinstance(values, dict):
        return None
    for key in (recipient, "+" + recipient, "default"):
        if isinstance(values.get(key), str):
            return values[key]
    return None


def personalize(body: str, parameters, recipient: str) -> tuple[str, tuple[str, ...]]:
    """``body`` with each ``${name}`` of ``parameters`` filled in for ``recipient``, and the names
    that had no value for it (left as written). At most `MAX_PERSONALIZED` characters."""
    if not isinstance(parameters, dict) or not parameters:
        return body, ()
    pieces, size, unmatched, start = [], 0, {}, 0
    for match in PARAMETER.finditer(body):
        name = match.group(1)
        value = value_for(parameters[name], recipient) if name in parameters else match.group(0)
        if value is None:
            unmatched.setdefault(name)
            value = match.group(0)
        for piece in (body[start:match.start()], value):
            pieces.append(piece[:MAX_PERSONALIZED - size])
            size += len(pieces[-1])
        start = match.end()
        if size >= MAX_PERSONALIZED:
            break
    else:
        pieces.append(body[start:][:MAX_PERSONALIZED - size])
    return "".join(pieces), tuple(unmatched)


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
