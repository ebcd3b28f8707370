"""``POST .../batches/<id>`` (update) and ``PUT .../batches/<id>`` (replace), as Sinch does them,
and only while the batch is not dispatched yet: an update changes the fields it names and adds
or removes recipients (``to_add``, ``to_remove``); a replace is a whole new request under the
same id. Either is checked as a send is, and the batch is then sent anew at its send time.
Sinch's reference documents no answer for editing a batch already dispatched; the sandbox
refuses it with ``400 syntax_constraint_violation``, since a message that left cannot change."""
from __future__ import annotations

import threading
import time

from werkzeug.wrappers import Request, Response

from ..knowledge import msisdn
from ..knowledge.rules import MAX_BATCH_EDITS
from .answers import ErrorAnswer, bad_format, constraint_violation, json_response
from .auth import Plan
from .batch_echo import batch_size, revise
from .clock import iso
from .groups import Groups
from .json_body import check_field_types, short
from .sending import Sender
from .store import Batch, BatchStore
from .validation import check_batch, check_types, parse_json_object

UPDATABLE = ("from", "type", "body", "udh", "delivery_report", "send_at", "expire_at", "callback_url",
             "client_reference", "feedback_enabled", "parameters", "from_ton", "from_npi",
             "max_number_of_message_parts", "truncate_concat", "flash_message")
# Sinch's field names, and the camel-case ones of the older OpenAPI description.
_EDITS = {"to_add": ("to_add", "toAdd"), "to_remove": ("to_remove", "toRemove")}
_EDIT_TYPES = {name: (list, "an array of strings") for names in _EDITS.values() for name in names}


def _key(item: str) -> str:
    """What identifies a recipient in ``to``: a group id, or a number in E.164."""
    number = msisdn.parse(item)
    return number.e164 if number.ok and not msisdn.is_group_id(item) else item


def _edits(update: dict, field: str) -> list[str] | ErrorAnswer:
    given = next((name for name in _EDITS[field] if update.get(name) is not None), None)
    values = update.get(given) or []
    if len(values) > MAX_BATCH_EDITS:
        return constraint_violation(given, f"it must have at most {MAX_BATCH_EDITS} elements, "
                                           f"but has {len(values)}")
    for index, item in enumerate(values):
        if not msisdn.is_group_id(item) and not msisdn.parse(item).ok:
            return bad_format(f"{given}[{index}]", f"value '{short(item)}' is not a valid MSISDN or group ID")
    return values


def merge_update(request: dict, update: dict) -> dict | ErrorAnswer:
    """The request an update makes of ``request``: the fields it names changed (a null changes
    nothing), ``to_add`` appended (those not there yet), then ``to_remove`` taken out."""
    error = check_field_types(update, _EDIT_TYPES) or check_types(update)
    if error is not None:
        return error
    adds, removes = _edits(update, "to_add"), _edits(update, "to_remove")
    for edits in (adds, removes):
        if isinstance(edits, ErrorAnswer):
            return edits
    merged = {**request, **{field: update[field] for field in UPDATABLE if update.get(field) is not None}}
    to, present = list(request["to"]), {_key(item) for item in request["to"]}
    for item in adds:
        if _key(item) not in present:
            to.append(item)
            present.add(_key(item))
    gone = {_key(item) for item in removes}
    merged["to"] = [item for item in to if _key(item) not in gone]
    return merged


def not_editable(batch: Batch, now: float) -> ErrorAnswer | None:
    """Why ``batch`` can no longer be updated or replaced, or None."""
    if batch.canceled_at is not None:
        return constraint_violation("batch_id", "the batch was cancelled, and a cancelled batch cannot be "
                                                "updated or replaced")
    if now >= batch.dispatch_time:
        when = iso(batch.dispatch_time)
        return constraint_violation("batch_id", f"the batch was dispatched at {when}, and only a batch "
                                                "not yet dispatched can be updated or replaced")
    return None


class BatchEdits:
    """Updates and replaces batches before their dispatch."""

    def __init__(self, store: BatchStore, sender: Sender, groups: Groups):
        self._store, self._sender, self._groups = store, sender, groups
        self._lock = threading.Lock()  # one edit of a batch at a time: each sees the last one's result

    def edit(self, request: Request, plan: Plan, batch: Batch) -> Response:
        """PUT replaces, POST updates."""
        body = parse_json_object(request.get_data(cache=True))
        if isinstance(body, ErrorAnswer):
            return body.response()
        with self._lock:
            refused = not_editable(batch, time.time())
            if refused is not None:
                return refused.response()
            changed = body if request.method == "PUT" else merge_update(batch.request, body)
            if isinstance(changed, ErrorAnswer):
                return changed.response()
            error = check_batch(changed, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked,
                                group_exists=self._groups.exists(batch.plan_id))
            if error is not None:
                return error.response()
            revise(batch, changed)
            self._store.resize(batch, batch_size(batch))
            self._sender.start(batch, plan)
        return json_response(200, batch.echo)
