"""A hostile but authenticated client against the endpoints of groups, inbounds, updates and
replaces, delivery feedback and the lists, with ids that exist: whatever the body or the query,
the answer is Sinch's status with strict JSON (`{code, text}` for an error), never a 500."""
import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smsnb.sandbox import Clock, Sandbox, triggers
from tests.test_sandbox_fuzz import fields, json_values, query_values, scalars

PLAN = triggers.DEFAULT_SERVICE_PLAN_ID


@pytest.fixture(scope="module")
def box():
    with Sandbox(clock=Clock(dispatch_after=0.01, final_after=0.02, callback_attempts=1)) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def ids(box):
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {box.api_token}", "Content-Type": "application/json"})
    base = f"{box.url}/xms/v1/{PLAN}"
    group = session.post(f"{base}/groups", json={"members": [triggers.ORDINARY_MOBILE]}).json()["id"]
    later = session.post(f"{base}/batches", json={"to": [group], "body": "x", "feedback_enabled": True,
                                                  "send_at": "2099-01-01T00:00:00Z"}).json()["id"]
    sent = session.post(f"{base}/batches", json={"to": [triggers.ECHO_NUMBER], "body": "x",
                                                 "feedback_enabled": True}).json()["id"]
    inbound = box.inbound(triggers.ORDINARY_MOBILE, "hi")["id"]
    return session, base, {"GROUP": group, "LATER": later, "SENT": sent, "INBOUND": inbound}


paths = st.sampled_from(["/batches/LATER", "/batches/SENT", "/batches/LATER/delivery_feedback",
                         "/batches/SENT/delivery_feedback", "/groups", "/groups/GROUP",
                         "/groups/GROUP/members", "/inbounds", "/inbounds/INBOUND", "/delivery_reports",
                         "/batches", "/batches/dry_run", "/_sandbox/inbounds"])
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE"])
sandbox_fields = {"from": st.one_of(st.sampled_from([triggers.ORDINARY_MOBILE, "0701234567", "+1"]), scalars),
                  "to": st.one_of(st.sampled_from(["12345", "Shop", triggers.SANDBOX_NUMBER]), scalars),
                  "service_plan_id": st.one_of(st.sampled_from([PLAN, "nobody"]), scalars)}
bodies = st.one_of(st.fixed_dictionaries({}, optional={**fields, **sandbox_fields}), json_values)
query_names = st.sampled_from(["page", "page_size", "from", "to", "start_date", "end_date",
                               "client_reference", "status", "code", "type"])
queries = st.dictionaries(query_names, query_values, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(methods, paths, bodies, queries)
def test_no_500_and_sinchs_error_body(box, ids, method, path, body, query):
    session, base, known = ids
    for name, value in known.items():
        path = path.replace(name, value)
    url = f"{box.url}{path}" if path.startswith("/_sandbox") else f"{base}{path}"
    response = session.request(method, url, data=json.dumps(body), params=query, timeout=10)
    assert response.status_code != 500, response.text
    if response.content:
        answer = json.loads(response.content, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
        if 400 <= response.status_code < 500:
            assert set(answer) == {"code", "text"}, answer
