"""How each message of an accepted batch ends, decided when the batch is accepted: from what
causes it at Sinch where there is such a cause, else from the trigger numbers (see `triggers`).

Checked in this order, the first that applies wins: an ``expire_at`` that has passed by the
dispatch (406), no ``from`` on a plan without a default originator (410), a parameter without a
value for the recipient (405), more parts than ``max_number_of_message_parts`` (411), then the
recipient's trigger number. The status of each of Sinch's codes is `knowledge.delivery`'s.
"""
from __future__ import annotations

import threading

from ..knowledge import delivery
from ..knowledge.rules import parse_time
from . import triggers
from .messages import message_for, personalize

Outcome = tuple[str, int]  # (final status, delivery-report code)


def sinch_outcome(code: int) -> Outcome:
    return delivery.code(code).status, code


def batch_outcome(batch: dict, *, default_originator: bool, dispatch_time: float) -> Outcome | None:
    """What ends every message of the batch alike, or None."""
    expire_at = batch.get("expire_at")
    if expire_at and parse_time(expire_at).timestamp() <= dispatch_time:
        return sinch_outcome(406)
    if not default_originator and not batch.get("from"):
        return sinch_outcome(410)
    return None


def message_outcome(batch: dict, recipient: str, memo: dict) -> Outcome | None:
    """What the recipient's own message makes of it (405, 411), or None. ``memo`` as for
    `message_for`. An mt_binary message has no parameters and is one part."""
    if batch.get("type") == "mt_binary":
        return None
    if batch.get("max_number_of_message_parts") is None:  # no limit to break: no parts to count
        _, unmatched = personalize(batch["body"], batch.get("parameters"), recipient)
        return sinch_outcome(405) if unmatched else None
    message = message_for(batch, recipient, memo)
    if message.unmatched:
        return sinch_outcome(405)
    return sinch_outcome(411) if message.over_limit else None


def number_outcome(recipient: str) -> Outcome | None:
    """The trigger number's outcome, or None; `Outcomes` lets a temporary one pass every other time."""
    number = "+" + recipient
    if number in triggers.CARRIER_NUMBERS:
        return triggers.CARRIER_NUMBERS[number]
    code = triggers.CODE_NUMBERS.get(number)
    return sinch_outcome(code) if code is not None else None


class Outcomes:
    """Decides how each message of an accepted batch ends. Remembers which temporary-failure
    numbers have just failed on a plan: sent again there, they pass (and then fail again)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._failed: set[tuple[str, str]] = set()  # (plan, number); a few numbers per plan at most

    def decide(self, batch: dict, recipients: list[str], plan_id: str, *, default_originator: bool,
               dispatch_time: float) -> dict[str, Outcome]:
        """Each recipient's (digits) final status and code, for those that are not Delivered."""
        common = batch_outcome(batch, default_originator=default_originator, dispatch_time=dispatch_time)
        if common is not None:
            return dict.fromkeys(recipients, common)
        ended, memo = {}, {}
        for recipient in dict.fromkeys(recipients):
            outcome = message_outcome(batch, recipient, memo) or self._by_number(recipient, plan_id)
            if outcome is not None:
                ended[recipient] = outcome
        return ended

    def _by_number(self, recipient: str, plan_id: str) -> Outcome | None:
        outcome = number_outcome(recipient)
        if outcome is None or outcome[1] not in triggers.TEMPORARY_CODES:
            return outcome
        key = (plan_id, recipient)
        with self._lock:
            if key in self._failed:
                self._failed.discard(key)
                return None
            self._failed.add(key)
        return outcome
