"""Showing values a card did not write (a server's answer, a request): safely, by default.

HTML is built only with `html` and `join`: the template is ours, and every value put into it is
escaped unless it is already `Markup` (a piece built the same way), so no value can become a tag
or an attribute. `visible` makes a value fit to print: control characters (ESC, OSC, carriage
return, bidi overrides) are shown escaped instead of acting on a terminal, and long text is cut.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable

from markupsafe import Markup, escape

__all__ = ["Markup", "escape", "html", "join", "visible", "CAP"]

CAP = 2000  # characters of one value that a card shows
ANSWER = "the whole answer is in .error.raw_body"
# C0 and C1 controls, and the characters that reorder or break a line on screen.
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f{_OTHERS}]")
_CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{_OTHERS}]")


def html(template: str, *args, **kwargs) -> Markup:
    """``template`` (a literal of ours) with each value escaped, e.g. html("<b>{}</b>", text)."""
    return Markup(template).format(*args, **kwargs)


def join(pieces: Iterable, separator: str = "") -> Markup:
    """Pieces side by side; a piece that is not Markup is escaped."""
    return Markup(separator).join(pieces)


def _text(value) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
    except (TypeError, ValueError, RecursionError):  # e.g. nested too deeply to write out
        return f"({type(value).__name__} too large to show)"


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(value, *, newlines: bool = False, cap: int = CAP, whole: str | None = ANSWER) -> str:
    """``value`` as text fit to show: control characters as escapes (``\\x1b``; ``\\n`` too unless
    ``newlines``), at most ``cap`` characters, then "… N more characters; <whole>"."""
    text = _text(value)
    more = len(text) - cap
    text = (_CONTROL_BUT_NEWLINE if newlines else _CONTROL).sub(_escaped, text[:cap])
    if more > 0:
        text += f" … {more} more characters" + (f"; {whole}" if whole else "")
    return text
