"""Two-way SMS: inbound messages (mobile originated) that arrive at a plan's number, kept for
``GET .../inbounds`` and ``.../inbounds/<id>`` and POSTed, as Sinch's inbound callback, to the
plan's callback URL. They arrive by ``POST /_sandbox/inbounds``, `Sandbox.inbound`, or as the
reply of the echo number to a batch sent to it. The newest ``journal_cap`` are kept."""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict

from werkzeug.wrappers import Request, Response

from ..knowledge import msisdn
from ..knowledge.rules import MAX_BODY, MAX_CLIENT_REFERENCE
from . import triggers
from .answers import ErrorAnswer, bad_format, constraint_violation, empty, json_response
from .auth import Plan
from .callbacks import Callbacks
from .clock import iso
from .groups import Groups
from .json_body import check_field_types, short
from .listing import items, number_key, parse_listing, same_number
from .store import new_batch_id
from .validation import parse_json_object

_FIELDS = {"from": (str, "a string"), "to": (str, "a string"), "body": (str, "a string"),
           "client_reference": (str, "a string"), "service_plan_id": (str, "a string")}
_SHORT_CODE = re.compile(r"[0-9]{3,15}")


def check_inbound(fields: dict, plans) -> ErrorAnswer | None:
    """An inbound SMS to make arrive: ``from`` a number, ``to`` a number or short code (else the
    plan's number), a ``body`` of up to 2,000 characters, and a known ``service_plan_id``."""
    error = check_field_types(fields, _FIELDS)
    if error is not None:
        return error
    for field in ("from", "body"):
        if fields.get(field) is None:
            return constraint_violation(field, "it is required")
    if not msisdn.parse(fields["from"]).ok:
        return bad_format("from", f"value '{short(fields['from'])}' is not a valid MSISDN")
    to = fields.get("to")
    if to is not None and not (msisdn.parse(to).ok or _SHORT_CODE.fullmatch(to)):
        return bad_format("to", f"value '{short(to)}' is not a valid MSISDN or short code")
    plan_id = fields.get("service_plan_id")
    if plan_id is not None and plan_id not in plans:
        return bad_format("service_plan_id", f"'{short(plan_id)}' is not a service plan of the sandbox")
    for field, limit in (("body", MAX_BODY), ("client_reference", MAX_CLIENT_REFERENCE)):
        value = fields.get(field)
        if value is not None and len(value) > limit:
            return constraint_violation(field, f"it must be at most {limit} characters, but is {len(value)}")
    return None


class Inbounds:
    """The inbound messages of every plan, newest last; at most ``cap``."""

    def __init__(self, cap: int, plans: dict[str, Plan], default_plan: str, callbacks: Callbacks,
                 groups: Groups):
        self.cap = cap
        self._plans, self._default_plan = plans, default_plan
        self._callbacks, self._groups = callbacks, groups
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[str, float, dict]] = OrderedDict()  # id -> (plan, time, inbound)

    def arrive(self, fields: dict, *, udh: str | None = None) -> dict:
        """An inbound SMS arrives (``fields`` as `check_inbound` takes them, checked): kept,
        given to the plan's groups' keywords, and POSTed to the plan's callback URL."""
        plan_id = fields.get("service_plan_id") or self._default_plan
        now = time.time()
        to = fields.get("to") or triggers.SANDBOX_NUMBER
        inbound = {"type": "mo_binary" if udh is not None else "mo_text", "id": new_batch_id(),
                   "from": number_key(fields["from"]), "to": number_key(to), "body": fields["body"],
                   "received_at": iso(now)}
        if udh is not None:
            inbound["udh"] = udh
        if fields.get("client_reference") is not None:
            inbound["client_reference"] = fields["client_reference"]
        with self._lock:
            self._kept[inbound["id"]] = (plan_id, now, inbound)
            while len(self._kept) > self.cap:
                self._kept.popitem(last=False)
        self._groups.on_inbound(plan_id, inbound)
        self._callbacks.deliver(self._plans[plan_id].callback_url, inbound)
        return inbound

    def receive(self, fields: dict) -> dict:
        """`arrive`, for a caller in Python: a ValueError with Sinch's text when a field is wrong."""
        error = check_inbound(fields, self._plans)
        if error is not None:
            raise ValueError(error.text)
        return self.arrive(fields)

    # --- the endpoints -----------------------------------------------------------------------

    def on_sandbox(self, request: Request) -> Response:
        """``POST /_sandbox/inbounds``: make one arrive."""
        fields = parse_json_object(request.get_data(cache=True))
        if isinstance(fields, ErrorAnswer):
            return fields.response()
        error = check_inbound(fields, self._plans)
        if error is not None:
            return error.response()
        return json_response(201, self.arrive(fields))

    def on_list(self, request: Request, plan: Plan, plan_id: str) -> Response:
        listing = parse_listing(request.args, time.time())
        if isinstance(listing, ErrorAnswer):
            return listing.response()
        page, window = listing
        to = items(request.args.get("to"))
        reference = request.args.get("client_reference")
        with self._lock:
            kept = list(reversed(self._kept.values()))
        found = [inbound for owner, moment, inbound in kept
                 if owner == plan_id and window.admits(moment)
                 and (not to or any(same_number(number, inbound["to"]) for number in to))
                 and (reference is None or inbound.get("client_reference") == reference)]
        return json_response(200, page.of(found, "inbounds"))

    def on_get(self, request: Request, plan: Plan, plan_id: str, inbound_id: str) -> Response:
        with self._lock:
            owner, _, inbound = self._kept.get(inbound_id, (None, 0, None))
        return json_response(200, inbound) if owner == plan_id else empty(404)
