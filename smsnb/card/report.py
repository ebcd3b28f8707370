"""A delivery report, explained: grouped by status and code, each group with what it means.

Pure functions of Sinch's report JSON (``{"statuses": [{"code", "status", "count",
"recipients"}]}``), whatever shape it arrives in: the live status of a success card and
``%sms report`` both use them. A batch of a thousand recipients is a few groups, not a thousand
rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..knowledge import delivery
from ..knowledge.rules import parse_time
from .safe import Markup, html, join, visible
from .table import table_html
from .words import plural

MAX_RECIPIENTS_SHOWN = 5  # recipients named per group before "and N more"


@dataclass(frozen=True)
class Group:
    """The recipients of a report that share a status and a code."""

    status: str
    code: int | None
    count: int
    recipients: tuple[str, ...]  # as many as the report listed (a summary report lists none)

    @property
    def entry(self) -> delivery.DeliveryCode | delivery.DeliveryStatus:
        """What this group's code means; its status's meaning when the report has no code."""
        if self.code is not None:
            return delivery.code(self.code, self.status)
        return delivery.status(self.status) or delivery.code(-1, self.status)

    @property
    def final(self) -> bool:
        return self.status in delivery.FINAL

    @property
    def failed(self) -> bool:
        return delivery.is_failure(self.status)


def _number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()[:9])
    return None


def groups(report) -> list[Group]:
    """The report's groups, failures first, then by size; entries that are not groups are skipped."""
    rows = report.get("statuses") if isinstance(report, dict) else None
    found = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        status = row.get("status") if isinstance(row.get("status"), str) else "Unknown"
        recipients = row.get("recipients") if isinstance(row.get("recipients"), list) else []
        count = _number(row.get("count"))
        found.append(Group(status, _number(row.get("code")), count if count is not None else len(recipients),
                           tuple(str(r) for r in recipients)))
    return sorted(found, key=lambda g: (not g.failed, -g.count))


def is_final(found: list[Group]) -> bool:
    """True when every group has a final status (and there is at least one)."""
    return bool(found) and all(g.final for g in found)


def _number_shown(recipient: str) -> str:
    """Sinch reports an MSISDN as digits (46701234567); shown as the user writes it, with the +."""
    return f"+{recipient}" if recipient.isascii() and recipient.isdigit() else visible(recipient, whole=None)


def who(group: Group) -> str:
    """The first recipients of a group, then "and N more"."""
    shown = [_number_shown(r) for r in group.recipients[:MAX_RECIPIENTS_SHOWN]]
    more = group.count - len(shown)
    return ", ".join(shown) + (f" and {more} more" if shown and more > 0 else "")


def _label(group: Group) -> str:
    code = f" {group.code}" if group.code is not None else ""
    name = group.entry.name if isinstance(group.entry, delivery.DeliveryCode) else group.status
    return f"{visible(group.status, whole=None)}{code} ({visible(name, whole=None)})"


def report_text(found: list[Group]) -> str:
    """One line a group, and for a failure what it means and what to do."""
    if not found:
        return "No delivery report entries yet."
    lines = []
    for group in found:
        whom = who(group)
        lines.append(f"{_label(group)}: {plural(group.count, 'message')}" + (f" to {whom}" if whom else ""))
        if group.failed:
            entry = group.entry
            lines.append(f"  What it means: {entry.meaning}")
            lines += [f"  - {step}" for step in entry.steps]
            if entry.fields:
                lines.append(f"  Fields to change: {', '.join(entry.fields)}")
    return "\n".join(lines)


def report_html(found: list[Group]) -> Markup:
    """The same as a table: status and code, count, who, and for a failure what to do."""
    if not found:
        return Markup("<div>No delivery report entries yet.</div>")
    return table_html(["status and code", "messages", "recipients", "what it means, what to do"],
                      [[_label(g), g.count, who(g), _advice(g)] for g in found], css="smsnb-report")


def _advice(group: Group) -> Markup:
    if not group.failed:
        return Markup("")
    entry = group.entry
    return html("{}<br>{}", entry.meaning, join((html("{}", step) for step in entry.steps), Markup("<br>")))


def scheduled_for(payload, now: datetime) -> str | None:
    """The request's ``send_at`` when it is still ahead of ``now`` (an aware datetime): Sinch has no
    report for such a batch until then. None for a batch sent at once, or a time smsnb cannot read.
    The request's own field, not the answer's: Sinch's clock may run a little ahead of this one."""
    send_at = payload.get("send_at") if isinstance(payload, dict) else None
    when = parse_time(send_at.strip()) if isinstance(send_at, str) else None
    return send_at if when is not None and when > now else None
