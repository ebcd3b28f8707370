"""Cards as plain text and static HTML: pure functions of results, entries and rows.

Text is stable (no ids, times, hosts or memory addresses) so nbval can compare it; HTML is styled
inline, so it reads the same on GitHub and nbviewer. Every value a card did not write itself goes
through `visible` (control characters shown escaped, length capped) and all HTML through `html`,
which escapes every value that is not already Markup: escaping is the default, not a habit.
"""
from __future__ import annotations

import json

from ..knowledge import catalog
from ..sinch.errors import retry_after_seconds
from ..sinch.paths import NOT_FOUND_REASONS
from .outcome import Result
from .retry import header, retry_wait
from .safe import Markup, html, join, visible

_ENCODING_NAMES = {"text": "GSM-7", "unicode": "UCS-2"}
_BADGE = {"SANDBOX": "#3b6ea8", "LIVE": "#b3541e"}
_BOX = ("font-family:system-ui,sans-serif;font-size:13px;border:1px solid {c};border-left:5px solid {c};"
        "border-radius:4px;padding:8px 12px;margin:4px 0;max-width:60em")
MAX_ROWS = 10  # recipients listed in a card before "… N more"
MAX_HTML_ROWS = 100  # dry-run rows in the HTML card
IN_DATA = "the whole answer is in .data"
IN_PAYLOAD = "the whole request is in .payload"


def _data(value) -> str:
    """A value of a success answer, fit to show."""
    return visible(value, whole=IN_DATA)


def box(css: str, color: str) -> Markup:
    """The opening tag of a card's box (close it with </div>): a border of ``color``."""
    return html('<div class="smsnb-card {}" style="{}">', css, _BOX.format(c=color))


# --- pieces ---------------------------------------------------------------------------------

def badge(backend: str) -> Markup:
    """SANDBOX or LIVE, as a coloured label."""
    return html('<span style="background:{};color:#fff;border-radius:3px;padding:1px 6px;font-size:11px;'
                'font-weight:600">{}</span>', _BADGE.get(backend, "#666"), backend)


def _parts_line(encoded) -> str:
    plural = "s" if encoded.parts != 1 else ""
    line = f"{encoded.parts} part{plural}, {encoded.encoding} ({_ENCODING_NAMES[encoded.encoding]})"
    if encoded.forcing_unicode:
        line += f", forced by {' '.join(visible(c) for c in encoded.forcing_unicode)}"
    return line


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
    recipients, more = _more(result.recipients)
    lines.append(f"  to: {', '.join(_data(r) for r in recipients)}"
                 + (f" … and {more} more" if more else ""))
    if result.encoded:
        lines.append(f"  parts: {_parts_line(result.encoded)}")
    lines.append(f"  delivery report: {_data(_answer(result).get('delivery_report', 'none'))}")
    lines.append("  batch id: in .batch_id")
    lines += [f"  hint: {visible(h, whole=None)}" for h in result.hints]
    return "\n".join(lines)


def _dry_run_rows(result: Result) -> list[tuple[str, str, str, str, str]]:
    """(recipient, parts, encoding, forced by, text) of each row Sinch sent, fit to show, whatever its
    shape. The text is the recipient's own when it differs from the request's body: parameters
    filled in, or cut to fit by truncate_concat."""
    from ..knowledge.encoding import non_gsm_characters

    rows = _answer(result).get("per_recipient")
    payload = result.payload
    asked = payload.get("body") if isinstance(payload, dict) else None
    shown = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            shown.append((_data(row), "?", "?", "", ""))
            continue
        body, coding = row.get("body"), row.get("encoding")
        forcing = " ".join(non_gsm_characters(body)) if coding == "unicode" and isinstance(body, str) else ""
        own = body if isinstance(body, str) and body != asked else ""
        values = (row.get("recipient"), row.get("number_of_parts"), coding, forcing, own)
        shown.append(tuple(_data(value) for value in values))
    return shown


def _coding_name(coding: str) -> str:
    """ "text (GSM-7)"; an encoding smsnb does not know stands as it is."""
    return f"{coding} ({_ENCODING_NAMES.get(coding, coding)})"


def _dry_run_text(result: Result) -> str:
    data = _answer(result)
    lines = [f"{result.backend} · dry run · {_data(data.get('number_of_recipients'))} recipient(s), "
             f"{_data(data.get('number_of_messages'))} message part(s) · nothing sent"]
    rows = _dry_run_rows(result)
    shown, more = _more(rows)
    for recipient, parts, coding, forcing, own in shown:
        line = f"  {recipient}: {parts} part(s), {_coding_name(coding)}"
        lines.append(line + (f", forced by {forcing}" if forcing else ""))
        if own:
            lines.append(f'    text: "{own}"')
    if more:
        lines.append(f"  … and {more} more")
    lines += [f"  hint: {visible(h, whole=None)}" for h in result.hints]
    return "\n".join(lines)


def _likely(result: Result) -> str | None:
    """For a 404, which of its usual reasons is most likely here."""
    if result.error.key != "http_404":
        return None
    return NOT_FOUND_REASONS.get(getattr(result.error, "reason", None))


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
    lines += [f"hint: {visible(h, whole=None)}" for h in result.hints]
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
    if result.action == "dry_run":
        data = _answer(result)
        cells = "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
        rows = join(html(cells, r, p, _coding_name(c), f, own)
                    for r, p, c, f, own in _dry_run_rows(result)[:MAX_HTML_ROWS])
        body = html("<b>dry run</b>: {} recipient(s), {} message part(s), nothing sent<table><tr>"
                    "<th>recipient</th><th>parts</th><th>encoding</th><th>forced by</th>"
                    "<th>its own text</th></tr>{}</table>",
                    _data(data.get("number_of_recipients")), _data(data.get("number_of_messages")), rows)
    else:
        recipients, more = _more(result.recipients)
        body = html("<b>{} · batch created</b><br>batch id <code>{}</code><br>to {}{}<br>", result.status,
                    _data(result.batch_id), ", ".join(_data(r) for r in recipients),
                    f" … and {more} more" if more else "")
        if result.encoded:
            body += html("{}<br>", _parts_line(result.encoded))
        body += html("delivery report: {}", _data(_answer(result).get("delivery_report", "none")))
    return join([box("smsnb-success", "#2e7d32"), badge(result.backend), Markup(" "), body,
                 hints_html(result.hints), Markup("</div>")])


def details_html(entry: catalog.Entry) -> Markup:
    """What it means, likely causes and steps: folded, so the card leads with the problem."""
    return html("<details><summary>What it means, likely causes, what to do</summary>{}</details>",
                _explanation_html(entry))


def request_html(result: Result) -> Markup:
    """The request as sent, the offending field marked; never the Authorization header."""
    request_lines = _request_lines(result)
    if not request_lines:
        return Markup()
    shown = join((html("<mark>{}</mark>", line) if marked else line for line, marked in request_lines), "\n")
    error = result.error
    where = f"{error.request.method} {visible(error.request.path)}" if error and error.request else "request"
    return html('<div>Request sent: <code>{}</code></div>'
                '<pre style="margin:4px 0;background:#f6f6f6;padding:4px">{}</pre>', where, shown)


def sinch_text_html(result: Result) -> Markup:
    error = result.error
    if error.text:
        return html('<blockquote style="margin:6px 0;padding-left:8px;border-left:3px solid #ccc">'
                    "Sinch says: “{}”</blockquote>", visible(error.text, newlines=True))
    return html("<div>{}</div>", visible(error.message, newlines=True)) if error.message else Markup()


def location_html(result: Result) -> Markup:
    """Where a 3xx answer points: shown as text, never as a link."""
    where = location(result)
    return html("<div>Location: <code>{}</code></div>", where) if where else Markup()


def error_header_html(result: Result) -> Markup:
    error, entry = result.error, result.entry
    status = f"{error.status} · " if error.status else ""
    return html("{} <b>{}</b>: {}", badge(result.backend), status + visible(entry.key), entry.title)


def hints_html(hints) -> Markup:
    return join(html("<div><b>Hint:</b> {}</div>", visible(h, whole=None)) for h in hints)


def docs_html(entry: catalog.Entry) -> Markup:
    return html('<div><a href="{}" target="_blank" rel="noopener">Sinch documentation</a>'
                " · <code>%sms explain {}</code></div>", entry.doc_url, visible(entry.key))


def error_html(result: Result) -> Markup:
    entry = result.entry
    parts = [box("smsnb-error", "#c62828"), error_header_html(result), sinch_text_html(result),
             location_html(result)]
    likely = _likely(result)
    if likely:
        parts.append(html("<div><b>Most likely here:</b> {}</div>", likely))
    parts += [details_html(entry), request_html(result), hints_html(result.hints), docs_html(entry),
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


def entry_text(entry: catalog.Entry) -> str:
    lines = [entry.headline, entry.title] + _explanation_lines(entry)
    if entry.fields:
        lines.append(f"Fields a fix touches: {', '.join(entry.fields)}")
    lines.append(f"Docs: {entry.doc_url}")
    return "\n".join(lines)


def entry_html(entry: catalog.Entry) -> Markup:
    """Finished HTML for a Message (add only Markup to it: a plain string added gets escaped)."""
    fields = Markup()
    if entry.fields:
        fields = html("<div>Fields a fix touches: <code>{}</code></div>", ", ".join(entry.fields))
    link = html('<a href="{}" target="_blank" rel="noopener">Sinch documentation</a></div>', entry.doc_url)
    return join([box("smsnb-explain", "#555"), html("<b>{}</b>: {}", entry.headline, entry.title),
                 _explanation_html(entry), fields, link])


def table_text(headers: list[str], rows: list[list]) -> str:
    cells = [[visible(c, whole=None) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def fmt(row: list[str]) -> str:  # a cell beyond the headers is left out
        return "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells])


def table_html(headers: list[str], rows: list[list]) -> Markup:
    """Finished HTML for a Message (add only Markup to it: a plain string added gets escaped)."""
    head = join(html("<th style='text-align:left'>{}</th>", h) for h in headers)
    cells = ([html("<td>{}</td>", visible(c, whole=None)) for c in row] for row in rows)
    body = join(html("<tr>{}</tr>", join(row)) for row in cells)
    return html('<table class="smsnb-table"><tr>{}</tr>{}</table>', head, body)
