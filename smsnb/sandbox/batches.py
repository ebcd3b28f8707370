"""``.../batches`` and ``.../batches/<id>``: send a batch, list them, get one, cancel one."""
from __future__ import annotations

import json
import time

from werkzeug.wrappers import Request, Response

from ..knowledge import msisdn
from ..knowledge.rules import parse_time
from .answers import ErrorAnswer, constraint_violation, empty, json_response
from .auth import Plan
from .callbacks import Callbacks
from .clock import Clock, iso
from .http_triggers import HttpTriggers
from .outcomes import Outcomes
from .store import Batch, BatchStore, new_batch_id
from .validation import check_batch, parse_json_object

READS = ("GET", "HEAD")
_OUTCOME_BYTES = 120  # about what one recipient's outcome costs in memory, for the store's budget
_ECHOED_IF_GIVEN = ("from", "callback_url", "client_reference", "max_number_of_message_parts",
                    "feedback_enabled", "truncate_concat", "parameters")


def batch_echo(request_batch: dict, now: float, send_time: float) -> dict:
    """The batch as Sinch answers it: the request, with its id, times and defaults filled in."""
    echo = {
        "id": new_batch_id(),
        "to": [msisdn.parse(item).e164[1:] for item in request_batch["to"]],  # digits, as Sinch returns them
        "body": request_batch["body"],
        "type": request_batch.get("type", "mt_text"),
        "created_at": iso(now),
        "modified_at": iso(now),
        "canceled": False,
        "delivery_report": request_batch.get("delivery_report", "none"),
        "send_at": iso(send_time),
        "expire_at": request_batch.get("expire_at") or iso(send_time + 3 * 86400),
        "flash_message": request_batch.get("flash_message", False),
    }
    for optional in _ECHOED_IF_GIVEN:
        if request_batch.get(optional) is not None:
            echo[optional] = request_batch[optional]
    return echo


class Batches:
    """A plan's batches: created from checked requests, kept in the store, their callbacks
    scheduled."""

    def __init__(self, clock: Clock, store: BatchStore, callbacks: Callbacks, http_triggers: HttpTriggers):
        self._clock = clock
        self._store = store
        self._callbacks = callbacks
        self._http_triggers = http_triggers
        self._outcomes = Outcomes()

    def on_batches(self, request: Request, plan: Plan, plan_id: str) -> Response:
        if request.method in READS:
            return self._list(request, plan_id)
        batch = parse_json_object(request.get_data(cache=True))
        if isinstance(batch, ErrorAnswer):
            return batch.response()
        tripped = self._http_triggers.answer(batch, plan_id)
        if tripped is not None:
            return tripped
        error = check_batch(batch, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked)
        if error is not None:
            return error.response()
        return json_response(201, self._create(batch, plan, plan_id).echo)

    def on_batch(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        if batch is None:
            return empty(404)
        if request.method == "DELETE":
            self._store.cancel(batch)
        return json_response(200, batch.echo)

    def _create(self, request_batch: dict, plan: Plan, plan_id: str) -> Batch:
        now = time.time()
        send_at = request_batch.get("send_at")
        send_time = max(now, parse_time(send_at).timestamp()) if send_at else now
        echo = batch_echo(request_batch, now, send_time)
        size = len(json.dumps(echo, ensure_ascii=False))
        batch = Batch(echo["id"], plan_id, echo, echo["to"], send_time, self._clock)
        batch.outcomes = self._outcomes.decide(request_batch, batch.recipients, plan_id,
                                               default_originator=plan.default_originator,
                                               dispatch_time=batch.dispatch_time)
        batch.size = size + _OUTCOME_BYTES * len(batch.outcomes)
        self._store.add(batch)
        self._callbacks.schedule(batch, request_batch.get("callback_url") or plan.callback_url)
        return batch

    def _list(self, request: Request, plan_id: str) -> Response:
        try:
            page = int(request.args.get("page", "0"))
            page_size = int(request.args.get("page_size", "30"))
        except ValueError:
            page, page_size = -1, -1
        if page < 0 or not 1 <= page_size <= 100:
            return constraint_violation("page_size", "it must be 1 to 100, and 'page' 0 or more").response()
        mine = self._store.echoes(plan_id)
        chunk = mine[page * page_size:(page + 1) * page_size]
        return json_response(200, {"page": page, "page_size": len(chunk), "count": len(mine),
                                   "batches": chunk})
