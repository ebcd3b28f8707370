"""Cards as plain text and static HTML: pure functions of results, entries and rows.

Text is stable (no ids, times, hosts or memory addresses) so nbval can compare it; HTML is styled
inline, so it reads the same on GitHub and nbviewer. Every value a card did not write itself goes
through `visible` (control characters shown escaped, length capped) and all HTML through `html`,
which escapes every value that is not already Markup: escaping is the default, not a habit.
"""
from __future__ import annotations

import json
import re

from ..knowledge import catalog, msisdn
from ..sinch.errors import retry_after_seconds
from ..sinch.paths import NOT_FOUND_REASONS, SANDBOX_GONE
from . import theme
from .outcome import Result
from .retry import header, retry_wait
from .safe import Markup, html, join, visible
from .table import table_html, table_text
from .words import plural

_ENCODING_NAMES = {"text": "GSM-7", "unicode": "UCS-2"}
_MARKED = f"background:{theme.MARKED};color:{theme.TEXT};font-weight:600"  # bold too: not by colour alone
MAX_ROWS = 10  # recipients listed in a card before "… N more"
MAX_HTML_ROWS = 100  # dry-run rows in the HTML card
IN_DATA = "the whole answer is in .data"
IN_PAYLOAD = "the whole request is in .payload"


def _data(value) -> str:
    """A value of a success answer, fit to show."""
    return visible(value, whole=IN_DATA)


def box(css: str, outcome: theme.Outcome) -> Markup:
    """The opening tag of a card's frame (close it with </div>), in the outcome's colour."""
    return html('<div class="smsnb-card {}" style="{}">', css, theme.frame(outcome))


# --- pieces ---------------------------------------------------------------------------------

def code_html(text: str) -> Markup:
    """Inline code (a path, a command, a URL shown as text), in the theme's code style."""
    return html('<code style="{}">{}</code>', theme.CODE_INLINE, text)


def link_html(url: str, text: str) -> Markup:
    return html('<a href="{}" target="_blank" rel="noopener" style="{}">{}</a>', url, theme.LINK_STYLE, text)


def quote_html(said: str) -> Markup:
    """What Sinch's answer said (already fit to show), quoted."""
    return html('<blockquote style="{}">Sinch says: “{}”</blockquote>', theme.QUOTE, said)


def _parts_line(encoded) -> str:
    line = f"{plural(encoded.parts, 'part')}, {encoded.encoding} ({_ENCODING_NAMES[encoded.encoding]})"
    if encoded.forcing_unicode:
        line += f", forced by {' '.join(visible(c) for c in encoded.forcing_unicode)}"
    return line


def as_typed(recipients: list, payload) -> list:
    """Each recipient of Sinch's answer as the request wrote it: Sinch answers 46701234567 for the
    +46701234567 the user typed. Matched by digits; any other recipient (a group id) stays as it is."""
    to = payload.get("to") if isinstance(payload, dict) else None
    typed = msisdn.written_by_digits(to if isinstance(to, list) else ())

    def mapped(recipient):
        digits = recipient.lstrip("+") if isinstance(recipient, str) else ""
        return typed.get(digits, recipient) if digits.isascii() and digits.isdigit() else recipient

    return [mapped(r) for r in recipients]


def _hint_lines(hints, indent: str = "") -> list[str]:
    return [f"{indent}Hint: {visible(h, whole=None)}" for h in hints]


def _more(items: list) -> tuple[list, int]:
    return items[:MAX_ROWS], max(0, len(items) - MAX_ROWS)


def _key_of(line: str) -> str:
    """The key of a top-level line of indented JSON, e.g. '  "to": [' -> "to"."""
    return json.JSONDecoder().raw_decode(line.strip())[0]


def annotated_request(payload, fields: list[str]) -> list[tuple[str, bool]]:
    """The request as indented JSON lines fit to show, each with whether it holds an offending field."""
    from .request_fields import top_field  # loads phonenumbers: only an error card needs it

    if not isinstance(payload, dict):
        return []
    whole = {f for f in fields if "[" not in f}  # "to" marks the field; "to[1]" one element of it
    lines, key, index = [], None, -1
    # Split at "\n" only: splitlines() would also split inside a string holding \x85 or \u2028.
    for line in json.dumps(payload, indent=2, ensure_ascii=False).split("\n"):
        if line.startswith('  "') and not line.startswith("    "):  # a top-level field
            key, index = _key_of(line), -1
            marked = key in whole
        elif line.startswith("    ") and key is not None and not line.strip().startswith(("]", "}")):
            index += 1  # an element of a list field
            marked = key in whole or f"{key}[{index}]" in fields
        else:
            marked = False
        lines.append((visible(line, whole=IN_PAYLOAD), marked))
    missing = [f for f in fields if top_field(f) not in payload]
    if missing and lines:
        closing = lines.pop()
        lines.extend((f'  "{visible(name)}": (missing)', True) for name in missing)
        lines.append(closing)
    return lines


def _answer(result: Result) -> dict:
    return result.data if isinstance(result.data, dict) else {}


def header_value(result: Result, name: str) -> str | None:
    return header(result.error.headers if result.error else result.reply.headers, name)


def location(result: Result) -> str | None:
    """Where a 3xx answer points (its Location header), fit to show; None otherwise."""
    error = result.error
    if error is None or not (error.status and 300 <= error.status < 400):
        return None
    value = header_value(result, "Location")
    return None if value is None else visible(value)


def retry_after_text(result: Result) -> str | None:
    """ "Retry after: 2 s", or what the server sent when smsnb cannot wait that long as it is."""
    raw = header_value(result, "Retry-After")
    if raw is None or not hasattr(result.error, "retry_after"):  # a 429's card says it
        return None
    wait = retry_wait(retry_after_seconds(raw))
    if raw.strip() == f"{wait:g}":  # a plain number of seconds, waited as it is
        return f"Retry after: {wait:g} s"
    return f'Retry after: the server sent "{visible(raw, cap=100)}"; smsnb waits {wait:g} s'


# --- result cards ---------------------------------------------------------------------------

def result_text(result: Result) -> str:
    if not result.ok:
        return error_text(result)
    if result.action == "dry_run":
        return _dry_run_text(result)
    lines = [f"{result.backend} · {result.status} · batch created"]
    recipients, more = _more(as_typed(result.recipients, result.payload))
    lines.append(f"  to: {', '.join(_data(r) for r in recipients)}"
                 + (f" … and {more} more" if more else ""))
    if result.encoded:
        lines.append(f"  parts: {_parts_line(result.encoded)}")
    lines.append(f"  delivery report: {_data(_answer(result).get('delivery_report', 'none'))}")
    lines.append(f"  batch id: {_batch_id(result)}")
    return "\n".join(lines + _hint_lines(result.hints, "  "))


def _batch_id(result: Result) -> str:
    return _data(result.batch_id) if result.batch_id else "(none in the answer)"


def _dry_run_rows(result: Result) -> list[tuple]:
    """(recipient, parts, encoding, forced by, text) of each row Sinch sent, whatever its shape (the
    table makes each fit to show). The recipient is as the request wrote it; the text is the
    recipient's own when it differs from the request's body: parameters filled in, or cut to fit by
    truncate_concat."""
    from ..knowledge.encoding import non_gsm_characters

    rows = _answer(result).get("per_recipient")
    payload = result.payload
    asked = payload.get("body") if isinstance(payload, dict) else None
    rows = rows if isinstance(rows, list) else []
    # One mapping for all rows: a row at a time read the whole `to` again (1000 x 1000).
    typed = iter(as_typed([row.get("recipient") for row in rows if isinstance(row, dict)], payload))
    shown = []
    for row in rows:
        if not isinstance(row, dict):
            shown.append((row, "?", "?", "", ""))
            continue
        body, coding = row.get("body"), row.get("encoding")
        forcing = " ".join(non_gsm_characters(body)) if coding == "unicode" and isinstance(body, str) else ""
        own = body if isinstance(body, str) and body != asked else ""
        shown.append((next(typed), row.get("number_of_parts"), _coding_name(coding), forcing, own))
    return shown


def _coding_name(coding) -> str:
    """ "text (GSM-7)"; an encoding smsnb does not know stands as it is."""
    if not isinstance(coding, str):
        return "?"
    return f"{coding} ({_ENCODING_NAMES[coding]})" if coding in _ENCODING_NAMES else coding


_DRY_RUN_HEADERS = ["recipient", "parts", "encoding", "forced by", "its own text"]


def dry_run_table(rows: list[tuple]) -> tuple[list[str], list[list]]:
    """The dry run's headers and rows, without the columns that are empty in every row (most dry
    runs force no character to UCS-2 and give every recipient the request's body)."""
    kept = [i for i, name in enumerate(_DRY_RUN_HEADERS) if i < 3 or any(row[i] for row in rows)]
    return [_DRY_RUN_HEADERS[i] for i in kept], [[row[i] for i in kept] for row in rows]


def _dry_run_head(result: Result) -> str:
    data = _answer(result)
    return (f"{plural(data.get('number_of_recipients'), 'recipient')}, "
            f"{plural(data.get('number_of_messages'), 'message part')}")


def _dry_run_text(result: Result) -> str:
    lines = [f"{result.backend} · dry run · {_dry_run_head(result)} · nothing sent"]
    shown, more = _more(_dry_run_rows(result))
    if shown:
        lines.append(table_text(*dry_run_table(shown), indent="  ", whole=IN_DATA))
    if more:
        lines.append(f"  … and {more} more")
    return "\n".join(lines + _hint_lines(result.hints, "  "))


def _likely(result: Result) -> str | None:
    """For a 404, which of its usual reasons is most likely here."""
    if result.error.key != "http_404":
        return None
    reason = getattr(result.error, "reason", None)
    if reason == "gone" and result.backend == "SANDBOX":
        return SANDBOX_GONE
    return NOT_FOUND_REASONS.get(reason)


def error_text(result: Result) -> str:
    error, entry = result.error, result.entry
    status = f"{error.status} · " if error.status else ""
    lines = [f"{result.backend} · {status}{visible(entry.key)}: {entry.title}"]
    if error.text:
        lines.append(f'Sinch says: "{visible(error.text, newlines=True)}"')
    elif error.message and not error.status:
        lines.append(visible(error.message, newlines=True))
    if location(result):
        lines.append(f"Location: {location(result)}")
    lines += _explanation_lines(entry, _likely(result))
    retry_after = retry_after_text(result)
    if retry_after:
        lines.append(retry_after)
    request_lines = _request_lines(result)
    if request_lines:
        lines.append(f"Request sent: {error.request.method} {visible(error.request.path)}" if error.request
                     else "Request:")
        lines += [("> " if marked else "  ") + line for line, marked in request_lines]
    lines += _hint_lines(error_hints(result))
    lines.append(f"Docs: {entry.doc_url}")
    return "\n".join(lines)


def _request_lines(result: Result) -> list[tuple[str, bool]]:
    """The request's lines fit to show, each with whether it holds a field at fault."""
    from .request_fields import offending_fields  # loads phonenumbers: only an error card needs it

    payload = result.payload
    fields = offending_fields(result.error.key, result.error.text,
                              payload if isinstance(payload, dict) else None)
    if isinstance(payload, dict):
        return annotated_request(payload, fields)
    if result.raw_body is not None:
        return [(visible(line, whole=IN_PAYLOAD), False) for line in result.raw_body.splitlines()[:40]]
    return []


def result_html(result: Result) -> Markup:
    if not result.ok:
        return error_html(result)
    return join([box("smsnb-success", theme.Outcome.SUCCESS), success_body_html(result), Markup("</div>")])


def success_body_html(result: Result) -> Markup:
    """What a success card (a batch created, or a dry run) says, without a frame: the widget card
    draws its own."""
    body = _dry_run_html(result) if result.action == "dry_run" else _sent_html(result)
    return join([theme.badge(result.backend), Markup(" "), body, hints_html(result.hints)])


def _dry_run_html(result: Result) -> Markup:
    rows = _dry_run_rows(result)
    more = max(0, len(rows) - MAX_HTML_ROWS)
    table = table_html(*dry_run_table(rows[:MAX_HTML_ROWS]), whole=IN_DATA) if rows else Markup()
    return html("<b>dry run</b>: {}, nothing sent{}{}", _dry_run_head(result), table,
                html("<div>… and {} more</div>", more) if more else Markup())


def _sent_html(result: Result) -> Markup:
    recipients, more = _more(as_typed(result.recipients, result.payload))
    body = html("<b>{} · batch created</b><br>batch id {}<br>to {}{}<br>", result.status,
                code_html(_batch_id(result)), ", ".join(_data(r) for r in recipients),
                f" … and {more} more" if more else "")
    if result.encoded:
        body += html("{}<br>", _parts_line(result.encoded))
    return body + html("delivery report: {}", _data(_answer(result).get("delivery_report", "none")))


def details_html(entry: catalog.Entry) -> Markup:
    """What it means, likely causes and steps: folded, so the card leads with the problem."""
    return html("<details><summary>What it means, likely causes, what to do</summary>{}</details>",
                _explanation_html(entry))


def request_html(result: Result) -> Markup:
    """The request as sent, the offending field marked; never the Authorization header."""
    request_lines = _request_lines(result)
    if not request_lines:
        return Markup()
    shown = join((html('<mark style="{}">{}</mark>', _MARKED, line) if marked else line
                  for line, marked in request_lines), "\n")
    error = result.error
    where = f"{error.request.method} {visible(error.request.path)}" if error and error.request else "request"
    return html('<div>Request sent: {}</div><pre style="{}">{}</pre>', code_html(where), theme.CODE_BLOCK,
                shown)


def sinch_text_html(result: Result) -> Markup:
    error = result.error
    if error.text:
        return quote_html(visible(error.text, newlines=True))
    return html("<div>{}</div>", visible(error.message, newlines=True)) if error.message else Markup()


def location_html(result: Result) -> Markup:
    """Where a 3xx answer points: shown as text, never as a link."""
    where = location(result)
    return html("<div>Location: {}</div>", code_html(where)) if where else Markup()


def error_header_html(result: Result) -> Markup:
    error, entry = result.error, result.entry
    status = f"{error.status} · " if error.status else ""
    return html("{} <b>{}</b>: {}", theme.badge(result.backend), status + visible(entry.key), entry.title)


def error_hints(result: Result) -> tuple[str, ...]:
    """The hints an error card shows: not one about a number whose type Sinch's own text already
    names (the illegal_number_type card would say it twice); other numbers' hints stay."""
    error = result.error
    if error is None or error.key != "illegal_number_type" or not error.text:
        return tuple(result.hints)
    payload = result.payload
    to = payload.get("to") if isinstance(payload, dict) else None
    numbers = [raw for raw in to if isinstance(raw, str) and raw.strip()] if isinstance(to, list) else []
    named = [raw for raw in numbers if _names(error.text, raw)]  # the numbers Sinch's text names
    return tuple(hint for hint in result.hints if not (
        hint.endswith("(illegal_number_type).") and any(hint.startswith(f"{raw} is ") for raw in named)))


def _names(text: str, number: str) -> bool:
    """Whether ``text`` names ``number`` (+46812345678, not a longer number that starts with it)."""
    return re.search(rf"(?<![0-9+]){re.escape(number)}(?![0-9])", text) is not None


def hints_html(hints) -> Markup:
    return join(html("<div><b>Hint:</b> {}</div>", visible(h, whole=None)) for h in hints)


def docs_html(entry: catalog.Entry) -> Markup:
    return html("<div>{} · {}</div>", link_html(entry.doc_url, "Sinch documentation"),
                code_html(f"%sms explain {visible(entry.key)}"))


def error_html(result: Result) -> Markup:
    entry = result.entry
    parts = [box("smsnb-error", theme.Outcome.ERROR), error_header_html(result), sinch_text_html(result),
             location_html(result)]
    likely = _likely(result)
    if likely:
        parts.append(html("<div><b>Most likely here:</b> {}</div>", likely))
    parts += [details_html(entry), request_html(result), hints_html(error_hints(result)), docs_html(entry),
              Markup("</div>")]
    return join(parts)


# --- catalog and tables ---------------------------------------------------------------------

def _explanation_lines(entry: catalog.Entry, likely: str | None = None) -> list[str]:
    """What it means, (what is most likely here,) likely causes, what to do: as text lines."""
    lines = [f"What it means: {entry.meaning}"] + ([f"Most likely here: {likely}"] if likely else [])
    lines += ["Likely causes:"] + [f"  {i}. {cause}" for i, cause in enumerate(entry.causes, 1)]
    return lines + ["What to do:"] + [f"  - {step}" for step in entry.steps]


def _explanation_html(entry: catalog.Entry) -> Markup:
    causes = join(html("<li>{}</li>", c) for c in entry.causes)
    steps = join(html("<li>{}</li>", s) for s in entry.steps)
    return html("<p>{}</p><b>Likely causes</b><ol>{}</ol><b>What to do</b><ul>{}</ul>",
                entry.meaning, causes, steps)


FIELDS = "Fields to change"  # the fields of the request that a fix of this error changes


def entry_text(entry: catalog.Entry) -> str:
    lines = [entry.headline, entry.title] + _explanation_lines(entry)
    if entry.fields:
        lines.append(f"{FIELDS}: {', '.join(entry.fields)}")
    lines.append(f"Docs: {entry.doc_url}")
    return "\n".join(lines)


def entry_html(entry: catalog.Entry, said: str = "") -> Markup:
    """Finished HTML for a Message (add only Markup to it: a plain string added gets escaped);
    ``said``, what Sinch's answer said (fit to show), is quoted under the heading."""
    fields = Markup()
    if entry.fields:
        fields = html("<div>{}: {}</div>", FIELDS, code_html(", ".join(entry.fields)))
    return join([box("smsnb-explain", theme.Outcome.NEUTRAL),
                 html("<b>{}</b>: {}", entry.headline, entry.title), quote_html(said) if said else Markup(),
                 _explanation_html(entry), fields,
                 html("<div>{}</div>", link_html(entry.doc_url, "Sinch documentation")), Markup("</div>")])
