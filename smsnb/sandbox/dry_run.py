"""``POST .../batches/dry_run``: what a batch would cost, in messages, without sending it: each
recipient's body as it would be sent (parameters filled in, cut to the parts limit when
``truncate_concat`` says so), its parts and its encoding (an ``mt_binary`` message: its base64
body, one part, encoding ``binary``)."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from .answers import ErrorAnswer, bad_format, constraint_violation, json_response
from .auth import Plan
from .batch_echo import recipients_of
from .group_store import GroupStore
from .messages import message_for
from .validation import check_batch, parse_json_object


def on_dry_run(request: Request, plan: Plan, plan_id: str, groups: GroupStore | None = None) -> Response:
    """Group ids in ``to`` count as their members now (``groups``: the sandbox's)."""
    batch = parse_json_object(request.get_data(cache=True))
    if isinstance(batch, ErrorAnswer):
        return batch.response()
    error = check_batch(batch, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked,
                        group_exists=lambda group_id: groups is not None and groups.find(plan_id, group_id))
    if error is not None:
        return error.response()
    per_recipient = request.args.get("per_recipient", "false").lower()
    if per_recipient not in ("true", "false"):
        return bad_format("per_recipient", f"'{per_recipient}' is not a valid boolean").response()
    try:
        limit = int(request.args.get("number_of_recipients", "100"))
    except ValueError:
        limit = -1
    if not 0 <= limit <= 1000:
        return constraint_violation("number_of_recipients", "it must be 0 to 1000").response()
    recipients = recipients_of(batch["to"], lambda group_id: groups.members_of(plan_id, group_id))
    rows, total, memo = [], 0, {}
    for recipient in recipients:
        message = message_for(batch, recipient, memo)
        total += message.parts
        if len(rows) < limit:
            rows.append({"recipient": recipient, "number_of_parts": message.parts, "body": message.body,
                         "encoding": message.encoding})
    answer = {"number_of_recipients": len(recipients), "number_of_messages": total}
    if per_recipient == "true":
        answer["per_recipient"] = rows
    return json_response(200, answer)
