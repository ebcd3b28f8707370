"""Every delivery outcome of Sinch's table, produced by the sandbox from its documented input over
real HTTP: the batch report (status, code, recipients) and the recipient report say it, the
callbacks too, and the dry run shows the body each recipient would get."""
from datetime import datetime, timedelta, timezone

import pytest

from smsnb.knowledge import delivery
from smsnb.sandbox import TRIGGERS, triggers
from tests.conftest import Api, final_report, wait_for

MOBILE, OTHER, THIRD = triggers.ORDINARY_MOBILE, "+46701234568", "+46701234569"
DONE = set()  # (status, code) outcomes produced by the tests of this module, for the coverage test


NUMBERS = {**triggers.CODE_NUMBERS,
           **{number: code for number, (_, code) in triggers.CARRIER_NUMBERS.items()}}


def number_for(code):
    return next(number for number, its in NUMBERS.items() if its == code)


def outcomes(api, batch_id):
    """{recipient (digits): (status, code)} from the final full report, each checked against the
    recipient's own report."""
    report = final_report(api, batch_id, "full")
    assert report["type"] == "delivery_report_sms" and report["batch_id"] == batch_id
    seen = {}
    for group in report["statuses"]:
        assert group["count"] == len(group["recipients"])
        for recipient in group["recipients"]:
            seen[recipient] = (group["status"], group["code"])
    for recipient, pair in seen.items():
        own = api.get(f"batches/{batch_id}/delivery_report/{recipient}").json()
        assert own["type"] == "recipient_delivery_report_sms" and own["recipient"] == recipient
        assert (own["status"], own["code"]) == pair
    DONE.update(seen.values())
    return seen


def sent(api, batch):
    response = api.send(batch)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def dry_run(api, batch):
    response = api.send(batch, path="batches/dry_run", params={"per_recipient": "true"})
    assert response.status_code == 200, response.text
    return response.json()


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- trigger numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("code, status", [
    (402, "Aborted"), (403, "Aborted"), (408, "Aborted"), (412, "Aborted"), (413, "Aborted"),  # API.md
    (69, "Rejected"), (254, "Failed"), (11, "Deleted"), (98, "Expired"), (255, "Unknown"),  # carrier side
])
def test_a_trigger_number_ends_with_its_status_and_code(api, code, status):
    number = number_for(code)
    batch_id = sent(api, {"to": [MOBILE, number], "body": "x"})
    assert outcomes(api, batch_id) == {MOBILE[1:]: ("Delivered", 0), number[1:]: (status, code)}


def test_an_ordinary_number_is_delivered_with_code_0(api):
    assert outcomes(api, sent(api, {"to": [MOBILE, OTHER], "body": "x"})) == {
        MOBILE[1:]: ("Delivered", 0), OTHER[1:]: ("Delivered", 0)}


def test_a_temporary_failure_404_passes_when_sent_again_on_the_same_plan(sandbox, api):
    number = number_for(404)
    batch = {"to": [number], "body": "x"}
    assert outcomes(api, sent(api, batch)) == {number[1:]: ("Aborted", 404)}
    assert outcomes(api, sent(api, batch)) == {number[1:]: ("Delivered", 0)}  # sent again: it passes
    assert outcomes(api, sent(api, batch)) == {number[1:]: ("Aborted", 404)}  # and the cycle starts over
    other_plan = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)
    assert outcomes(other_plan, sent(other_plan, batch)) == {number[1:]: ("Aborted", 404)}


def test_an_aborted_message_never_reaches_dispatched(api):
    number = number_for(402)
    batch_id = sent(api, {"to": [number], "body": "x"})
    statuses = set()

    def final():
        statuses.add(api.get(f"batches/{batch_id}/delivery_report/{number}").json()["status"])
        return "Aborted" in statuses
    wait_for(final)
    assert statuses <= {"Queued", "Aborted"}


# --- 405: a parameter without a value ------------------------------------------------------------

PARAMETERIZED = {"to": [MOBILE, OTHER, THIRD], "body": "Hi ${name}, code ${code}, ${other}",
                 "parameters": {"name": {MOBILE: "Ann", OTHER[1:]: "Bo"}, "code": {"default": "42"}}}


def test_a_parameter_without_value_or_default_aborts_that_recipient_with_405(api):
    assert outcomes(api, sent(api, PARAMETERIZED)) == {
        MOBILE[1:]: ("Delivered", 0), OTHER[1:]: ("Delivered", 0), THIRD[1:]: ("Aborted", 405)}


def test_a_default_value_fills_the_gap(api):
    batch = {**PARAMETERIZED, "parameters": {**PARAMETERIZED["parameters"],
                                             "name": {MOBILE: "Ann", "default": "you"}}}
    assert set(outcomes(api, sent(api, batch)).values()) == {("Delivered", 0)}
    bodies = [row["body"] for row in dry_run(api, batch)["per_recipient"]]
    assert bodies == ["Hi Ann, code 42, ${other}", "Hi you, code 42, ${other}", "Hi you, code 42, ${other}"]


def test_the_dry_run_shows_each_recipients_body(api):
    answer = dry_run(api, PARAMETERIZED)
    # keyed with or without "+"; a recipient without a value keeps the placeholder; a ${...} that
    # names no parameter is plain text
    assert [(row["recipient"], row["body"]) for row in answer["per_recipient"]] == [
        (MOBILE[1:], "Hi Ann, code 42, ${other}"), (OTHER[1:], "Hi Bo, code 42, ${other}"),
        (THIRD[1:], "Hi ${name}, code 42, ${other}")]
    assert answer["number_of_messages"] == 3


# --- 411: more parts than allowed, or cut to fit ------------------------------------------------


def test_more_parts_than_the_limit_aborts_with_411(api):
    batch = {"to": [MOBILE], "body": "a" * 200, "max_number_of_message_parts": 1}
    assert outcomes(api, sent(api, batch)) == {MOBILE[1:]: ("Aborted", 411)}
    row = dry_run(api, batch)["per_recipient"][0]
    assert (row["number_of_parts"], row["body"]) == (2, "a" * 200)  # what it would need
    assert outcomes(api, sent(api, {**batch, "max_number_of_message_parts": 2})) == {
        MOBILE[1:]: ("Delivered", 0)}


def test_the_limit_counts_each_recipients_own_body(api):
    batch = {"to": [MOBILE, OTHER], "body": "Hi ${name}", "max_number_of_message_parts": 1,
             "parameters": {"name": {MOBILE: "Ann", OTHER: "B" * 160}}}
    assert outcomes(api, sent(api, batch)) == {MOBILE[1:]: ("Delivered", 0), OTHER[1:]: ("Aborted", 411)}


@pytest.mark.parametrize("body, limit, cut, coding", [
    ("a" * 400, 2, "a" * 306, "text"),
    ("a" * 159 + "€" + "b", 1, "a" * 159, "text"),  # the euro's escape pair does not fit the last septet
    ("“" * 200, 1, "“" * 70, "unicode"),
    ("a" * 100 + "“" * 100, 1, "a" * 100, "text"),  # cut before the first UCS-2 character: GSM-7 again
])
def test_truncate_concat_cuts_the_body_to_fit_and_it_is_delivered(api, body, limit, cut, coding):
    batch = {"to": [MOBILE], "body": body, "max_number_of_message_parts": limit, "truncate_concat": True}
    row = dry_run(api, batch)["per_recipient"][0]
    assert (row["body"], row["number_of_parts"], row["encoding"]) == (cut, limit, coding)
    assert outcomes(api, sent(api, batch)) == {MOBILE[1:]: ("Delivered", 0)}


# --- 410: no sender on a plan without a default originator ----------------------------------------


def test_no_from_on_a_plan_without_default_originator_aborts_with_410(sandbox, api):
    plan = Api(sandbox, plan=triggers.NO_ORIGINATOR_SERVICE_PLAN_ID)
    assert outcomes(plan, sent(plan, {"to": [MOBILE, OTHER], "body": "x"})) == {
        MOBILE[1:]: ("Aborted", 410), OTHER[1:]: ("Aborted", 410)}
    assert outcomes(plan, sent(plan, {"to": [MOBILE], "body": "x", "from": "Sandbox"})) == {
        MOBILE[1:]: ("Delivered", 0)}
    assert outcomes(api, sent(api, {"to": [MOBILE], "body": "x"})) == {MOBILE[1:]: ("Delivered", 0)}


# --- 406: expired before the dispatch ----------------------------------------------------------


def test_an_expire_at_passed_by_the_dispatch_aborts_with_406(api):
    batch = {"to": [MOBILE], "body": "x", "send_at": "2020-01-01T00:00:00Z",  # in the past: sent at once
             "expire_at": "2020-01-01T00:00:01Z"}
    assert outcomes(api, sent(api, batch)) == {MOBILE[1:]: ("Aborted", 406)}
    later = iso(datetime.now(timezone.utc) + timedelta(days=1))
    assert outcomes(api, sent(api, {"to": [MOBILE], "body": "x", "expire_at": later})) == {
        MOBILE[1:]: ("Delivered", 0)}


# --- 407: a cancelled scheduled batch -------------------------------------------------------------


def test_a_cancelled_scheduled_batch_has_an_empty_report_and_each_recipient_says_407(api):
    batch_id = sent(api, {"to": [MOBILE, OTHER], "body": "x", "send_at": "2099-01-01T00:00:00Z",
                          "expire_at": "2099-01-02T00:00:00Z"})
    assert api.get(f"batches/{batch_id}/delivery_report").status_code == 404  # not yet available
    assert api.delete(f"batches/{batch_id}").json()["canceled"] is True
    for kind in ("summary", "full"):
        report = api.get(f"batches/{batch_id}/delivery_report", params={"type": kind}).json()
        assert report["statuses"] == [] and report["batch_id"] == batch_id
    own = api.get(f"batches/{batch_id}/delivery_report/{OTHER}").json()
    assert (own["status"], own["code"], own["recipient"]) == ("Cancelled", 407, OTHER[1:])
    DONE.add(("Cancelled", 407))


# --- filters, callbacks --------------------------------------------------------------------------


@pytest.fixture
def mixed(api):
    """A settled batch of four outcomes: Delivered 0, Aborted 402, Aborted 403, Failed 254."""
    batch_id = sent(api, {"to": [MOBILE, number_for(402), number_for(403), number_for(254)], "body": "x"})
    outcomes(api, batch_id)
    return batch_id


@pytest.mark.parametrize("query, groups", [
    ({"status": "Aborted"}, {("Aborted", 402), ("Aborted", 403)}),
    ({"status": "Aborted,Failed", "code": "402,254"}, {("Aborted", 402), ("Failed", 254)}),
    ({"code": "0"}, {("Delivered", 0)}),
    ({"status": "Expired"}, set()),
    ({}, {("Delivered", 0), ("Aborted", 402), ("Aborted", 403), ("Failed", 254)}),
])
def test_the_batch_report_filters_by_status_and_code(api, mixed, query, groups):
    for kind in ("summary", "full"):
        report = api.get(f"batches/{mixed}/delivery_report", params={**query, "type": kind}).json()
        assert {(g["status"], g["code"]) for g in report["statuses"]} == groups
        assert all(g["count"] == 1 and ("recipients" in g) == (kind == "full") for g in report["statuses"])


@pytest.mark.parametrize("query, field", [({"status": "Nope"}, "status"), ({"code": "4o2"}, "code"),
                                          ({"status": "Aborted", "code": "-1"}, "code")])
def test_a_filter_that_is_not_one_gets_sinchs_400(api, mixed, query, field):
    response = api.get(f"batches/{mixed}/delivery_report", params=query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "syntax_invalid_parameter_format" and f"'{field}'" in body["text"]


def test_callbacks_carry_the_same_statuses_and_codes(sandbox):
    api = Api(sandbox, plan=triggers.CALLBACK_SERVICE_PLAN_ID)  # its callbacks go to the built-in receiver
    batch_id = sent(api, {**PARAMETERIZED, "delivery_report": "full"})
    summary = wait_for(lambda: [c for c in sandbox.received_callbacks if c.get("batch_id") == batch_id])[0]
    assert summary == final_report(api, batch_id, "full")
    per_recipient = sent(api, {**PARAMETERIZED, "delivery_report": "per_recipient"})

    def steps():
        got = [(c["recipient"], c["status"], c["code"]) for c in sandbox.received_callbacks
               if c.get("batch_id") == per_recipient]
        return got if len(got) >= 5 else None
    assert sorted(wait_for(steps)) == [(MOBILE[1:], "Delivered", 0), (MOBILE[1:], "Dispatched", 401),
                                       (OTHER[1:], "Delivered", 0), (OTHER[1:], "Dispatched", 401),
                                       (THIRD[1:], "Aborted", 405)]


# --- validation of the fields these use ------------------------------------------------------------


@pytest.mark.parametrize("fields, code, names", [
    ({"max_number_of_message_parts": 0}, "syntax_constraint_violation", "max_number_of_message_parts"),
    ({"max_number_of_message_parts": "2"}, "syntax_invalid_json", "max_number_of_message_parts"),
    ({"max_number_of_message_parts": 1.5}, "syntax_invalid_json", "max_number_of_message_parts"),
    ({"max_number_of_message_parts": True}, "syntax_invalid_json", "max_number_of_message_parts"),
    ({"truncate_concat": "yes"}, "syntax_invalid_json", "truncate_concat"),
    ({"parameters": ["name"]}, "syntax_invalid_json", "'parameters'"),
    ({"parameters": {"name": "Ann"}}, "syntax_invalid_json", "'parameters.name'"),
    ({"parameters": {"name": {"default": 7}}}, "syntax_invalid_json", "'parameters.name.default'"),
    ({"from": 46701234567}, "syntax_invalid_json", "'from'"),
    ({"send_at": "2030-01-01T00:00:00Z", "expire_at": "2030-01-04T00:00:01Z"}, "syntax_constraint_violation",
     "expire_at"),
    ({"send_at": "2030-01-01T00:00:00Z", "expire_at": "2030-01-01T00:00:00Z"}, "syntax_constraint_violation",
     "expire_at"),
])
def test_the_fields_these_use_are_checked_with_sinchs_error_bodies(api, fields, code, names):
    response = api.send({"to": [MOBILE], "body": "x", **fields})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "text"} and body["code"] == code and names in body["text"]


# --- the table ----------------------------------------------------------------------------------


def test_the_trigger_table_lists_every_final_status_and_every_sinch_code():
    rows = [t for t in TRIGGERS if t.delivery_status]
    assert {t.delivery_status for t in rows} == set(delivery.FINAL)
    sinch_codes = {entry.code for entry in delivery.CODES if entry.status in delivery.FINAL}
    assert sinch_codes <= {t.delivery_code for t in rows}
    for t in rows:  # Sinch's own codes come with Sinch's status; carrier codes are below 400
        if t.delivery_code in sinch_codes:
            assert delivery.code(t.delivery_code).status == t.delivery_status
        else:
            assert t.delivery_code < 400


def test_every_delivery_outcome_of_the_table_was_produced_by_this_module():
    """Runs last in this module: each row's (status, code) was produced above over HTTP."""
    if len(DONE) < 5:
        pytest.skip("run with the whole module")
    assert {(t.delivery_status, t.delivery_code) for t in TRIGGERS if t.delivery_status} <= DONE
