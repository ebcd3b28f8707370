"""The sandbox's paths: Sinch's SMS API under ``/xms/v1/<plan>/``, OAuth2's token endpoint, and
the sandbox's own endpoints under ``/_sandbox/``. Each rule names the endpoint that answers it."""
from __future__ import annotations

import re

from werkzeug.routing import Map, Rule

from . import triggers

_PLAN = "/xms/v1/<plan>"
PLAN_PATH = re.compile(r"/xms/v1/([^/]+)(?:/|$)")  # any path under a plan: its token is checked first

ROUTES = Map([
    Rule(f"{_PLAN}/batches", endpoint="batches", methods=["GET", "POST"]),
    Rule(f"{_PLAN}/batches/dry_run", endpoint="dry_run", methods=["POST"]),
    Rule(f"{_PLAN}/batches/<batch_id>", endpoint="batch", methods=["GET", "DELETE", "POST", "PUT"]),
    Rule(f"{_PLAN}/batches/<batch_id>/delivery_feedback", endpoint="feedback", methods=["POST"]),
    Rule(f"{_PLAN}/batches/<batch_id>/delivery_report", endpoint="batch_report", methods=["GET"]),
    Rule(f"{_PLAN}/batches/<batch_id>/delivery_report/<recipient>", endpoint="recipient_report",
         methods=["GET"]),
    Rule(f"{_PLAN}/delivery_reports", endpoint="report_list", methods=["GET"]),
    Rule(f"{_PLAN}/groups", endpoint="groups", methods=["GET", "POST"]),
    Rule(f"{_PLAN}/groups/<group_id>", endpoint="group", methods=["GET", "POST", "PUT", "DELETE"]),
    Rule(f"{_PLAN}/groups/<group_id>/members", endpoint="members", methods=["GET"]),
    Rule(f"{_PLAN}/inbounds", endpoint="inbounds", methods=["GET"]),
    Rule(f"{_PLAN}/inbounds/<inbound_id>", endpoint="inbound", methods=["GET"]),
    Rule("/oauth2/token", endpoint="token", methods=["POST"]),
    Rule("/_sandbox/journal", endpoint="journal", methods=["GET", "DELETE"]),
    Rule(triggers.RECEIVER_PATH, endpoint="receiver", methods=["GET", "POST", "DELETE"]),
    Rule(triggers.INBOUNDS_PATH, endpoint="sandbox_inbounds", methods=["POST"]),
    Rule("/_sandbox/triggers", endpoint="triggers", methods=["GET"]),
], strict_slashes=False, merge_slashes=False)
