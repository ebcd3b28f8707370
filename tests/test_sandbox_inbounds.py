"""Two-way SMS over real HTTP: an inbound SMS made to arrive (POST /_sandbox/inbounds,
Sandbox.inbound, the echo number's reply), listed and read as Sinch's inbounds, and POSTed to
the plan's callback URL as Sinch's mo_text callback."""
import time
from datetime import datetime, timezone

import pytest
import requests

from smsnb.sandbox import Clock, Sandbox, triggers
from tests.conftest import Api, wait_for

A, B = "+46701234567", "+46701234568"
MO_TEXT = {"type", "id", "from", "to", "body", "received_at"}


def arrive(sandbox, **fields):
    return requests.post(f"{sandbox.url}{triggers.INBOUNDS_PATH}", json=fields, timeout=10)


def test_an_inbound_arrives_and_is_listed_and_read(sandbox, api):
    response = arrive(sandbox, **{"from": A, "body": "hello"})
    assert response.status_code == 201
    inbound = response.json()
    assert set(inbound) == MO_TEXT and inbound["type"] == "mo_text"
    assert (inbound["from"], inbound["to"], inbound["body"]) == ("46701234567", "46700001000", "hello")
    assert api.get(f"inbounds/{inbound['id']}").json() == inbound
    listed = api.get("inbounds").json()
    assert listed == {"page": 0, "page_size": 1, "count": 1, "inbounds": [inbound]}


def test_sandbox_inbound_for_python_callers(sandbox, api):
    inbound = sandbox.inbound(A, "from python", to="12345", client_reference="ref")
    assert (inbound["to"], inbound["client_reference"]) == ("12345", "ref")
    assert api.get(f"inbounds/{inbound['id']}").json() == inbound
    with pytest.raises(ValueError, match="'from'"):
        sandbox.inbound("0701234567", "x")
    with pytest.raises(RuntimeError, match="not running"):
        Sandbox().inbound(A, "x")


def test_list_filters_and_pages(sandbox, api):
    first = sandbox.inbound(A, "1", to="+46700009999")
    second = sandbox.inbound(B, "2", client_reference="r")
    third = sandbox.inbound(A, "3")
    newest_first = [third["id"], second["id"], first["id"]]
    assert [i["id"] for i in api.get("inbounds").json()["inbounds"]] == newest_first
    by_to = api.get("inbounds", params={"to": "46700009999, +46 70 000 99 99"}).json()
    assert [i["id"] for i in by_to["inbounds"]] == [first["id"]]
    assert [i["id"] for i in api.get("inbounds", params={"client_reference": "r"}).json()["inbounds"]] == [
        second["id"]]
    paged = api.get("inbounds", params={"page": 1, "page_size": 2}).json()
    assert (paged["count"], paged["page_size"], paged["inbounds"][0]["id"]) == (3, 1, first["id"])
    assert api.get("inbounds", params={"start_date": "2099-01-01"}).json()["count"] == 0
    assert api.get("inbounds", params={"end_date": "2000-01-01T00:00:00Z"}).json()["count"] == 0
    assert api.get("inbounds", params={"start_date": "2000-01-01T00:00:00.000Z"}).json()["count"] == 3
    bad = api.get("inbounds", params={"start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()["code"] == "syntax_invalid_parameter_format"
    assert api.get("inbounds", params={"page_size": 0}).status_code == 400


def test_an_inbound_belongs_to_its_plan(sandbox, api):
    inbound = sandbox.inbound(A, "x", service_plan_id=triggers.CALLBACK_SERVICE_PLAN_ID)
    assert api.get(f"inbounds/{inbound['id']}").status_code == 404
    assert api.get("inbounds").json()["count"] == 0
    other = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)
    assert other.get(f"inbounds/{inbound['id']}").json() == inbound
    assert api.get(f"inbounds/{triggers.UNKNOWN_GROUP_ID}").status_code == 404


def test_the_plans_callback_url_gets_sinchs_inbound_callback():
    with Sandbox() as receiver:  # another sandbox's receiver: any loopback URL would do
        urls = {triggers.DEFAULT_SERVICE_PLAN_ID: receiver.credentials.receiver_url}
        with Sandbox(plan_callback_urls=urls) as box:
            inbound = box.inbound(A, "to the callback")
            assert wait_for(lambda: receiver.received_callbacks.entries()) == [inbound]
            assert box.callback_attempts[-1]["outcome"] == 200


def test_the_callback_plan_posts_inbounds_to_the_receiver(sandbox):
    inbound = sandbox.inbound(A, "x", service_plan_id=triggers.CALLBACK_SERVICE_PLAN_ID)
    assert wait_for(lambda: sandbox.received_callbacks.entries()) == [inbound]


def test_the_echo_number_replies_once_delivered(sandbox, api):
    sent = api.send({"to": [triggers.ECHO_NUMBER, A], "body": "ping ${n}", "from": "+46700009999",
                     "parameters": {"n": {"default": "you"}}, "client_reference": "order-7"}).json()
    reply = wait_for(lambda: api.get("inbounds").json()["inbounds"])[0]
    assert (reply["from"], reply["to"], reply["body"]) == ("46700000777", "46700009999", "ping you")
    assert reply["client_reference"] == "order-7"
    report = api.get(f"batches/{sent['id']}/delivery_report/{triggers.ECHO_NUMBER}").json()
    assert report["status"] == "Delivered"
    assert api.get("inbounds").json()["count"] == 1  # one reply, from the echo number only


def test_the_echo_replies_to_the_plans_number_when_from_is_a_name(sandbox, api):
    api.send({"to": [triggers.ECHO_NUMBER], "body": "x", "from": "Shop"})
    assert wait_for(lambda: api.get("inbounds").json()["inbounds"])[0]["to"] == "46700001000"


def test_no_reply_to_a_batch_cancelled_before_its_dispatch(sandbox, api):
    soon = datetime.fromtimestamp(time.time() + 0.2, timezone.utc).isoformat()
    scheduled = api.send({"to": [triggers.ECHO_NUMBER], "body": "y", "send_at": soon}).json()
    api.delete(f"batches/{scheduled['id']}")
    time.sleep(0.5)  # past its send time and final step
    report = api.get(f"batches/{scheduled['id']}/delivery_report/{triggers.ECHO_NUMBER}").json()
    assert report["status"] == "Cancelled"
    assert api.get("inbounds").json()["count"] == 0


def test_a_binary_batch_gets_a_binary_reply(sandbox, api):
    api.send({"to": [triggers.ECHO_NUMBER], "type": "mt_binary", "udh": "0500030A0201", "body": "AQID"})
    reply = wait_for(lambda: api.get("inbounds").json()["inbounds"])[0]
    assert (reply["type"], reply["udh"], reply["body"]) == ("mo_binary", "0500030A0201", "AQID")


@pytest.mark.parametrize("fields, code, where", [
    ({"body": "x"}, "syntax_constraint_violation", "'from'"),
    ({"from": A}, "syntax_constraint_violation", "'body'"),
    ({"from": "0701234567", "body": "x"}, "syntax_invalid_parameter_format", "'from'"),
    ({"from": A, "body": "x", "to": "Shop"}, "syntax_invalid_parameter_format", "'to'"),
    ({"from": A, "body": "x" * 2001}, "syntax_constraint_violation", "'body'"),
    ({"from": A, "body": 1}, "syntax_invalid_json", "'body'"),
    ({"from": A, "body": "x", "service_plan_id": "nope"}, "syntax_invalid_parameter_format",
     "service_plan_id"),
])
def test_sandbox_inbounds_is_checked(sandbox, api, fields, code, where):
    response = arrive(sandbox, **fields)
    assert response.status_code == 400
    assert response.json()["code"] == code and where in response.json()["text"]
    assert api.get("inbounds").json()["count"] == 0


def test_inbounds_are_capped_like_the_journal():
    with Sandbox(journal_cap=3, clock=Clock(dispatch_after=0.01, final_after=0.02)) as box:
        ids = [box.inbound(A, str(n))["id"] for n in range(5)]
        listed = Api(box).get("inbounds").json()
    assert listed["count"] == 3 and [i["id"] for i in listed["inbounds"]] == ids[:1:-1]
