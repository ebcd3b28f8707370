"""Sinch's current rules over real HTTP: the limits, mt_binary, the sender's TON and NPI, delivery
feedback, and the token checked before the path."""
import base64

import pytest
import requests

from smsnb.sandbox import triggers
from tests.conftest import Api, final_report

A = triggers.ORDINARY_MOBILE
BINARY = {"to": [A], "type": "mt_binary", "udh": "0605040B8423F0",
          "body": base64.b64encode(b"\x01\x02").decode()}


def error_of(response):
    assert set(response.json()) == {"code", "text"}
    return response.json()["code"], response.json()["text"]


def test_the_current_limits_are_accepted(api):
    body = api.send({"to": [A], "body": "x" * 2000, "client_reference": "r" * 2048})
    assert body.status_code == 201 and len(body.json()["client_reference"]) == 2048


def test_a_binary_batch_is_echoed_and_delivered(api):
    response = api.send({**BINARY, "parameters": {"n": {"default": "x"}}, "max_number_of_message_parts": 1})
    assert response.status_code == 201
    echo = response.json()
    assert (echo["type"], echo["udh"], echo["body"]) == ("mt_binary", BINARY["udh"], BINARY["body"])
    assert final_report(api, echo["id"])["statuses"] == [{"code": 0, "status": "Delivered", "count": 1}]


def test_each_type_echoes_only_its_own_fields(api):
    binary = api.send({**BINARY, "flash_message": True, "truncate_concat": True}).json()
    assert not {"flash_message", "truncate_concat", "parameters", "max_number_of_message_parts"} & set(binary)
    text = api.send({"to": [A], "body": "x", "udh": "00"}).json()
    assert "udh" not in text and text["flash_message"] is False


def test_a_binary_dry_run_is_one_binary_part_per_recipient(api):
    answer = api.send({**BINARY, "to": [A, "+46701234568"]}, path="batches/dry_run",
                      params={"per_recipient": "true"}).json()
    assert answer["number_of_messages"] == 2
    assert answer["per_recipient"][0] == {"recipient": "46701234567", "number_of_parts": 1,
                                          "body": BINARY["body"], "encoding": "binary"}


@pytest.mark.parametrize("change, code, where", [
    ({"udh": None}, "syntax_constraint_violation", "'udh'"),
    ({"udh": "0G"}, "syntax_invalid_parameter_format", "'udh'"),
    ({"udh": "ABC"}, "syntax_invalid_parameter_format", "'udh'"),
    ({"body": "not base64!"}, "syntax_invalid_parameter_format", "'body'"),
    ({"body": base64.b64encode(bytes(134)).decode()}, "syntax_constraint_violation", "141"),
    ({"udh": 5}, "syntax_invalid_json", "'udh'"),
])
def test_a_binary_batch_needs_a_hex_udh_and_a_base64_body_of_140_bytes_together(api, change, code, where):
    batch = {k: v for k, v in {**BINARY, **change}.items() if v is not None}
    response = api.send(batch)
    assert response.status_code == 400
    assert error_of(response)[0] == code and where in error_of(response)[1]
    assert api.send(batch, path="batches/dry_run").status_code == 400  # the dry run checks alike


def test_140_bytes_together_are_accepted(api):
    assert api.send({**BINARY, "body": base64.b64encode(bytes(133)).decode()}).status_code == 201


def test_from_ton_and_from_npi_are_echoed_and_bounded(api):
    echo = api.send({"to": [A], "body": "x", "from": "Shop", "from_ton": 5, "from_npi": 0}).json()
    assert (echo["from_ton"], echo["from_npi"]) == (5, 0)
    for field, value in (("from_ton", 7), ("from_npi", 19), ("from_ton", -1)):
        response = api.send({"to": [A], "body": "x", field: value})
        assert error_of(response)[0] == "syntax_constraint_violation" and field in error_of(response)[1]
    assert error_of(api.send({"to": [A], "body": "x", "from_ton": "5"}))[0] == "syntax_invalid_json"


def test_delivery_feedback_is_taken_for_a_batch_that_asked_for_it(sandbox, api):
    batch = api.send({"to": [A, "+46701234568"], "body": "x", "feedback_enabled": True}).json()
    response = api.send({"recipients": ["+46701234568"]}, path=f"batches/{batch['id']}/delivery_feedback")
    assert response.status_code == 202 and response.content == b""
    assert sandbox.delivery_feedback(batch["id"]) == ["46701234568"]
    api.send({"recipients": []}, path=f"batches/{batch['id']}/delivery_feedback")  # every recipient
    assert sandbox.delivery_feedback(batch["id"]) == ["46701234567", "46701234568"]


@pytest.mark.parametrize("batch, feedback, code", [
    ({"feedback_enabled": False}, {"recipients": []}, "syntax_constraint_violation"),
    ({}, {"recipients": [A]}, "syntax_constraint_violation"),
    ({"feedback_enabled": True}, {}, "syntax_constraint_violation"),
    ({"feedback_enabled": True}, {"recipients": ["0701234567"]}, "syntax_invalid_parameter_format"),
    ({"feedback_enabled": True}, {"recipients": A}, "syntax_invalid_json"),
])
def test_delivery_feedback_is_checked(sandbox, api, batch, feedback, code):
    sent = api.send({"to": [A], "body": "x", **batch}).json()
    response = api.send(feedback, path=f"batches/{sent['id']}/delivery_feedback")
    assert response.status_code == 400 and error_of(response)[0] == code
    assert sandbox.delivery_feedback(sent["id"]) == []


def test_delivery_feedback_for_a_group_batch_names_recipients(api):
    group = api.send({"members": [A]}, path="groups").json()
    sent = api.send({"to": [group["id"]], "body": "x", "feedback_enabled": True}).json()
    empty = api.send({"recipients": []}, path=f"batches/{sent['id']}/delivery_feedback")
    assert empty.status_code == 400 and "group" in error_of(empty)[1]
    assert api.send({"recipients": [A]}, path=f"batches/{sent['id']}/delivery_feedback").status_code == 202
    unknown = api.send({"recipients": []}, path="batches/01FC66621VHDBN119Z8PMV1QPQ/delivery_feedback")
    assert unknown.status_code == 404


@pytest.mark.parametrize("method, path", [("GET", "no/such/path"), ("PATCH", "batches"), ("PUT", "groups"),
                                          ("DELETE", "inbounds"), ("GET", "batches/x/delivery_feedback")])
def test_the_token_is_checked_before_the_path_and_method(sandbox, method, path):
    url = f"{sandbox.url}/xms/v1/{sandbox.service_plan_id}/{path}"
    wrong = requests.request(method, url, headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert wrong.status_code == 401
    assert requests.request(method, url, timeout=5).status_code == 401
    right = requests.request(method, url, headers={"Authorization": f"Bearer {sandbox.api_token}"}, timeout=5)
    assert right.status_code in (404, 405)


def test_an_unknown_plan_is_404_whatever_the_token(sandbox):
    api = Api(sandbox, plan="no-such-plan", token="wrong")
    assert api.get("batches").status_code == 404


def test_no_input_gives_unknown_campaign(api):
    """No field carries a campaign: a US long number as sender is sent like any other."""
    response = api.send({"to": ["+12025550123"], "body": "x", "from": "+12025550199"})
    assert response.status_code == 201
    assert "unknown_campaign" in {t.code for t in triggers.TRIGGERS}
