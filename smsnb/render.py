"""Cards as plain text and static HTML: pure functions of results, entries and rows.

Text is stable (no ids, times, hosts or memory addresses) so nbval can compare it; HTML is
escaped and styled inline, so it reads the same on GitHub and nbviewer.
"""
from __future__ import annotations

import json
from html import escape

from . import catalog
from .results import Result
from .sinch.paths import NOT_FOUND_REASONS

_ENCODING_NAMES = {"text": "GSM-7", "unicode": "UCS-2"}
_BADGE = {"SANDBOX": "#3b6ea8", "LIVE": "#b3541e"}
_BOX = ("font-family:system-ui,sans-serif;font-size:13px;border:1px solid {c};border-left:5px solid {c};"
        "border-radius:4px;padding:8px 12px;margin:4px 0;max-width:60em")
MAX_ROWS = 10  # recipients listed in a card before "… N more"


# --- pieces ---------------------------------------------------------------------------------

def _badge(backend: str) -> str:
    return (f'<span style="background:{_BADGE.get(backend, "#666")};color:#fff;border-radius:3px;'
            f'padding:1px 6px;font-size:11px;font-weight:600">{escape(backend)}</span>')


def _parts_line(encoded) -> str:
    line = f"{encoded.parts} part{'s' if encoded.parts != 1 else ''}, {encoded.encoding} ({_ENCODING_NAMES[encoded.encoding]})"
    if encoded.forcing_unicode:
        line += f", forced by {' '.join(encoded.forcing_unicode)}"
    return line


def _more(items: list[str]) -> tuple[list[str], int]:
    return items[:MAX_ROWS], max(0, len(items) - MAX_ROWS)


def annotated_request(payload, fields: list[str]) -> list[tuple[str, bool]]:
    """The request as indented JSON lines, each with whether it holds an offending field."""
    from .fixes import top_field  # fixes loads phonenumbers: only an error card needs it

    if not isinstance(payload, dict):
        return []
    whole = {f for f in fields if "[" not in f}  # "to" marks the field; "to[1]" one element of it
    lines, key, index = [], None, -1
    for line in json.dumps(payload, indent=2, ensure_ascii=False).splitlines():
        if line.startswith('  "') and not line.startswith("    "):  # a top-level field
            key, index = json.loads(line.strip().split('":', 1)[0] + '"'), -1
            marked = key in whole
        elif line.startswith("    ") and key is not None and not line.strip().startswith(("]", "}")):
            index += 1  # an element of a list field
            marked = key in whole or f"{key}[{index}]" in fields
        else:
            marked = False
        lines.append((line, marked))
    missing = [f for f in fields if top_field(f) not in payload]
    if missing and lines:
        closing = lines.pop()
        lines.extend((f'  "{name}": (missing)', True) for name in missing)
        lines.append(closing)
    return lines


# --- result cards ---------------------------------------------------------------------------

def result_text(result: Result) -> str:
    if not result.ok:
        return error_text(result)
    if result.action == "dry_run":
        return _dry_run_text(result)
    lines = [f"{result.backend} · {result.status} · batch created"]
    recipients, more = _more(result.recipients)
    lines.append(f"  to: {', '.join(recipients)}" + (f" … and {more} more" if more else ""))
    if result.encoded:
        lines.append(f"  parts: {_parts_line(result.encoded)}")
    data = result.data or {}
    lines.append(f"  delivery report: {data.get('delivery_report', 'none')}")
    lines.append("  batch id: in .batch_id")
    lines += [f"  hint: {h}" for h in result.hints]
    return "\n".join(lines)


def _dry_run_rows(result: Result) -> list[tuple[str, int, str, str]]:
    from .encoding import non_gsm_characters

    rows = []
    for row in (result.data or {}).get("per_recipient") or []:
        body = row.get("body") if isinstance(row.get("body"), str) else ""
        forcing = " ".join(non_gsm_characters(body)) if row.get("encoding") == "unicode" else ""
        rows.append((str(row.get("recipient")), row.get("number_of_parts"), str(row.get("encoding")), forcing))
    return rows


def _dry_run_text(result: Result) -> str:
    data = result.data or {}
    lines = [f"{result.backend} · dry run · {data.get('number_of_recipients')} recipient(s), "
             f"{data.get('number_of_messages')} message part(s) · nothing sent"]
    rows = _dry_run_rows(result)
    shown, more = _more(rows)
    for recipient, parts, coding, forcing in shown:
        line = f"  {recipient}: {parts} part(s), {coding} ({_ENCODING_NAMES.get(coding, coding)})"
        lines.append(line + (f", forced by {forcing}" if forcing else ""))
    if more:
        lines.append(f"  … and {more} more")
    lines += [f"  hint: {h}" for h in result.hints]
    return "\n".join(lines)


def error_text(result: Result) -> str:
    error, entry = result.error, result.entry
    status = f"{error.status} · " if error.status else ""
    lines = [f"{result.backend} · {status}{entry.key}: {entry.title}"]
    if error.text:
        lines.append(f'Sinch says: "{error.text}"')
    elif error.message and not error.status:
        lines.append(error.message)
    likely = NOT_FOUND_REASONS[error.reason] if error.key == "http_404" else None
    lines += _explanation_lines(entry, likely)
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        lines.append(f"Retry after: {retry_after:g} s")
    request_lines = _request_lines(result)
    if request_lines:
        lines.append(f"Request sent: {error.request.method} {error.request.path}" if error.request else "Request:")
        lines += [("> " if marked else "  ") + line for line, marked in request_lines]
    lines += [f"hint: {h}" for h in result.hints]
    lines.append(f"Docs: {entry.doc_url}")
    return "\n".join(lines)


def _request_lines(result: Result) -> list[tuple[str, bool]]:
    from .fixes import offending_fields

    payload = result.payload
    fields = offending_fields(result.error.key, result.error.text, payload if isinstance(payload, dict) else None)
    if isinstance(payload, dict):
        return annotated_request(payload, fields)
    if result.raw_body is not None:
        return [(line, False) for line in result.raw_body.splitlines()[:40]]
    return []


def result_html(result: Result) -> str:
    if not result.ok:
        return error_html(result)
    color = "#2e7d32"
    if result.action == "dry_run":
        data = result.data or {}
        rows = "".join(
            f"<tr><td>{escape(r)}</td><td>{escape(str(p))}</td><td>{escape(c)} ({_ENCODING_NAMES.get(c, c)})</td>"
            f"<td>{escape(f)}</td></tr>" for r, p, c, f in _dry_run_rows(result)[:100])
        body = (f"<b>dry run</b>: {escape(str(data.get('number_of_recipients')))} recipient(s), "
                f"{escape(str(data.get('number_of_messages')))} message part(s), nothing sent"
                f"<table><tr><th>recipient</th><th>parts</th><th>encoding</th><th>forced by</th></tr>{rows}</table>")
    else:
        recipients, more = _more(result.recipients)
        body = (f"<b>{result.status} · batch created</b><br>batch id <code>{escape(str(result.batch_id))}</code><br>"
                f"to {escape(', '.join(recipients))}{f' … and {more} more' if more else ''}<br>")
        if result.encoded:
            body += f"{escape(_parts_line(result.encoded))}<br>"
        body += f"delivery report: {escape(str((result.data or {}).get('delivery_report', 'none')))}"
    hints = hints_html(result.hints)
    return (f'<div class="smsnb-card smsnb-success" style="{_BOX.format(c=color)}">'
            f"{_badge(result.backend)} {body}{hints}</div>")


def details_html(entry: catalog.Entry) -> str:
    """What it means, likely causes and steps: folded, so the card leads with the problem."""
    return f"<details><summary>What it means, likely causes, what to do</summary>{_explanation_html(entry)}</details>"


def request_html(result: Result) -> str:
    """The request as sent, the offending field marked; never the Authorization header."""
    request_lines = _request_lines(result)
    if not request_lines:
        return ""
    shown = "\n".join(f"<mark>{escape(line)}</mark>" if marked else escape(line) for line, marked in request_lines)
    error = result.error
    where = f"{error.request.method} {error.request.path}" if error and error.request else "request"
    return (f"<div>Request sent: <code>{escape(where)}</code></div>"
            f'<pre style="margin:4px 0;background:#f6f6f6;padding:4px">{shown}</pre>')


def sinch_text_html(result: Result) -> str:
    error = result.error
    if error.text:
        return (f'<blockquote style="margin:6px 0;padding-left:8px;border-left:3px solid #ccc">'
                f"Sinch says: “{escape(error.text)}”</blockquote>")
    return f"<div>{escape(error.message)}</div>" if error.message else ""


def error_header_html(result: Result) -> str:
    error, entry = result.error, result.entry
    status = f"{error.status} · " if error.status else ""
    return f"{_badge(result.backend)} <b>{escape(status + entry.key)}</b>: {escape(entry.title)}"


def hints_html(hints) -> str:
    return "".join(f"<div><b>Hint:</b> {escape(h)}</div>" for h in hints)


def docs_html(entry: catalog.Entry) -> str:
    return (f'<div><a href="{escape(entry.doc_url)}" target="_blank" rel="noopener">Sinch documentation</a>'
            f" · <code>%sms explain {escape(entry.key)}</code></div>")


def error_html(result: Result) -> str:
    error, entry = result.error, result.entry
    parts = [f'<div class="smsnb-card smsnb-error" style="{_BOX.format(c="#c62828")}">', error_header_html(result),
             sinch_text_html(result)]
    if error.key == "http_404":
        parts.append(f"<div><b>Most likely here:</b> {escape(NOT_FOUND_REASONS[error.reason])}</div>")
    parts += [details_html(entry), request_html(result)]
    parts.append(hints_html(result.hints))
    parts += [docs_html(entry), "</div>"]
    return "".join(parts)


# --- catalog and tables ---------------------------------------------------------------------

def _explanation_lines(entry: catalog.Entry, likely: str | None = None) -> list[str]:
    """What it means, (what is most likely here,) likely causes, what to do: as text lines."""
    lines = [f"What it means: {entry.meaning}"] + ([f"Most likely here: {likely}"] if likely else [])
    lines += ["Likely causes:"] + [f"  {i}. {cause}" for i, cause in enumerate(entry.causes, 1)]
    return lines + ["What to do:"] + [f"  - {step}" for step in entry.steps]


def _explanation_html(entry: catalog.Entry) -> str:
    causes = "".join(f"<li>{escape(c)}</li>" for c in entry.causes)
    steps = "".join(f"<li>{escape(s)}</li>" for s in entry.steps)
    return f"<p>{escape(entry.meaning)}</p><b>Likely causes</b><ol>{causes}</ol><b>What to do</b><ul>{steps}</ul>"


def entry_text(entry: catalog.Entry) -> str:
    lines = [entry.headline, entry.title] + _explanation_lines(entry)
    if entry.fields:
        lines.append(f"Fields a fix touches: {', '.join(entry.fields)}")
    lines.append(f"Docs: {entry.doc_url}")
    return "\n".join(lines)


def entry_html(entry: catalog.Entry) -> str:
    fields = f"<div>Fields a fix touches: <code>{escape(', '.join(entry.fields))}</code></div>" if entry.fields else ""
    return (f'<div class="smsnb-card smsnb-explain" style="{_BOX.format(c="#555")}">'
            f"<b>{escape(entry.headline)}</b>: {escape(entry.title)}{_explanation_html(entry)}{fields}"
            f'<a href="{escape(entry.doc_url)}" target="_blank" rel="noopener">Sinch documentation</a></div>')


def table_text(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    fmt = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells])


def table_html(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="smsnb-table"><tr>{head}</tr>{body}</table>'
