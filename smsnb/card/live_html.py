"""HTML for the parts of the interactive card that change while it lives: a form's before/after
diff, the batches "Look first" found, and the delivery report. Built with `safe.html` only, styled
by `theme` (text keeps the theme's colour; an outcome shows as a dot beside the words)."""
from __future__ import annotations

from . import theme
from .delivery_html import label, who
from .render import code_html
from .report import Group, report_html
from .safe import Markup, html, join, visible
from .table import table_html
from .theme import Outcome
from .words import plural

MAX_MATCHES = 20  # matching batches listed by "Look first"
MAX_DIFF_LINES = 30  # lines of a before/after diff (a batch of 1000 recipients is 2000 lines)


def status_region(content: Markup) -> Markup:
    """A line that changes (a delivery status, a form's status, a countdown), in a live region: a
    screen reader says each new value."""
    return html('<div role="status" aria-live="polite">{}</div>', content)


WAITING = status_region(Markup("<i>Delivery status: waiting for the first report…</i>"))
NO_REPORT = status_region(Markup("<i>Delivery status: no report yet…</i>"))
STOPPED = status_region(Markup("<i>Delivery status: no longer watched; the sandbox stopped.</i>"))
CANCELLED = status_region(Markup("<i>Delivery status: the batch was cancelled before it was sent; no "
                                 "message went out, so no report will come.</i>"))


def gave_up_html(seconds: float) -> Markup:
    """Polling ended without a final status: where to look later."""
    return status_region(html("<i>Delivery status: no longer watched after {} without a final status; "
                              "<code>%sms report</code> shows it later.</i>",
                              f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} s"))


def scheduled_html(send_at: str) -> Markup:
    """A batch whose send time is ahead: Sinch has no report for it until then."""
    return status_region(html("<i>Delivery status: scheduled for {}; Sinch has no report until then. "
                              "<code>%sms report</code> after that time shows it.</i>",
                              visible(send_at, cap=60, whole=None)))
_OUTCOMES = {"Delivered": Outcome.SUCCESS, "Failed": Outcome.ERROR, "Rejected": Outcome.ERROR,
             "Aborted": Outcome.ERROR, "Deleted": Outcome.ERROR, "Expired": Outcome.WARNING,
             "Unknown": Outcome.WARNING}
_LINE_BACKGROUNDS = {"+": theme.ADDED, "-": theme.REMOVED}


def diff_html(lines: list[str]) -> Markup:
    """The lines of `request_fields.request_diff`, added ones on green and removed ones on red."""
    if not lines:
        return Markup()
    body = join((html("<span style='background:{};color:{}'>{}</span>",
                      _LINE_BACKGROUNDS.get(line[:1], "transparent"), theme.TEXT,
                      visible(line, whole="the whole request is in the form"))
                 for line in lines[:MAX_DIFF_LINES]), "\n")
    more = len(lines) - MAX_DIFF_LINES
    return html("<div><b>Before → after</b></div><pre style='{}'>{}{}</pre>", theme.CODE_BLOCK, body,
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
    rows = [[code_html(_listed(b.get("id"))), _listed(b.get("created_at")), _listed(b.get("to"))]
            for b in (b if isinstance(b, dict) else {"id": b} for b in batches[:MAX_MATCHES])]
    more = len(batches) - MAX_MATCHES
    return html("<div><b>{}: the SMS was most likely sent.</b> Resend only to send it "
                "again (tick the box).</div>{}{}",
                plural(len(batches), "matching batch", "matching batches"),
                table_html(["id", "created_at", "to"], rows, css="smsnb-matches"),
                html("<div>… and {} more</div>", more) if more > 0 else "")


def look_failed_html(error) -> Markup:
    return html("<div>Could not list the batches: {}</div>", visible(error, whole=None))


def _group_line(group: Group) -> Markup:
    shown = who(group)
    return html("<span style='margin-right:1em'>{}<b>{}</b> × {}{}</span>",
                theme.dot(_OUTCOMES.get(group.status, Outcome.NEUTRAL)), label(group), group.count,
                f": {shown}" if shown else "")


def report_status_html(found: list[Group], final: bool) -> Markup:
    """The delivery report now, a line per status and code; when something failed, the groups as a
    table with what each failure means. A thousand recipients are a few groups, not a thousand rows."""
    if not found:
        return NO_REPORT
    title = "Delivery status (final)" if final else "Delivery status"
    if any(group.failed for group in found):
        return status_region(html("<div><b>{}</b></div>{}", title, report_html(found)))
    return status_region(html("<div>{}: {}</div>", title, join(_group_line(group) for group in found)))


def status_unavailable_html(error) -> Markup:
    """A poll that failed: said, and tried again a few times."""
    return status_region(html("<i>Delivery status unavailable: {}</i>", visible(error, whole=None)))


def problem_html(error) -> Markup:
    """A failure of the card itself (a bug of smsnb's): one line, never a traceback."""
    return html("<div>{}smsnb could not do that: {}</div>", theme.dot(Outcome.ERROR),
                visible(error, whole=None))


def resolved_html(outcome) -> Markup:
    """The one line an error card folds into once a resend of it succeeded."""
    batch = outcome.batch_id
    if outcome.action == "dry_run":
        what = Markup("dry run")
    elif batch:
        # One line: Sinch's ids have 26 characters; a longer one (a stand-in's) is cut.
        what = html("batch {}", code_html(visible(batch, cap=40, whole="the whole id is in .batch_id")))
    else:
        what = Markup("batch created")
    return html("<span class='smsnb-resolved-line'>{}Resolved by resend: {}, {}</span>",
                theme.dot(Outcome.SUCCESS), outcome.status, what)
