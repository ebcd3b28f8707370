"""A batch as Sinch answers it, from the request it accepted: its id, times and defaults filled
in, numbers without "+", group ids as given. Pure functions, for a send, an update and a
replace alike."""
from __future__ import annotations

import json
import time

from ..knowledge import msisdn
from ..knowledge.rules import parse_time
from .clock import Clock, iso
from .store import Batch

_ECHOED_IF_GIVEN = ("from", "callback_url", "client_reference", "max_number_of_message_parts",
                    "feedback_enabled", "truncate_concat", "parameters", "udh", "from_ton", "from_npi")
# Fields only one type of batch has (Sinch's TextResponse and BinaryResponse): the other's are dropped.
_TEXT_ONLY = ("flash_message", "max_number_of_message_parts", "truncate_concat", "parameters")
_BINARY_ONLY = ("udh",)
_RECIPIENT_BYTES = 16  # about what one recipient's number costs in memory, for the store's budget
_OUTCOME_BYTES = 120  # about what one recipient's outcome costs


def echo_to(to: list[str]) -> list[str]:
    """``to`` as Sinch echoes it: numbers as digits (no "+"), group ids as given."""
    return [item if msisdn.is_group_id(item) else msisdn.parse(item).e164[1:] for item in to]


def numbers_of(to: list[str]) -> list[str]:
    """The numbers of ``to`` (digits), without its group ids."""
    return [item for item in echo_to(to) if not msisdn.is_group_id(item)]


def recipients_of(to: list[str], members) -> list[str]:
    """Who a batch sent to ``to`` reaches (digits): its numbers as given, then the members of its
    groups (``members(group_id)``, as they are now) that are not among them."""
    numbers = numbers_of(to)
    seen = set(numbers)
    grouped = dict.fromkeys(member for item in to if msisdn.is_group_id(item) for member in members(item))
    return numbers + [member for member in grouped if member not in seen]


def send_time_of(request: dict, now: float) -> float:
    """When the batch is sent: its ``send_at``, or now when that is past or not given."""
    send_at = request.get("send_at")
    return max(now, parse_time(send_at).timestamp()) if send_at else now


def batch_echo(request: dict, batch_id: str, created: float, modified: float, send_time: float) -> dict:
    """The batch as Sinch answers it: the request, with its id, times and defaults filled in."""
    echo = {
        "id": batch_id,
        "to": echo_to(request["to"]),
        "body": request["body"],
        "type": request.get("type", "mt_text"),
        "created_at": iso(created),
        "modified_at": iso(modified),
        "canceled": False,
        "delivery_report": request.get("delivery_report", "none"),
        "send_at": iso(send_time),
        "expire_at": request.get("expire_at") or iso(send_time + 3 * 86400),
        "flash_message": request.get("flash_message", False),
    }
    for optional in _ECHOED_IF_GIVEN:
        if request.get(optional) is not None:
            echo[optional] = request[optional]
    for other in _TEXT_ONLY if echo["type"] == "mt_binary" else _BINARY_ONLY:
        echo.pop(other, None)
    return echo


def new_batch(request: dict, batch_id: str, plan_id: str, clock: Clock) -> Batch:
    """A batch for an accepted request, not sent yet (see `sending.Sender`)."""
    now = time.time()
    send_time = send_time_of(request, now)
    echo = batch_echo(request, batch_id, now, now, send_time)
    batch = Batch(batch_id, plan_id, echo, numbers_of(request["to"]), send_time, clock, request=request,
                  created=now)
    batch.size = batch_size(batch)
    return batch


def revise(batch: Batch, request: dict) -> None:
    """``batch`` with a new request (updated or replaced before its dispatch): echoed anew,
    modified now, to be sent again at its (maybe new) send time."""
    now = time.time()
    batch.request, batch.send_time = request, send_time_of(request, now)
    batch.echo = batch_echo(request, batch.id, batch.created, now, batch.send_time)
    batch.recipients, batch.outcomes = numbers_of(request["to"]), {}


def batch_size(batch: Batch) -> int:
    """About the bytes ``batch`` holds, for the store's budget: its echo (which shares its values
    with the request), its recipients and the outcomes of those not Delivered."""
    size = len(json.dumps(batch.echo, ensure_ascii=False))
    return size + _RECIPIENT_BYTES * len(batch.recipients) + _OUTCOME_BYTES * len(batch.outcomes)
