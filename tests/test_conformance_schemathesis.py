"""Schemathesis, software nobody here wrote, fuzzes the sandbox with Sinch's OpenAPI description.

For every operation of the description (shared/sinch/openapi-sms-v1.yaml, beside the checkout) it
generates valid requests and requests that break the schema, sends them with the sandbox's
token and checks each answer: never a 500, a status code the operation documents, the declared
content type, and a body that fits the documented schema. Path ids are real ones (batches,
recipients, groups and inbounds made first) or an unknown one.

The copy is older than Sinch's current reference; where they differ, `EXCEPTIONS` below changes
the copy before the run, each with its reason. Bounded: a few seconds per operation."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import requests
import yaml

from smsnb.knowledge import msisdn
from smsnb.sandbox import Clock, Sandbox, triggers

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "sinch" / "openapi-sms-v1.yaml"
EXAMPLES = 50  # generated requests per operation and mode
UNKNOWN_ID = "01FC66621VHDBN119Z8PMV1QPQ"  # the copy's own example id: never one the sandbox made

def _operations(spec: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, op) for path, ops in spec["paths"].items()
            for method, op in ops.items() if method != "parameters"]


def _params() -> list:
    if not SPEC_PATH.exists():
        return [pytest.param(None, None, None, marks=pytest.mark.skip(
            reason=f"no OpenAPI description at {SPEC_PATH} (shared/sinch/ beside the checkout)"))]
    params = []
    for method, path, op in _operations(yaml.safe_load(SPEC_PATH.read_text())):
        params.append(pytest.param(method, path, op["operationId"], id=op["operationId"]))
    return params


# --- where this copy is older than Sinch's current reference -----------------------------------

def _documented(responses: dict, status: str, why: str) -> None:
    responses.setdefault(status, {"description": why})


def _exceptions(spec: dict) -> dict:
    spec = copy.deepcopy(spec)
    for _method, path, op in _operations(spec):
        responses = op["responses"]
        # Sinch's "HTTP status codes" page: any request may get 401 (a missing or wrong token:
        # the negative mode drops the Authorization header), any POST or PUT 415 (not JSON: the
        # copy makes the dry run's body optional), and a path with an id 404 (an unknown id; the
        # copy documents it for some of them only).
        _documented(responses, "401", "Unauthorized")
        if "requestBody" in op:
            _documented(responses, "415", "Unsupported Media Type")
        if path.count("{") > 1:
            _documented(responses, "404", "Not Found")
        # Every list filter is checked (a page_size over 100, a date that is not one): 400.
        if any("$ref" in p or p["in"] == "query" for p in op.get("parameters", [])):
            _documented(responses, "400", "Bad Request")
        # A replacement is a whole new batch, checked as a send is: the copy lists the send's 403s
        # for send and update but not for replace. And, not a difference of versions but the
        # sandbox's choice, UNCONFIRMED at Sinch (whose reference lists 200 and 400 for it): the
        # dry run checks a batch as a send does, 403s included.
        if op["operationId"] in ("ReplaceBatch", "Dry_Run"):
            _documented(responses, "403", "Forbidden")
    _current_limits(spec)
    schemas = spec["components"]["schemas"]
    # The copy spells update's lists toAdd and toRemove; Sinch's reference and its SDKs say
    # to_add and to_remove (the API would ignore the others, and so nothing would be fuzzed).
    update = schemas["updateBatchReq"]["properties"]
    update["to_add"], update["to_remove"] = update.pop("toAdd"), update.pop("toRemove")
    # The same known defects tests/test_sandbox_openapi.py corrects (API.md): the live API also has
    # per_recipient_final and the status Cancelled, the recipient report's status enum is written as
    # one comma-separated string, and a message count is a number.
    schemas["sendBatchCreated"]["properties"]["delivery_report"]["enum"].append("per_recipient_final")
    schemas["retrieveRecipientDeliveryResponseObj"]["properties"]["status"].pop("enum")
    schemas["retrieveDeliveryResponseObj"]["properties"]["total_message_count"]["type"] = "integer"
    schemas["retrieveDeliveryResponseObj"]["properties"]["statuses"]["items"]["properties"]["status"][
        "enum"].append("Cancelled")
    return spec


def _current_limits(node) -> None:
    """The current reference's limits: a body of 2,000 characters (the copy: 1600) and a
    client_reference of 2,048 (the copy: 128), wherever the copy names them."""
    if isinstance(node, dict):
        properties = node.get("properties", {})
        for name, limit in (("body", 2000), ("client_reference", 2048)):
            if isinstance(properties.get(name), dict) and "maxLength" in properties[name]:
                properties[name]["maxLength"] = limit
        for value in node.values():
            _current_limits(value)
    elif isinstance(node, list):
        for value in node:
            _current_limits(value)


# --- the sandbox, with something to find --------------------------------------------------------

@pytest.fixture(scope="module")
def box():
    clock = Clock(dispatch_after=0.01, final_after=0.02, callback_attempts=1)
    with Sandbox(slow_seconds=0.05, clock=clock) as sandbox:
        yield sandbox


class Made:
    """Things the sandbox made, for path ids: batches, recipients, groups and inbounds."""

    def __init__(self, box):
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {box.api_token}"
        self.plan = f"{box.url}/xms/v1/{box.service_plan_id}"
        self.sent = self.post("batches", {"to": [triggers.ORDINARY_MOBILE, "+46700000402"], "body": "now"})
        self.group = self.post("groups", {"name": "fuzz", "members": [triggers.ORDINARY_MOBILE]})
        self.inbound = box.inbound(triggers.ORDINARY_MOBILE, "hello")["id"]

    def post(self, path: str, body: dict) -> str:
        answer = self.session.post(f"{self.plan}/{path}", json=body, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def scheduled_batch(self) -> str:
        """A batch still to be sent, which update and replace may change: one per case, since a
        case may send or cancel it."""
        return self.post("batches", {"to": [triggers.ORDINARY_MOBILE], "body": "Hi ${name}", "parameters": {
            "name": {"default": "you"}}, "send_at": "2099-01-01T00:00:00Z", "client_reference": "later"})

    def new_group(self) -> str:
        return self.post("groups", {"name": "fuzz", "members": [triggers.ORDINARY_MOBILE]})

    def path_ids(self):
        """A strategy for each path parameter: an id the sandbox made, or an unknown one."""
        from hypothesis import strategies as st

        unknown = st.just(UNKNOWN_ID)
        return {
            "service_plan_id": st.just(self.plan.rsplit("/", 1)[1]),
            "batch_id": st.sampled_from([self.sent, UNKNOWN_ID]) | st.builds(self.scheduled_batch),
            "recipient_msisdn": st.sampled_from([triggers.ORDINARY_MOBILE[1:], "46700000402", "46709999999"]),
            "group_id": st.sampled_from([self.group, UNKNOWN_ID]) | st.builds(self.new_group),
            "inbound_id": st.just(self.inbound) | unknown,
        }


@pytest.fixture(scope="module")
def made(box) -> Made:
    return Made(box)


@pytest.fixture(scope="module")
def schema():
    import schemathesis
    from hypothesis import strategies as st

    # The copy's phone numbers have `format: e.164`: valid ones are Swedish mobiles here, none of
    # them a trigger (those are +46 70 000 0xxx), so that valid batches are sent and echoed.
    schemathesis.openapi.format("e.164", st.from_regex(r"\+4670[1-9][0-9]{6}", fullmatch=True))
    return schemathesis.openapi.from_dict(_exceptions(yaml.safe_load(SPEC_PATH.read_text())))


def _cases(operation, mode, made: Made):
    """Cases for the operation in a generation mode, each path id one the sandbox made, or unknown."""
    from hypothesis import strategies as st

    strategies = made.path_ids()
    ids = st.fixed_dictionaries({p.name: strategies[p.name] for p in operation.path_parameters})
    return ids.flatmap(lambda path_parameters: operation.as_strategy(mode, path_parameters=path_parameters))


def _names_a_gateway_trigger(body) -> bool:
    """A recipient that is one of the sandbox's gateway triggers (429, 500, 503, slow, dropped):
    their answers are the documented failures of a gateway in front of Sinch, not the API's.
    Schemathesis finds these numbers among the constants of the loaded code."""
    to = body.get("to") if isinstance(body, dict) else None
    numbers = [msisdn.parse(n) for n in to if isinstance(n, str)] if isinstance(to, list) else []
    return any(n.ok and n.e164 in triggers.HTTP_TRIGGERS for n in numbers)


_FRAMING = {"content-length", "transfer-encoding", "host", "connection", "expect", "te", "trailer", "upgrade"}


def _frames_http(headers) -> bool:
    """A generated header that is part of HTTP's framing (the negative mode adds random headers,
    and one may be an empty Content-Length): the HTTP layer refuses such a request before the API
    sees it, in plain text as a gateway would; tests/test_sandbox_fuzz.py covers that layer."""
    return any(name.lower() in _FRAMING for name in headers or {})


@pytest.mark.parametrize("mode", ["positive", "negative"])
@pytest.mark.parametrize(("method", "path", "operation_id"), _params())
def test_every_operation_answers_as_its_schema_says(box, made, schema, method, path, operation_id, mode):
    from hypothesis import HealthCheck, assume, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    operation = schema[path][method.upper()]
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]
    session = requests.Session()
    headers = {"Authorization": f"Bearer {box.api_token}"}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=_cases(operation, GenerationMode(mode), made))
    def check(case):
        assume(not _names_a_gateway_trigger(case.body) and not _frames_http(case.headers))
        case.call_and_validate(base_url=box.url, session=session, headers=headers, checks=checks, timeout=10)

    check()
