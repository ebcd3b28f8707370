"""``POST .../batches/dry_run``: what a batch would cost, in messages, without sending it."""
from __future__ import annotations

import re

from werkzeug.wrappers import Request, Response

from ..knowledge import encoding, msisdn
from .answers import ErrorAnswer, bad_format, constraint_violation, json_response
from .auth import Plan
from .validation import check_batch, parse_json_object

_PARAMETER = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")


def on_dry_run(request: Request, plan: Plan, plan_id: str) -> Response:
    batch = parse_json_object(request.get_data(cache=True))
    if isinstance(batch, ErrorAnswer):
        return batch.response()
    error = check_batch(batch, plan_callback_url=plan.callback_url, plan_blocked=plan.blocked)
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
    rows, total = [], 0
    for item in batch["to"]:
        recipient = msisdn.parse(item).e164[1:] if not msisdn.is_group_id(item) else item
        body = personalize(batch["body"], batch.get("parameters") or {}, recipient)
        encoded = encoding.encode(body)
        total += encoded.parts
        if len(rows) < limit:
            rows.append({"recipient": recipient, "number_of_parts": encoded.parts, "body": body,
                         "encoding": encoded.encoding})
    answer = {"number_of_recipients": len(batch["to"]), "number_of_messages": total}
    if per_recipient == "true":
        answer["per_recipient"] = rows
    return json_response(200, answer)


def personalize(body: str, parameters: dict, recipient: str) -> str:
    """Fill ``${name}`` from Sinch's ``parameters``: the recipient's value, else the default."""
    def value(match: re.Match) -> str:
        values = parameters.get(match.group(1))
        if not isinstance(values, dict):
            return match.group(0)
        for key in (recipient, "+" + recipient, "default"):
            if key in values:
                return str(values[key])
        return match.group(0)

    return _PARAMETER.sub(value, body) if parameters else body
