"""``.../batches`` and ``.../batches/<id>``: send a batch, list them (with Sinch's filters), get
one, cancel one, update or replace one (see `batch_edits`)."""
from __future__ import annotations

import time

from werkzeug.wrappers import Request, Response

from .answers import ErrorAnswer, empty, json_response
from .auth import Plan
from .batch_echo import new_batch
from .batch_edits import BatchEdits
from .clock import Clock
from .groups import Groups
from .http_triggers import HttpTriggers
from .listing import items, parse_listing, same_number
from .sending import Sender
from .store import Batch, BatchStore, new_batch_id
from .validation import check_batch, parse_json_object

READS = ("GET", "HEAD")


class Batches:
    """A plan's batches: created from checked requests, kept in the store, sent by the `Sender`."""

    def __init__(self, clock: Clock, store: BatchStore, sender: Sender, groups: Groups,
                 http_triggers: HttpTriggers):
        self._clock = clock
        self._store = store
        self._sender = sender
        self._groups = groups
        self._http_triggers = http_triggers
        self._edits = BatchEdits(store, sender, groups)

    def on_batches(self, request: Request, plan: Plan, plan_id: str) -> Response:
        if request.method in READS:
            return self._list(request, plan_id)
        batch = parse_json_object(request.get_data(cache=True))
        if isinstance(batch, ErrorAnswer):
            return batch.response()
        tripped = self._http_triggers.answer(batch, plan_id)
        if tripped is not None:
            return tripped
        error = check_batch(batch, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked,
                            group_exists=self._groups.exists(plan_id))
        if error is not None:
            return error.response()
        created = new_batch(batch, new_batch_id(), plan_id, self._clock)
        self._store.add(created)
        self._sender.start(created, plan)
        return json_response(201, created.echo)

    def on_batch(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        if batch is None:
            return empty(404)
        if request.method in ("POST", "PUT"):
            return self._edits.edit(request, plan, batch)
        if request.method == "DELETE":
            self._store.cancel(batch)
        return json_response(200, batch.echo)

    def _list(self, request: Request, plan_id: str) -> Response:
        """Newest first; ``from`` (a comma list of senders), ``start_date`` (24 hours ago unless
        given), ``end_date`` and ``client_reference`` keep only the batches that match."""
        listing = parse_listing(request.args, time.time())
        if isinstance(listing, ErrorAnswer):
            return listing.response()
        page, window = listing
        senders = items(request.args.get("from"))
        reference = request.args.get("client_reference")

        def admits(batch: Batch) -> bool:
            sender = batch.echo.get("from")
            return (window.admits(batch.created)
                    and (not senders or (sender is not None and any(same_number(s, sender) for s in senders)))
                    and (reference is None or batch.echo.get("client_reference") == reference))

        found = [batch.echo for batch in self._store.batches(plan_id) if admits(batch)]
        return json_response(200, page.of(found, "batches"))
