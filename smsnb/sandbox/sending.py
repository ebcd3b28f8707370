"""Sending an accepted batch: its group ids expanded to their members as they are at its send
time (a scheduled batch to a group is sent by a timer), each message's outcome decided, its
delivery-report callbacks scheduled, and the echo number's reply on its way. A replace or an
update before the dispatch sends the batch anew: what was scheduled for it before is dropped."""
from __future__ import annotations

import threading
import time

from ..knowledge import msisdn
from . import triggers
from .batch_echo import batch_size, recipients_of
from .binary import is_binary
from .callbacks import Callbacks
from .group_store import GroupStore
from .inbounds import Inbounds
from .listing import number_key
from .messages import message_for
from .outcomes import Outcomes
from .reports import status_of
from .store import Batch, BatchStore

_ECHO = triggers.ECHO_NUMBER[1:]


class Sender:
    """Sends batches; the store asks it to send a due batch before anyone reads it."""

    def __init__(self, store: BatchStore, callbacks: Callbacks, groups: GroupStore, inbounds: Inbounds):
        self._store, self._callbacks, self._groups, self._inbounds = store, callbacks, groups, inbounds
        self._outcomes = Outcomes()
        self._lock = threading.Lock()
        store.send_due = lambda batch: self._send(batch, batch.generation)

    def start(self, batch: Batch, plan) -> None:
        """Send ``batch`` (new, replaced or updated; kept in the store) on ``plan`` at its send time."""
        with self._lock:
            batch.generation += 1
            batch.plan = plan
            generation = batch.generation
        if batch.send_time > time.time() and any(msisdn.is_group_id(item) for item in batch.request["to"]):
            self._callbacks.dispatcher.at(batch.send_time, lambda: self._send(batch, generation))
        else:  # nothing in it changes until its send time: decided now, its callbacks scheduled
            self._send(batch, generation)

    def _send(self, batch: Batch, generation: int) -> None:
        with self._lock:
            started = batch.plan is not None and batch.generation == generation
            if not started or batch.launched == generation or not self._store.holds(batch):
                return
            request, plan = batch.request, batch.plan
            batch.recipients = recipients_of(request["to"], lambda group_id: self._groups.members_of(
                batch.plan_id, group_id))
            batch.outcomes = self._outcomes.decide(request, batch.recipients, batch.plan_id,
                                                   default_originator=plan.default_originator,
                                                   dispatch_time=batch.dispatch_time)
            batch.launched = generation
        self._store.resize(batch, batch_size(batch))
        self._callbacks.schedule(batch, request.get("callback_url") or plan.callback_url)
        if _ECHO in batch.recipients:
            self._callbacks.dispatcher.at(batch.final_time, lambda: self._reply(batch, generation))

    def _reply(self, batch: Batch, generation: int) -> None:
        """The echo number replies with what it got, once its message is Delivered: to the
        batch's ``from`` when that is a number or short code, else to the plan's number."""
        if batch.generation != generation or not self._store.holds(batch):
            return
        if status_of(batch, _ECHO, time.time())[0] != "Delivered":
            return
        request = batch.request
        sender = request.get("from")
        reply_to = sender if sender and number_key(sender).isdigit() else triggers.SANDBOX_NUMBER
        fields = {"from": triggers.ECHO_NUMBER, "to": reply_to, "service_plan_id": batch.plan_id,
                  "body": message_for(request, _ECHO).body,
                  "client_reference": request.get("client_reference")}
        self._inbounds.arrive(fields, udh=request.get("udh") if is_binary(request) else None)
