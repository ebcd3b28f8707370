"""Every table smsnb shows, as text and as HTML, in one style: a header row, a rule under it, text
left and numbers right (in the header too, so a column's name sits over its values).

Whether a column holds numbers is decided from its cells alone (`alignments`), so ``%sms errors``,
``config``, ``history``, ``sandbox triggers``, a dry run and a delivery report line up alike.
"""
from __future__ import annotations

import re
import unicodedata

from . import theme
from .safe import Markup, html, join, visible

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_CELL = "padding:2px 8px;overflow-wrap:anywhere;text-align:{}"
_NUMERIC = ";font-variant-numeric:tabular-nums;white-space:nowrap"
_BODY = ";vertical-align:top"
_HEAD = f";vertical-align:bottom;border-bottom:1px solid {theme.RULE};font-weight:600"
_TABLE = (f"border-collapse:collapse;table-layout:auto;margin:4px 0;font-family:{theme.FONT};"
          f"font-size:{theme.FONT_SIZE};color:{theme.TEXT}")


def is_number(cell) -> bool:
    """An int or a float (not a bool), or a string of ASCII digits such as a status "403"."""
    if isinstance(cell, bool):
        return False
    if isinstance(cell, (int, float)):
        return True
    return (isinstance(cell, str) and not isinstance(cell, Markup)
            and _NUMBER.fullmatch(cell.strip()) is not None)


def _empty(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def alignments(columns: int, rows: list[list]) -> list[str]:
    """ "right" for each column whose non-empty cells are all numbers (and there is at least one),
    "left" for every other column; a row shorter than ``columns`` has empty cells."""
    aligned = []
    for i in range(columns):
        cells = [row[i] for row in rows if i < len(row) and not _empty(row[i])]
        aligned.append("right" if cells and all(is_number(c) for c in cells) else "left")
    return aligned


# Shown as nothing: the zero-width space, non-joiner and joiner (of an emoji sequence), word joiner, BOM.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


def _columns(char: str) -> int:
    if char in _ZERO_WIDTH or unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
        return 0  # a mark on the character before it, a variation selector (U+FE0F), a joiner
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def width(text: str) -> int:
    """The columns ``text`` takes in a terminal: two for a wide character (an emoji, a CJK
    ideograph), none for a mark that sits on the character before it (a combining accent, a vowel
    sign, an emoji's variation selector) or a zero-width joiner, one for any other."""
    return sum(_columns(c) for c in text)


def _pad(text: str, columns: int, align: str) -> str:
    room = " " * max(0, columns - width(text))
    return room + text if align == "right" else text + room


def table_text(headers: list[str], rows: list[list], indent: str = "", whole: str | None = None) -> str:
    """A text table: numbers padded on the left, text on the right; a cell beyond the headers is left
    out. Each cell is made fit to show; a cut one ends by saying ``whole``, where the whole value is."""
    align = alignments(len(headers), rows)
    cells = [[visible(c, whole=whole) for c in row] for row in rows]
    heads = [visible(h, whole=None) for h in headers]
    widths = [max([width(h)] + [width(r[i]) for r in cells if i < len(r)]) for i, h in enumerate(heads)]

    def fmt(row: list[str]) -> str:
        padded = (_pad(c, w, a) for c, w, a in zip(row, widths, align, strict=False))
        return (indent + "  ".join(padded)).rstrip()

    return "\n".join([fmt(heads), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells])


def _style(align: str, head: bool = False) -> str:
    return _CELL.format(align) + (_NUMERIC if align == "right" else "") + (_HEAD if head else _BODY)


def _cell(value, whole: str | None) -> Markup | str:
    """A cell's content: Markup (built by `html`) as it is, any other value fit to show (and escaped)."""
    return value if isinstance(value, Markup) else visible(value, whole=whole)


def table_html(headers: list[str], rows: list[list], whole: str | None = None, css: str = "") -> Markup:
    """Finished HTML for a Message (add only Markup to it: a plain string added gets escaped); ``css``
    adds a class of the table's own."""
    align = alignments(len(headers), rows)
    head = join(html('<th style="{}">{}</th>', _style(a, head=True), visible(h, whole=None))
                for h, a in zip(headers, align, strict=True))
    body = join(html("<tr>{}</tr>", join(html('<td style="{}">{}</td>', _style(a), _cell(c, whole))
                                         for c, a in zip(row, align, strict=False)))
                for row in rows)
    return html('<table class="{}" style="{}"><tr>{}</tr>{}</table>', f"smsnb-table {css}".strip(), _TABLE,
                head, body)
