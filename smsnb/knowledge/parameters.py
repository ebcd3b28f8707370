"""Sinch's message parameters: ``parameters`` is ``{name: {msisdn: value, "default": value}}`` and
each ``${name}`` in the body takes the recipient's value, else the default.

Keys are case sensitive; the recipient may be keyed with or without its "+". A ``${name}`` whose
name is in ``parameters`` but that has neither a value for the recipient nor a default leaves the
message unsendable for that recipient only (delivery code 405); a ``${...}`` naming no parameter
is plain text. The sandbox sends by these rules and the card's 405 form fixes by them.
"""
from __future__ import annotations

import re
import sys

PARAMETER = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")  # Sinch: letters, digits and . - _


def value_for(values, recipient: str) -> str | None:
    """A parameter's value for ``recipient`` (digits, as Sinch returns numbers): keyed by its
    digits or with a "+", else the ``default``; None when there is neither."""
    if not isinstance(values, dict):
        return None
    for key in (recipient, "+" + recipient, "default"):
        if isinstance(values.get(key), str):
            return values[key]
    return None


def personalize(body: str, parameters, recipient: str,
                limit: int | None = None) -> tuple[str, tuple[str, ...]]:
    """``body`` with each ``${name}`` of ``parameters`` filled in for ``recipient`` (digits), and the
    names that had no value for it (left as written). At most ``limit`` characters when given."""
    if not isinstance(parameters, dict) or not parameters:
        return body, ()
    limit = sys.maxsize if limit is None else limit
    pieces, size, unmatched, start = [], 0, {}, 0
    for match in PARAMETER.finditer(body):
        name = match.group(1)
        value = value_for(parameters[name], recipient) if name in parameters else match.group(0)
        if value is None:
            unmatched.setdefault(name)
            value = match.group(0)
        for piece in (body[start:match.start()], value):
            pieces.append(piece[:limit - size])
            size += len(pieces[-1])
        start = match.end()
        if size >= limit:
            break
    else:
        pieces.append(body[start:][:limit - size])
    return "".join(pieces), tuple(unmatched)
