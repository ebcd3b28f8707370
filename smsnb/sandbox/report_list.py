"""``GET .../delivery_reports``: every recipient's delivery report of the plan's batches, newest
first, as Sinch lists them: filtered by ``status`` and ``code`` (comma lists), ``client_reference``
and the time of the report (``start_date``, 24 hours ago unless given, and ``end_date``); paged."""
from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from .answers import ErrorAnswer, json_response
from .auth import Plan
from .listing import parse_listing
from .reports import not_yet, parse_filters, recipient_report, status_of
from .store import BatchStore


class ReportList:
    def __init__(self, store: BatchStore):
        self._store = store

    def on_list(self, request: Request, plan: Plan, plan_id: str) -> Response:
        now = time.time()
        listing = parse_listing(request.args, now)
        if isinstance(listing, ErrorAnswer):
            return listing.response()
        page, window = listing
        filters = parse_filters(request.args.get("status"), request.args.get("code"))
        if isinstance(filters, ErrorAnswer):
            return filters.response()
        reference = request.args.get("client_reference")
        found: list[tuple[float, dict]] = []
        for batch in self._store.batches(plan_id):
            other_reference = reference is not None and batch.echo.get("client_reference") != reference
            if not_yet(batch, now) or other_reference:
                continue
            for recipient in dict.fromkeys(batch.recipients):
                status, code, since = status_of(batch, recipient, now)
                if filters.admit(status, code) and window.admits(since):
                    found.append((since, recipient_report(batch, recipient, now)))
        found.sort(key=lambda item: -item[0])  # the newest report first
        return json_response(200, page.of([report for _, report in found], "delivery_reports"))
