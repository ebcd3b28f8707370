"""``POST .../batches/<id>/delivery_feedback``: the sender's own word that messages arrived,
taken as Sinch takes it: only for a batch sent with ``feedback_enabled``, ``recipients``
required (empty means every recipient, except for a batch sent to a group), answered ``202``
with no body. The sandbox keeps which recipients were confirmed (`Sandbox.feedback`)."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from ..knowledge import msisdn
from .answers import ErrorAnswer, bad_format, constraint_violation, empty
from .auth import Plan
from .json_body import check_field_types, short
from .store import BatchStore
from .validation import parse_json_object

_FIELDS = {"recipients": (list, "an array of strings")}


def check_feedback(body: dict, batch_request: dict) -> ErrorAnswer | None:
    """Sinch's checks on a feedback request for a batch sent as ``batch_request``."""
    error = check_field_types(body, _FIELDS)
    if error is not None:
        return error
    recipients = body.get("recipients")
    for index, number in enumerate(recipients or ()):
        if not msisdn.parse(number).ok:
            return bad_format(f"recipients[{index}]", f"value '{short(number)}' is not a valid MSISDN")
    if recipients is None:
        return constraint_violation("recipients", "it is required (an empty array confirms every recipient)")
    if batch_request.get("feedback_enabled") is not True:
        return constraint_violation("feedback_enabled", "the batch was not sent with 'feedback_enabled': "
                                                        "true, so it takes no delivery feedback")
    if not recipients and any(msisdn.is_group_id(item) for item in batch_request["to"]):
        return constraint_violation("recipients", "a batch sent to a group needs at least one recipient")
    return None


class Feedback:
    def __init__(self, store: BatchStore):
        self._store = store

    def on_feedback(self, request: Request, plan: Plan, plan_id: str, batch_id: str) -> Response:
        batch = self._store.find(plan_id, batch_id)
        if batch is None:
            return empty(404)
        body = parse_json_object(request.get_data(cache=True))
        if isinstance(body, ErrorAnswer):
            return body.response()
        error = check_feedback(body, batch.request)
        if error is not None:
            return error.response()
        confirmed = {msisdn.parse(number).e164[1:] for number in body["recipients"]} or set(batch.recipients)
        batch.feedback |= confirmed & set(batch.recipients)  # bounded by the batch's own recipients
        return empty(202)
