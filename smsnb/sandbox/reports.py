"""Delivery reports on the simulated clock: each recipient's status at a moment, a batch's
report and a recipient's, and the two endpoints that answer them."""
from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from .answers import bad_format, empty, json_response
from .auth import Plan
from .clock import iso
from .store import Batch, BatchStore
from .triggers import DELIVERED, DELIVERY_OUTCOMES

QUEUED, DISPATCHED, CANCELLED = ("Queued", 400), ("Dispatched", 401), ("Cancelled", 407)


def status_of(batch: Batch, recipient: str, now: float) -> tuple[str, int, float]:
    """(status, report code, since when) for one recipient at ``now``."""
    dispatched = batch.send_time + batch.clock.dispatch_after
    if batch.canceled_at is not None and batch.canceled_at < dispatched:
        return (*CANCELLED, batch.canceled_at)
    if now < dispatched:
        return (*QUEUED, batch.send_time)
    final = batch.send_time + batch.clock.final_after
    if now < final:
        return (*DISPATCHED, dispatched)
    return (*DELIVERY_OUTCOMES.get("+" + recipient, DELIVERED), final)


def batch_report(batch: Batch, now: float, *, full: bool, statuses: set[str] | None = None) -> dict:
    """The batch's delivery report: its recipients counted (and listed, if ``full``) by status."""
    groups: dict[tuple[str, int], list[str]] = {}
    for recipient in batch.recipients:
        status, code, _ = status_of(batch, recipient, now)
        if statuses is None or status in statuses:
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


class Reports:
    """``GET .../batches/<id>/delivery_report`` and ``.../delivery_report/<recipient>``."""

    def __init__(self, store: BatchStore):
        self._store = store

    def on_batch_report(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        now = time.time()
        if batch is None or (batch.send_time > now and batch.canceled_at is None):
            return empty(404)  # unknown, or not yet available: a scheduled batch has no report
        kind = request.args.get("type", "summary")
        if kind not in ("summary", "full"):
            return bad_format("type", f"'{kind}' is not a valid report type").response()
        wanted = request.args.get("status")
        statuses = {s.strip() for s in wanted.split(",")} if wanted else None
        return json_response(200, batch_report(batch, now, full=kind == "full", statuses=statuses))

    def on_recipient_report(self, request: Request, plan: Plan, plan_id: str, batch_id: str,
                            recipient: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        digits = recipient.lstrip("+")
        if batch is None or digits not in batch.recipients or batch.send_time > time.time():
            return empty(404)
        return json_response(200, recipient_report(batch, digits, time.time()))
