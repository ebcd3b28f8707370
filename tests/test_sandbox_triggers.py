"""Every row of the trigger table, over real HTTP: status, code and body shape."""
import time

import pytest
import requests

from smsnb.sandbox import TRIGGERS, triggers
from tests.conftest import Api

OK = {"to": [triggers.ORDINARY_MOBILE], "body": "hello"}


def error_of(response):
    body = response.json()
    assert set(body) == {"code", "text"}, body
    assert isinstance(body["text"], str) and body["text"].endswith(".")
    return body["code"], body["text"]


@pytest.mark.parametrize(
    "batch, code, text",
    [
        ({"to": ["+1"], "body": "x"}, "syntax_invalid_parameter_format",
         "The format of parameter 'to[0]' is invalid; value '+1' is not a valid MSISDN or group ID."),
        ({"to": ["0701234567"], "body": "x"}, "syntax_invalid_parameter_format", "to[0]"),
        ({"to": ["+46 70 ABC"], "body": "x"}, "syntax_invalid_parameter_format", "to[0]"),
        ({"to": [triggers.ORDINARY_MOBILE, "+4670123456789012"], "body": "x"},
         "syntax_invalid_parameter_format", "to[1]"),
        ({**OK, "callback_url": "not a url"}, "syntax_invalid_parameter_format", "callback_url"),
        ({**OK, "delivery_report": "sometimes"}, "syntax_invalid_parameter_format", "delivery_report"),
        ({"to": [triggers.ORDINARY_MOBILE]}, "syntax_constraint_violation", "'body'"),
        ({"body": "x"}, "syntax_constraint_violation", "'to'"),
        ({"to": [], "body": "x"}, "syntax_constraint_violation", "1 to 1000"),
        ({"to": [triggers.ORDINARY_MOBILE] * 1001, "body": "x"}, "syntax_constraint_violation", "has 1001"),
        ({"to": [triggers.ORDINARY_MOBILE], "body": "x" * 2001}, "syntax_constraint_violation",
         "at most 2000"),
        ({**OK, "client_reference": "r" * 2049}, "syntax_constraint_violation", "client_reference"),
        ({**OK, "send_at": "2030-01-02T00:00:00Z", "expire_at": "2030-01-01T00:00:00Z"},
         "syntax_constraint_violation", "expire_at"),
        ({**OK, "to": "+46701234567"}, "syntax_invalid_json", "'to' must be an array of strings"),
        ({**OK, "body": 12}, "syntax_invalid_json", "'body' must be a string"),
    ],
)
def test_400_checks(api, batch, code, text):
    response = api.send(batch)
    assert response.status_code == 400
    assert error_of(response)[0] == code
    assert text in error_of(response)[1]


@pytest.mark.parametrize("raw", ['{"to": [}', "", "[1, 2]", "\"text\""])
def test_body_that_is_not_a_json_object_is_syntax_invalid_json(api, raw):
    response = api.send(raw=raw)
    assert response.status_code == 400
    code, text = error_of(response)
    assert code == "syntax_invalid_json"


def test_invalid_json_names_line_and_column(api):
    code, text = error_of(api.send(raw='{"to": [\n  }'))
    assert "line 2, column 3" in text


def test_checks_run_in_sinchs_order(api):
    # A malformed number and a missing body: the format check comes first.
    assert error_of(api.send({"to": ["+1"]}))[0] == "syntax_invalid_parameter_format"
    # A constraint violation and a missing callback URL: the 400 comes first.
    empty_to = api.send({"to": [], "body": "x", "delivery_report": "full"})
    assert error_of(empty_to)[0] == "syntax_constraint_violation"


def test_missing_callback_url(api):
    response = api.send({**OK, "delivery_report": "full"})
    assert response.status_code == 403
    assert error_of(response) == ("missing_callback_url",
                                  "Requesting delivery report without any callback URL.")


def test_plan_level_callback_url_satisfies_delivery_report(sandbox):
    response = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID).send({**OK, "delivery_report": "summary"})
    assert response.status_code == 201


@pytest.mark.parametrize("number, kind", [(triggers.FIXED_LINE, "fixed line"),
                                          (triggers.TOLL_FREE, "toll free"),
                                          ("+46939123456", "premium rate")])
def test_illegal_number_type_names_number_and_type(api, number, kind):
    response = api.send({"to": [triggers.ORDINARY_MOBILE, number], "body": "x"})
    assert response.status_code == 403
    code, text = error_of(response)
    assert code == "illegal_number_type"
    assert number in text and kind in text and "to[1]" in text


def test_blocked_account(sandbox):
    response = Api(sandbox, plan=triggers.BLOCKED_SERVICE_PLAN_ID).send(OK)
    assert response.status_code == 403
    assert error_of(response)[0] == "blocked_account"


def test_unknown_group(api):
    response = api.send({"to": [triggers.UNKNOWN_GROUP_ID], "body": "x"})
    assert response.status_code == 403
    assert error_of(response)[0] == "unknown_group"


def test_cancelling_a_sent_batch_changes_nothing_and_a_scheduled_one_is_cancelled(api):
    sent = api.send(OK).json()
    time.sleep(0.3)  # past the simulated final step
    before = api.get(f"batches/{sent['id']}/delivery_report", params={"type": "full"}).json()
    response = api.delete(f"batches/{sent['id']}")
    assert response.status_code == 200
    after = api.get(f"batches/{sent['id']}/delivery_report", params={"type": "full"}).json()
    assert after == before and after["statuses"][0]["status"] == "Delivered"

    scheduled = api.send({**OK, "send_at": "2099-01-01T00:00:00Z",
                          "expire_at": "2099-01-02T00:00:00Z"}).json()
    cancelled = api.delete(f"batches/{scheduled['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["canceled"] is True


def test_401_for_missing_or_wrong_token(sandbox):
    assert Api(sandbox, token="wrong").send(OK).status_code == 401
    bare = requests.post(Api(sandbox).url("batches"), json=OK, timeout=5)
    assert bare.status_code == 401 and "Bearer" in bare.headers["WWW-Authenticate"]


def test_404_reasons(api, sandbox):
    assert api.get("batchez").status_code == 404  # a mistyped endpoint
    assert Api(sandbox, plan="no-such-plan").send(OK).status_code == 404  # an unknown service plan
    assert api.get("batches/01AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404  # no longer available
    later = api.send({**OK, "send_at": "2099-01-01T00:00:00Z", "expire_at": "2099-01-02T00:00:00Z"}).json()
    assert api.get(f"batches/{later['id']}/delivery_report").status_code == 404  # not yet available


def test_405_wrong_method_names_the_allowed_ones(api):
    response = api.session.put(api.url("batches"), json=OK, headers=api.headers(), timeout=5)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("content_type", [None, "text/plain"])
def test_415_without_json_content_type(api, content_type):
    headers = {"Authorization": f"Bearer {api.token}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = api.session.post(api.url("batches"), data='{"to": ["+46701234567"], "body": "x"}',
                                headers=headers, timeout=5)
    assert response.status_code == 415


@pytest.mark.parametrize("number, status", [(triggers.RATE_LIMITED, 429), (triggers.SERVER_ERROR, 500),
                                            (triggers.UNAVAILABLE, 503)])
def test_gateway_triggers(api, number, status):
    response = api.send({"to": [number], "body": "x"})
    assert response.status_code == status
    if status == 429:
        assert response.headers["Retry-After"] == "2"


def test_slow_answer_times_out_a_client(api):
    with pytest.raises(requests.ReadTimeout):
        api.session.post(api.url("batches"), json={"to": [triggers.SLOW], "body": "x"},
                         headers=api.headers(), timeout=0.3)


def test_dropped_connection(api):
    # The status line arrives, the body is cut short: requests calls that a broken chunked read.
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        api.send({"to": [triggers.DROPPED], "body": "x"})
    assert api.send(OK).status_code == 201


def test_ordinary_mobile_succeeds_and_echoes_without_plus(api):
    response = api.send({"to": ["+46 70-123 45 67", "0046701234568"], "body": "hi",
                         "client_reference": "ref-1"})
    assert response.status_code == 201
    body = response.json()
    assert body["to"] == ["46701234567", "46701234568"]
    assert body["client_reference"] == "ref-1" and body["canceled"] is False and len(body["id"]) == 26


def test_every_trigger_row_is_exercised_by_this_module():
    """A new row in the table must come with a test here (the delivery outcomes: in
    test_sandbox_delivery_codes.py; unknown_campaign, which nothing reaches: in
    test_sandbox_rules.py; inbound SMS: in test_sandbox_inbounds.py)."""
    tested = {"201 batch created, then Delivered", "400 syntax_invalid_json",
              "400 syntax_invalid_parameter_format", "400 syntax_constraint_violation",
              "403 missing_callback_url", "403 illegal_number_type",
              "403 blocked_account", "403 unknown_group", "401 Unauthorized",
              "404 Not Found", "405 Method Not Allowed", "413 Payload Too Large",
              "415 Unsupported Media Type",
              "429 Too Many Requests", "500 Internal Server Error", "503 Service Unavailable",
              "slow answer (read timeout)", "connection dropped mid-answer",
              "403 unknown_campaign", "201 inbound SMS arrives", "inbound SMS replying to a batch"}
    assert {t.outcome for t in TRIGGERS if t.delivery_code is None or t.status == 201} == tested


@pytest.mark.parametrize("number, status", [(triggers.SERVER_ERROR, 500), (triggers.UNAVAILABLE, 503)])
def test_gateway_failures_are_transient(api, number, status):
    assert api.send({"to": [number], "body": "x"}).status_code == status
    assert api.send({"to": [number], "body": "x"}).status_code == 201
    assert api.send({"to": [number], "body": "x"}).status_code == status  # and the cycle starts again


def test_rate_limit_passes_only_after_retry_after():
    from smsnb.sandbox import Sandbox

    with Sandbox(retry_after=1) as box:
        api = Api(box)
        assert api.send({"to": [triggers.RATE_LIMITED], "body": "x"}).status_code == 429
        assert api.send({"to": [triggers.RATE_LIMITED], "body": "x"}).status_code == 429  # too early
        time.sleep(1.05)
        assert api.send({"to": [triggers.RATE_LIMITED], "body": "x"}).status_code == 201
