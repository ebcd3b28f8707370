"""Delivery reports on the simulated clock: each recipient's status at a moment, a batch's
report (filtered by status and code, as Sinch's is) and a recipient's, and the two endpoints that
answer them."""
from __future__ import annotations

import time
from dataclasses import dataclass

from werkzeug.wrappers import Request, Response

from ..knowledge import delivery
from .answers import ErrorAnswer, bad_format, empty, json_response
from .auth import Plan
from .clock import iso
from .store import Batch, BatchStore
from .triggers import DELIVERED

QUEUED, DISPATCHED, CANCELLED = ("Queued", 400), ("Dispatched", 401), ("Cancelled", 407)
_SHOWN = 40  # characters of a wrong filter value quoted back


def status_of(batch: Batch, recipient: str, now: float) -> tuple[str, int, float]:
    """(status, report code, since when) for one recipient at ``now``. An Aborted message never
    reached the SMSC: it ends at the dispatch, the others at the final step."""
    dispatched = batch.dispatch_time
    if batch.cancelled_before_dispatch:
        return (*CANCELLED, batch.canceled_at)
    if now < dispatched:
        return (*QUEUED, batch.send_time)
    status, code = batch.outcomes.get(recipient, DELIVERED)
    if status == "Aborted":
        return status, code, dispatched
    final = batch.send_time + batch.clock.final_after
    if now < final:
        return (*DISPATCHED, dispatched)
    return status, code, final


@dataclass(frozen=True)
class Filters:
    """A batch report's ``status`` and ``code`` filters (comma lists); None lets every one in."""

    statuses: frozenset[str] | None = None
    codes: frozenset[int] | None = None

    def admit(self, status: str, code: int) -> bool:
        return ((self.statuses is None or status in self.statuses)
                and (self.codes is None or code in self.codes))


def _items(value: str | None) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()] if value else []


def parse_filters(status: str | None, code: str | None) -> Filters | ErrorAnswer:
    """The filters of a report's query, or Sinch's syntax_invalid_parameter_format."""
    statuses, codes = set(), set()
    for name in _items(status):
        entry = delivery.status(name)
        if entry is None:
            return bad_format("status", f"'{name[:_SHOWN]}' is not a delivery status")
        statuses.add(entry.name)
    for number in _items(code):
        if not (number.isascii() and number.isdigit() and len(number) <= 9):
            return bad_format("code", f"'{number[:_SHOWN]}' is not a delivery-report code")
        codes.add(int(number))
    return Filters(frozenset(statuses) if statuses else None, frozenset(codes) if codes else None)


def batch_report(batch: Batch, now: float, *, full: bool, filters: Filters = Filters()) -> dict:
    """The batch's delivery report: its recipients counted (and listed, if ``full``) by status and
    code. A batch cancelled before its dispatch has an empty report, as Sinch documents."""
    groups: dict[tuple[str, int], list[str]] = {}
    for recipient in () if batch.cancelled_before_dispatch else batch.recipients:
        status, code, _ = status_of(batch, recipient, now)
        if filters.admit(status, code):
            groups.setdefault((status, code), []).append(recipient)
    report = {
        "type": "delivery_report_sms",
        "batch_id": batch.id,
        "total_message_count": len(batch.recipients),
        "statuses": [{"code": code, "status": status, "count": len(members),
                      **({"recipients": members} if full else {})}
                     for (status, code), members in groups.items()],
    }
    if "client_reference" in batch.echo:
        report["client_reference"] = batch.echo["client_reference"]
    return report


def recipient_report(batch: Batch, recipient: str, now: float) -> dict:
    status, code, since = status_of(batch, recipient, now)
    report = {"type": "recipient_delivery_report_sms", "batch_id": batch.id, "recipient": recipient,
              "code": code, "status": status, "at": iso(since)}
    if "client_reference" in batch.echo:
        report["client_reference"] = batch.echo["client_reference"]
    return report


def not_yet(batch: Batch | None, now: float) -> bool:
    """Unknown, or not available yet: a scheduled batch has no report until its send time (unless
    it was cancelled)."""
    return batch is None or (batch.send_time > now and batch.canceled_at is None)


class Reports:
    """``GET .../batches/<id>/delivery_report`` and ``.../delivery_report/<recipient>``."""

    def __init__(self, store: BatchStore):
        self._store = store

    def on_batch_report(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        now = time.time()
        if not_yet(batch, now):
            return empty(404)
        kind = request.args.get("type", "summary")
        if kind not in ("summary", "full"):
            return bad_format("type", f"'{kind[:_SHOWN]}' is not a valid report type").response()
        filters = parse_filters(request.args.get("status"), request.args.get("code"))
        if isinstance(filters, ErrorAnswer):
            return filters.response()
        return json_response(200, batch_report(batch, now, full=kind == "full", filters=filters))

    def on_recipient_report(self, request: Request, plan: Plan, plan_id: str, batch_id: str,
                            recipient: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        digits = recipient.lstrip("+")
        now = time.time()
        if not_yet(batch, now) or digits not in batch.recipients:
            return empty(404)
        return json_response(200, recipient_report(batch, digits, now))
