"""%sms explain and %sms errors: both halves of what smsnb knows, found by one word.

Request-time errors (the catalog: Sinch answers the request itself with an error) and
delivery-report codes and statuses (a 201, then the report says what became of each message).
Their numbers overlap (405 is "Method not allowed" as an HTTP status and "Unmatched parameter" as
a delivery code), so a bare number names every meaning it has, and each key names one.
"""
from __future__ import annotations

import difflib
import re

from IPython.core.error import UsageError

from ..card import render
from ..card.outcome import Message
from ..card.safe import html, join
from ..card.table import table_html, table_text
from ..knowledge import catalog, delivery
from . import command

USAGE = "%sms explain CODE"


def entries_for(word: str) -> list:
    """Every entry ``word`` names: a key of either group (``http_405``, ``delivery_405``,
    ``status_aborted``), a status name (``Aborted``), or a bare number, which names the
    request-time entries of that HTTP status and the delivery code of that number."""
    word = word.strip()
    if word.isascii() and word.isdigit() and len(word) <= 6:
        number = int(word)
        code = delivery.get(word)
        return [e for e in catalog.ENTRIES if e.status == number] + ([code] if code else [])
    entry = catalog.get(word) or delivery.get(word)
    return [entry] if entry else []


def explain(word: str) -> Message:
    found = entries_for(word)
    if not found:
        raise UsageError(_not_found(word))
    if len(found) == 1:
        entry = found[0]
        return Message(render.entry_text(entry), render.entry_html(entry), entry)
    return _meanings(word.strip(), found)


def _what(entry) -> str:
    if isinstance(entry, delivery.DeliveryCode):
        return f"delivery-report code {entry.code} ({entry.status}): after a 201, in the delivery report"
    return f"HTTP {entry.status}: Sinch's answer to the request"


def _meanings(word: str, found: list) -> Message:
    """A number with several meanings: each, and how to ask for one."""
    rows = [[entry.key, _what(entry), entry.title] for entry in found]
    head = f"{word} has {len(found)} meanings:"
    ask = "Ask for one: " + ", or ".join(f"%sms explain {entry.key}" for entry in found)
    headers = ["ask for", "what it is", "title"]
    return Message("\n".join([head, table_text(headers, rows), ask]),
                   join([html("<div><b>{}</b></div>", head), table_html(headers, rows),
                         html("<div>{}</div>", ask)]), tuple(found))


def _not_found(word: str) -> str:
    close = suggest(word)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    carrier = ""
    if word.strip().isascii() and word.strip().isdigit():
        carrier = (" A delivery-report code outside 0 and 400 to 413 is the carrier's own (SMPP): "
                   "Sinch's SMPP error code list has it.")
    return (f"No catalog entry {command.shown(word)}.{hint}{carrier} %sms errors lists them all. "
            f"Usage: {USAGE}")


def suggest(word: str) -> list[str]:
    """Keys of either group close to a mistyped one, three at most: first the keys of the same
    number (``http_402`` -> ``delivery_402``), then the request-time ones, then the delivery ones."""
    word = word.strip().lower()
    number = re.fullmatch(r"[a-z]+_(\d{1,6})", word)
    same = [e.key for e in entries_for(number.group(1))] if number else []
    names = {entry.key: entry.key for entry in delivery.CODES}
    names.update({entry.name.lower(): entry.name for entry in delivery.STATUSES})
    close = [names[name] for name in difflib.get_close_matches(word, list(names), n=3, cutoff=0.6)]
    return list(dict.fromkeys(same + catalog.suggest(word) + close))[:3]


def errors() -> Message:
    """Both groups, apart: request-time errors; delivery-report codes and statuses."""
    request = ["status", "key", "title"], [[e.status or "", e.key, e.title] for e in catalog.ENTRIES]
    codes = ["code", "status", "key", "name"], [[e.code, e.status, e.key, e.name] for e in delivery.CODES]
    statuses = (["status", "final", "key", "meaning"],
                [[e.name, "yes" if e.final else "no", e.key, e.meaning] for e in delivery.STATUSES])
    groups = [
        ("Request-time errors: Sinch answers the request itself with an error (%sms explain KEY)", [request]),
        ("Delivery-report codes and statuses: the request got a 201, then the delivery report says what "
         "became of each message (%sms explain delivery_N, %sms explain STATUS)", [codes, statuses]),
    ]
    text = "\n\n".join(title + "\n" + "\n\n".join(table_text(*table) for table in tables)
                       for title, tables in groups)
    shown = join(join([html("<h4 style='margin:8px 0 4px'>{}</h4>", title),
                       join(table_html(*table) for table in tables)]) for title, tables in groups)
    return Message(text, shown, {"request": catalog.ENTRIES, "delivery": delivery.CODES + delivery.STATUSES})
