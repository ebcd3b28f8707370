"""The official Sinch Python SDK (`sinch` 2.3.0, software nobody here wrote) against the sandbox,
through its public API only: every SMS endpoint it offers (MMS aside), with a service plan and
token and with OAuth2. Its models parse every answer, strictly typed, with no field they do not
know; each request-time error the sandbox documents reaches the caller as the SDK's exception,
carrying the sandbox's status and `{code, text}` body.

The callbacks the sandbox POSTs (delivery reports, inbound SMS) are read by the SDK's own parser.

Unreachable through the SDK, and so tested over raw HTTP elsewhere: 405 and 415 (it always uses
the right method and JSON), 408 and 431 (it sends whole requests with small heads); and
unknown_campaign, which no documented input reaches (see the README's trigger table)."""
from __future__ import annotations

import datetime as dt
import time

import pytest
import requests
from pydantic import BaseModel
from sinch import SinchClient
from sinch.core.clients.retry_configuration import RetryConfiguration
from sinch.core.enums import RetryPolicy
from sinch.core.exceptions import SinchException
from sinch.domains.sms.api.v1.exceptions import SmsException

from smsnb.sandbox import Clock, Sandbox, triggers
from tests.conftest import wait_for

MOBILE = triggers.ORDINARY_MOBILE
OTHER = "+46701234568"
LATER = dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc)
UDH = "050003CC0201"  # a concatenation header: part 1 of 2
BINARY = "SGVsbG8="  # base64 of "Hello"

@pytest.fixture(scope="module")
def box():
    clock = Clock(dispatch_after=0.02, final_after=0.06, callback_retry_after=0.02)
    with Sandbox(slow_seconds=0.2, retry_after=0, clock=clock) as sandbox:
        yield sandbox


def sdk(box, auth="service_plan", *, plan=None, token=None, secret=None, retry=RetryPolicy.NONE):
    """The SDK's client pointed at the sandbox, as the README says: a region, then the sandbox's
    URL as the SMS host (and as the OAuth2 host)."""
    c = box.credentials
    retrying = RetryConfiguration(retry_policy=retry)
    if auth == "service_plan":
        client = SinchClient(service_plan_id=plan or c.service_plan_id, sms_api_token=token or c.api_token,
                             sms_region="us", retry_configuration=retrying)
        client.configuration.sms_domain_with_service_plan_id = c.base_url
    else:
        client = SinchClient(project_id=c.project_id, key_id=c.key_id, key_secret=secret or c.key_secret,
                             sms_region="us", retry_configuration=retrying)
        client.configuration.auth_origin = c.base_url
        client.configuration.sms_domain = c.base_url
    client.configuration.connection_timeout = 5
    return client


@pytest.fixture(params=["service_plan", "oauth2"])
def auth(request) -> str:
    return request.param


@pytest.fixture
def sms(box, auth):
    """The SDK's SMS API, with each of the two ways to authenticate."""
    return sdk(box, auth).sms


def known(model):
    """The model, once every field of it (nested ones too) is one the SDK declares."""
    if isinstance(model, BaseModel):
        extra = model.model_extra
        assert not extra, f"{type(model).__name__} got fields it does not know: {extra}"
        for name in type(model).model_fields:
            known(getattr(model, name))
    elif isinstance(model, (list, tuple)):
        for item in model:
            known(item)
    return model


def raised(call) -> SinchException:
    with pytest.raises(SinchException) as caught:
        call()
    return caught.value


# --- batches ---------------------------------------------------------------------------------------

def test_send_sms_echoes_every_field_it_was_given(sms, box):
    batch = known(sms.batches.send_sms(
        to=[MOBILE, OTHER], from_="Shop", body="Hi ${name}", parameters={"name": {"default": "you"}},
        delivery_report="per_recipient_final", event_destination_target=box.credentials.receiver_url,
        client_reference="order-7", feedback_enabled=True, flash_message=False, truncate_concat=True,
        max_number_of_message_parts=2, send_at=LATER, expire_at=LATER + dt.timedelta(days=1),
        from_ton=1, from_npi=1))
    assert (batch.type, batch.to, batch.from_, batch.body) == ("mt_text", [MOBILE[1:], OTHER[1:]], "Shop",
                                                                 "Hi ${name}")
    assert (batch.delivery_report, batch.event_destination_target, batch.client_reference) == (
        "per_recipient_final", box.credentials.receiver_url, "order-7")
    assert (batch.parameters, batch.feedback_enabled, batch.flash_message, batch.truncate_concat,
            batch.max_number_of_message_parts) == ({"name": {"default": "you"}}, True, False, True, 2)
    assert (batch.send_at, batch.expire_at) == (LATER, LATER + dt.timedelta(days=1))
    assert batch.canceled is False and len(batch.id) == 26 and batch.created_at.tzinfo is not None


def test_from_ton_and_from_npi_are_echoed(sms):
    batch = known(sms.batches.send_sms(to=[MOBILE], from_="12345", body="hi", from_ton=3, from_npi=1))
    assert (batch.from_ton, batch.from_npi) == (3, 1)


def test_get_list_and_cancel_a_batch(sms):
    sent = sms.batches.send_sms(to=[MOBILE], from_="Shop", body="later", send_at=LATER)
    assert known(sms.batches.get(sent.id)) == sent
    page = sms.batches.list(page_size=1)
    assert known(page.result).page_size == 1 and page.content()[0].id == sent.id  # newest first
    assert sent.id in [b.id for b in sms.batches.list(page_size=100).iterator()]
    cancelled = known(sms.batches.cancel(sent.id))
    assert cancelled.id == sent.id and cancelled.canceled is True and sms.batches.get(sent.id).canceled


def test_list_filters_batches_by_sender_and_client_reference(sms):
    sent = sms.batches.send_sms(to=[MOBILE], from_="12345", body="filtered", client_reference="only-me")
    sms.batches.send_sms(to=[MOBILE], from_="Other", body="not this one")
    by_reference = [b.id for b in sms.batches.list(client_reference="only-me").iterator()]
    by_sender = {b.from_ for b in sms.batches.list(from_=["12345"]).iterator()}
    assert by_reference == [sent.id] and by_sender == {"12345"}


def test_dry_run_counts_parts_and_fills_in_parameters(sms):
    answer = known(sms.batches.dry_run_sms(
        to=[MOBILE, OTHER], from_="Shop", body="Hi ${name} " + "x" * 200, per_recipient=True,
        number_of_recipients=1, parameters={"name": {MOBILE: "Ann", "default": "you"}}))
    assert (answer.number_of_recipients, answer.number_of_messages) == (2, 4)
    [row] = answer.per_recipient
    assert (row.recipient, row.number_of_parts, row.encoding) == (MOBILE[1:], 2, "text")
    assert row.body.startswith("Hi Ann ")


def test_binary_batches_send_get_and_dry_run(sms):
    batch = sms.batches.send_binary(to=[MOBILE], from_="Shop", body=BINARY, udh=UDH, from_ton=1, from_npi=1)
    assert (batch.type, batch.body, batch.udh, batch.from_ton, batch.from_npi) == (
        "mt_binary", BINARY, UDH, 1, 1)
    assert sms.batches.get(batch.id) == batch
    answer = known(sms.batches.dry_run_binary(to=[MOBILE], from_="Shop", body=BINARY, udh=UDH,
                                              per_recipient=True))
    assert answer.number_of_messages == 1 and answer.per_recipient[0].number_of_parts == 1
    error = raised(lambda: sms.batches.send_binary(to=[MOBILE], from_="Shop", body="not base64!", udh=UDH))
    assert (error.response_status_code, error.http_response.body["code"]) == (400,
                                                                             "syntax_invalid_parameter_format")


def test_a_binary_batch_has_only_the_fields_the_sdk_knows(sms):
    known(sms.batches.send_binary(to=[MOBILE], from_="Shop", body=BINARY, udh=UDH))


def test_update_changes_a_scheduled_batch(sms):
    sent = sms.batches.send_sms(to=[MOBILE], from_="Shop", body="old", send_at=LATER)
    updated = known(sms.batches.update_sms(sent.id, to_add=[OTHER], to_remove=[MOBILE], body="new",
                                           client_reference="moved"))
    assert (updated.to, updated.body, updated.client_reference) == ([OTHER[1:]], "new", "moved")
    assert sms.batches.get(sent.id).body == "new"


def test_replace_swaps_a_scheduled_batch_for_another(sms):
    sent = sms.batches.send_sms(to=[MOBILE], from_="Shop", body="old", client_reference="gone",
                                send_at=LATER)
    replaced = known(sms.batches.replace_sms(sent.id, to=[OTHER], from_="Shop", body="new", send_at=LATER))
    assert (replaced.id, replaced.to, replaced.body, replaced.client_reference) == (sent.id, [OTHER[1:]],
                                                                                    "new", None)


def test_a_dispatched_batch_can_no_longer_be_updated(sms):
    sent = sms.batches.send_sms(to=[MOBILE], from_="Shop", body="now")
    wait_for(lambda: sms.delivery_reports.get_for_number(sent.id, MOBILE).status != "Queued")
    assert raised(lambda: sms.batches.update_sms(sent.id, body="too late")).response_status_code == 400


def test_delivery_feedback_is_accepted_for_a_batch_that_asked_for_it(sms):
    sent = sms.batches.send_sms(to=[MOBILE, OTHER], from_="Shop", body="hi", feedback_enabled=True)
    assert sms.batches.send_delivery_feedback(sent.id, recipients=[MOBILE]) is None
    assert sms.batches.send_delivery_feedback(sent.id, recipients=[]) is None


# --- delivery reports --------------------------------------------------------------------------------

def delivered_batch(sms, *to: str, **fields):
    sent = sms.batches.send_sms(to=list(to), from_="Shop", body="report me", **fields)
    def final():
        statuses = {s.status for s in sms.delivery_reports.get(sent.id).statuses}
        return statuses and not statuses & {"Queued", "Dispatched"}

    wait_for(final)
    return sent


def test_batch_report_summary_full_and_filtered(sms):
    sent = delivered_batch(sms, MOBILE, "+46700000402", client_reference="r-1")
    summary = known(sms.delivery_reports.get(sent.id, report_type="summary"))
    assert (summary.type, summary.batch_id, summary.total_message_count, summary.client_reference) == (
        "delivery_report_sms", sent.id, 2, "r-1")
    assert sorted((s.status, s.code, s.count) for s in summary.statuses) == [("Aborted", 402, 1),
                                                                           ("Delivered", 0, 1)]
    assert all(s.recipients is None for s in summary.statuses)
    full = known(sms.delivery_reports.get(sent.id, report_type="full", status=["Aborted"], code=[402]))
    assert [(s.status, s.recipients) for s in full.statuses] == [("Aborted", ["46700000402"])]


def test_recipient_report(sms):
    sent = delivered_batch(sms, MOBILE, client_reference="r-2")
    report = known(sms.delivery_reports.get_for_number(sent.id, MOBILE))
    assert (report.type, report.batch_id, report.recipient, report.status, report.code,
            report.client_reference) == ("recipient_delivery_report_sms", sent.id, MOBILE[1:], "Delivered", 0,
                                         "r-2")
    assert report.at.tzinfo is not None


def test_recipient_report_list_with_its_filters(sms):
    sent = delivered_batch(sms, MOBILE, "+46700000402", client_reference="r-3")
    reports = [known(r) for r in sms.delivery_reports.list(client_reference="r-3").iterator()]
    assert sorted((r.batch_id, r.recipient, r.status) for r in reports) == [
        (sent.id, "46700000402", "Aborted"), (sent.id, MOBILE[1:], "Delivered")]
    failed = sms.delivery_reports.list(client_reference="r-3", status=["Aborted"], code=[402])
    assert [r.recipient for r in failed.iterator()] == ["46700000402"]


# --- groups ---------------------------------------------------------------------------------------

def test_group_lifecycle(sms):
    group = known(sms.groups.create(name="Team", members=[MOBILE, OTHER]))
    assert (group.name, group.size) == ("Team", 2) and len(group.id) == 26
    assert known(sms.groups.get(group.id)).name == "Team"
    assert group.id in [g.id for g in sms.groups.list().iterator()]
    assert sorted(sms.groups.list_members(group.id).content()) == sorted([MOBILE[1:], OTHER[1:]])
    updated = known(sms.groups.update(group.id, add=["+46701234569"], remove=[OTHER], name="Crew"))
    assert (updated.name, updated.size) == ("Crew", 2)
    replaced = known(sms.groups.replace(group.id, name="Solo", members=[MOBILE]))
    assert (replaced.name, replaced.size) == ("Solo", 1)
    assert sms.groups.delete(group.id) is None
    assert raised(lambda: sms.groups.get(group.id)).response_status_code == 404


def test_a_group_in_to_is_sent_to_its_members(sms):
    group = sms.groups.create(name="Both", members=[MOBILE, OTHER])
    sent = delivered_batch(sms, group.id)
    report = sms.delivery_reports.get(sent.id, report_type="full")
    assert sorted(r for s in report.statuses for r in s.recipients) == sorted([MOBILE[1:], OTHER[1:]])


def test_a_deleted_group_or_an_unknown_one_in_to_add_is_403_unknown_group(sms):
    group = sms.groups.create(name="Gone", members=[MOBILE])
    sms.groups.delete(group.id)
    error = raised(lambda: sms.batches.send_sms(to=[group.id], from_="Shop", body="hi"))
    assert (error.response_status_code, error.http_response.body["code"]) == (403, "unknown_group")
    later = sms.batches.send_sms(to=[MOBILE], from_="Shop", body="later", send_at=LATER)
    error = raised(lambda: sms.batches.update_sms(later.id, to_add=[group.id]))
    assert (error.response_status_code, error.http_response.body["code"]) == (403, "unknown_group")


def test_feedback_for_a_number_that_is_not_one_is_400(sms):
    sent = sms.batches.send_sms(to=[MOBILE], from_="Shop", body="hi", feedback_enabled=True)
    error = raised(lambda: sms.batches.send_delivery_feedback(sent.id, recipients=["0701234567"]))
    assert (error.response_status_code, error.http_response.body["code"]) == (
        400, "syntax_invalid_parameter_format")


# --- inbounds -------------------------------------------------------------------------------------

def test_inbounds_list_and_get(sms, box, auth):
    """An inbound SMS, made to arrive by the sandbox (the SDK has no way to), read with the SDK."""
    c = box.credentials
    box.inbound(OTHER, "STOP", service_plan_id=c.service_plan_id if auth == "service_plan" else c.project_id)
    [inbound] = [known(m) for m in sms.inbounds.list(to=[triggers.SANDBOX_NUMBER]).iterator()
                 if m.body == "STOP"]
    assert (inbound.type, inbound.from_, inbound.to) == ("mo_text", OTHER[1:], triggers.SANDBOX_NUMBER[1:])
    assert inbound.received_at.tzinfo is not None
    assert known(sms.inbounds.get(inbound.id)) == inbound


def test_the_echo_number_replies_with_an_inbound_the_sdk_reads(sms):
    sent = sms.batches.send_sms(to=[triggers.ECHO_NUMBER], from_=OTHER, body="ping 42")
    reply = wait_for(lambda: [m for m in sms.inbounds.list(to=[OTHER]).iterator() if m.body == "ping 42"])
    [inbound] = [known(m) for m in reply]
    assert (inbound.from_, inbound.to) == (triggers.ECHO_NUMBER[1:], OTHER[1:])
    assert sms.delivery_reports.get_for_number(sent.id, triggers.ECHO_NUMBER).status == "Delivered"


# --- callbacks, as the SDK's own parser reads them ------------------------------------------------

def test_every_callback_the_sandbox_posts_parses_as_the_sdk_s_event(sms, box):
    """Delivery reports of each kind, and an inbound SMS POSTed to the plan's callback URL, read
    by the SDK's parser for Sinch's callbacks."""
    events = sms.sinch_events("unused: the sandbox signs nothing")
    receiver = box.credentials.receiver_url
    sent = {kind: sms.batches.send_sms(to=[MOBILE, "+46700000402"], from_="Shop", body=kind,
                                       delivery_report=kind, event_destination_target=receiver,
                                       client_reference=kind).id
            for kind in ("summary", "full", "per_recipient", "per_recipient_final")}
    box.inbound(OTHER, "callback me", service_plan_id=triggers.CALLBACK_SERVICE_PLAN_ID)

    def received():
        bodies = box.received_callbacks.entries()
        return bodies if {b.get("batch_id") for b in bodies} >= set(sent.values()) and any(
            b.get("body") == "callback me" for b in bodies) else None

    parsed = [known(events.parse_event(body)) for body in wait_for(received)]
    mine = [p for p in parsed if getattr(p, "batch_id", None) in sent.values()]
    assert {type(p).__name__ for p in mine} == {"BatchDeliveryReport", "RecipientDeliveryReport"}
    full = next(p for p in mine if p.batch_id == sent["full"])
    assert sorted((s.status, s.code, s.recipients) for s in full.statuses) == [
        ("Aborted", 402, ["46700000402"]), ("Delivered", 0, [MOBILE[1:]])]
    inbound = next(p for p in parsed if getattr(p, "body", None) == "callback me")
    assert (inbound.type, inbound.from_) == ("mo_text", OTHER[1:])


# --- the errors the sandbox documents, as the SDK raises them ----------------------------------------

PLAIN_TEXT = "text/plain"
ERRORS = {  # name: (the call, given a client's SMS API; the status; the code, None for an empty body,
    # or PLAIN_TEXT for a sentence in plain text)
    "number without country code": (lambda s: s.batches.send_sms(to=["0701234567"], from_="S", body="x"),
                                    400, "syntax_invalid_parameter_format"),
    "body over the limit": (lambda s: s.batches.send_sms(to=[MOBILE], from_="S", body="x" * 2001),
                            400, "syntax_constraint_violation"),
    "no recipients": (lambda s: s.batches.send_sms(to=[], from_="S", body="x"), 400,
                      "syntax_constraint_violation"),
    "report without callback": (lambda s: s.batches.send_sms(to=[MOBILE], from_="S", body="x",
                                                             delivery_report="full"),
                                403, "missing_callback_url"),
    "fixed line": (lambda s: s.batches.send_sms(to=[triggers.FIXED_LINE], from_="S", body="x"), 403,
                   "illegal_number_type"),
    "unknown group": (lambda s: s.batches.send_sms(to=[triggers.UNKNOWN_GROUP_ID], from_="S", body="x"), 403,
                      "unknown_group"),
    "dry run of a bad batch": (lambda s: s.batches.dry_run_sms(to=["+1"], from_="S", body="x"), 400,
                               "syntax_invalid_parameter_format"),
    "wrong type": (lambda s: s.batches.send_sms(to=[MOBILE], from_="S", body="x", udh=5), 400,
                   "syntax_invalid_json"),
    "binary over 140 bytes": (lambda s: s.batches.send_binary(to=[MOBILE], from_="S", body="QUJD" * 60,
                                                              udh=UDH), 400, "syntax_constraint_violation"),
    "group with a bad member": (lambda s: s.groups.create(name="x", members=["0701234567"]), 400,
                                "syntax_invalid_parameter_format"),
    "group with an unknown child group": (lambda s: s.groups.create(
        name="x", child_groups=[triggers.UNKNOWN_GROUP_ID]), 403, "unknown_group"),
    "unknown group id": (lambda s: s.groups.get(triggers.UNKNOWN_GROUP_ID), 404, None),
    "unknown inbound id": (lambda s: s.inbounds.get("01FC66621VHDBN119Z8PMV1QPQ"), 404, None),
    "unknown batch": (lambda s: s.batches.get("01FC66621VHDBN119Z8PMV1QPQ"), 404, None),
    "cancel of an unknown batch": (lambda s: s.batches.cancel("01FC66621VHDBN119Z8PMV1QPQ"), 404, None),
    "report of an unknown batch": (lambda s: s.delivery_reports.get("01FC66621VHDBN119Z8PMV1QPQ"), 404, None),
    "body over 1 MiB": (lambda s: s.batches.send_sms(to=[MOBILE], from_="S", body="x" * (1 << 20)), 413,
                        PLAIN_TEXT),
    "429 trigger": (lambda s: s.batches.send_sms(to=[triggers.RATE_LIMITED], from_="S", body="x"), 429, None),
    "500 trigger": (lambda s: s.batches.send_sms(to=[triggers.SERVER_ERROR], from_="S", body="x"), 500, None),
    "503 trigger": (lambda s: s.batches.send_sms(to=[triggers.UNAVAILABLE], from_="S", body="x"), 503, None),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_each_documented_error_raises_with_the_sandbox_s_answer(name):
    """A fresh sandbox per error, so that each transient trigger fails its first time."""
    call, status, code = ERRORS[name]
    with Sandbox(retry_after=0) as fresh:
        for auth in ("service_plan", "oauth2"):
            sms = sdk(fresh, auth).sms
            error = raised(lambda: call(sms))  # noqa: B023 (called at once, inside the loop)
            assert error.is_from_server and error.http_response.status_code == status
            if code == PLAIN_TEXT:  # not JSON: the SDK says so and keeps the raw answer (whose falsy
                # requests.Response leaves its response_status_code None)
                assert str(error).startswith("Error while parsing json response")
                assert error.http_response.text == fresh.journal.entries()[-1]["response"]
                continue
            assert isinstance(error, SmsException) and str(error) == f"Error {status}"
            body = error.http_response.body
            assert body == {} if code is None else (set(body) == {"code", "text"} and body["code"] == code)
            assert code is None or body["text"]


def test_a_wrong_token_or_an_unknown_plan_is_401_or_404(box):
    assert raised(lambda: sdk(box, token="wrong").sms.batches.list()).response_status_code == 401
    assert raised(lambda: sdk(box, plan="nobody").sms.batches.list()).response_status_code == 404


def test_a_blocked_plan_is_403_blocked_account(box):
    error = raised(lambda: sdk(box, plan=triggers.BLOCKED_SERVICE_PLAN_ID).sms.batches.send_sms(
        to=[MOBILE], from_="S", body="x"))
    assert (error.response_status_code, error.http_response.body["code"]) == (403, "blocked_account")


def test_a_wrong_key_secret_fails_at_the_token(box):
    error = raised(lambda: sdk(box, "oauth2", secret="wrong").sms.batches.list())
    assert error.response_status_code == 401


def test_the_sdk_s_own_retry_waits_out_a_429_and_then_passes(box):
    with Sandbox(retry_after=0) as fresh:
        batch = sdk(fresh, retry=RetryPolicy.DEFAULT).sms.batches.send_sms(
            to=[triggers.RATE_LIMITED], from_="S", body="again")
        assert [e["status"] for e in fresh.journal.entries()] == [429, 201]
        assert batch.to == [triggers.RATE_LIMITED[1:]]


def test_an_expired_access_token_is_renewed_by_the_sdk_and_the_call_passes():
    with Sandbox(token_ttl=0.3) as fresh:
        sms = sdk(fresh, "oauth2").sms
        sms.batches.list()
        issued = time.monotonic()
        wait_for(lambda: time.monotonic() > issued + 0.35)
        assert sms.batches.list().content() == []
        assert [(e["path"].split("/")[-1], e["status"]) for e in fresh.journal.entries()] == [
            ("token", 200), ("batches", 200), ("batches", 401), ("token", 200), ("batches", 200)]


def test_a_slow_answer_and_a_dropped_connection_reach_the_caller_as_requests_errors(box):
    client = sdk(box)
    client.configuration.connection_timeout = 0.1  # the slow trigger answers after 0.2 s
    with pytest.raises(requests.exceptions.Timeout):
        client.sms.batches.send_sms(to=[triggers.SLOW], from_="S", body="x")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):  # the answer breaks off mid-body
        client.sms.batches.send_sms(to=[triggers.DROPPED], from_="S", body="x")
