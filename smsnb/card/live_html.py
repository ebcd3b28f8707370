"""HTML for the parts of the interactive card that change while it lives: a form's before/after
diff, the batches "Look first" found, and the delivery report. Built with `safe.html` only."""
from __future__ import annotations

from .delivery_html import label, who
from .report import Group, report_html
from .safe import Markup, html, join, visible

MAX_MATCHES = 20  # matching batches listed by "Look first"
MAX_DIFF_LINES = 30  # lines of a before/after diff (a batch of 1000 recipients is 2000 lines)

WAITING = Markup("<i>Delivery status: waiting for the first report…</i>")
NO_REPORT = Markup("<i>Delivery status: no report yet…</i>")
STOPPED = Markup("<i>Delivery status: no longer watched; the sandbox stopped.</i>")
_COLORS = {"Delivered": "#2e7d32", "Failed": "#c62828", "Rejected": "#c62828", "Aborted": "#c62828",
           "Deleted": "#c62828", "Expired": "#b3541e", "Unknown": "#b3541e"}


def diff_html(lines: list[str]) -> Markup:
    """The lines of `request_fields.request_diff`, added ones green and removed ones red."""
    if not lines:
        return Markup()
    colors = {"+": "#e6ffec", "-": "#ffebe9"}
    body = join((html("<span style='background:{}'>{}</span>", colors.get(line[:1], "transparent"),
                      visible(line, whole="the whole request is in the form"))
                 for line in lines[:MAX_DIFF_LINES]), "\n")
    more = len(lines) - MAX_DIFF_LINES
    return html("<div><b>Before → after</b></div>"
                "<pre style='margin:2px 0;background:#f6f6f6;padding:4px'>{}{}</pre>", body,
                f"\n… and {more} more lines" if more > 0 else "")


def _listed(value) -> str:
    """A value of a batch, fit to show; a list as its items, comma-separated."""
    items = value if isinstance(value, list) else [value]
    return ", ".join(visible(x, whole=None) for x in items)


def matches_html(batches: list) -> Markup:
    """The batches that match the request: id, when it was created, and to whom."""
    if not batches:
        return Markup("<div>No batch matches this request: it was most likely not sent. "
                      "Resend is enabled.</div>")
    rows = join(html("<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", _listed(b.get("id")),
                     _listed(b.get("created_at")), _listed(b.get("to")))
                for b in (b if isinstance(b, dict) else {"id": b} for b in batches[:MAX_MATCHES]))
    more = len(batches) - MAX_MATCHES
    return html("<div><b>{} matching batch(es): the SMS was most likely sent.</b> Resend only to send it "
                "again (tick the box).</div><table><tr><th>id</th><th>created_at</th><th>to</th></tr>{}"
                "</table>{}", len(batches), rows, html("<div>… and {} more</div>", more) if more > 0 else "")


def look_failed_html(error) -> Markup:
    return html("<div>Could not list the batches: {}</div>", visible(error, whole=None))


def _group_line(group: Group) -> Markup:
    shown = who(group)
    return html("<span style='margin-right:1em'><b style='color:{}'>{}</b> × {}{}</span>",
                _COLORS.get(group.status, "#555"), label(group), group.count, f": {shown}" if shown else "")


def report_status_html(found: list[Group], final: bool) -> Markup:
    """The delivery report now, a line per status and code; when something failed, the groups as a
    table with what each failure means. A thousand recipients are a few groups, not a thousand rows."""
    if not found:
        return NO_REPORT
    title = "Delivery status (final)" if final else "Delivery status"
    if any(group.failed for group in found):
        return html("<div><b>{}</b></div>{}", title, report_html(found))
    return html("<div>{}: {}</div>", title, join(_group_line(group) for group in found))


def status_unavailable_html(error) -> Markup:
    """A poll that failed: said, and tried again a few times."""
    return html("<i>Delivery status unavailable: {}</i>", visible(error, whole=None))
