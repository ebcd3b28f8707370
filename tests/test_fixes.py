"""The fix-it logic, pure: no widgets, no kernel, no HTTP."""
import json
import shlex

import pytest

from smsnb.card import fixes
from smsnb.knowledge import catalog

PAYLOAD = {"to": ["0701234567", "+46812345678"], "body": "hi"}


@pytest.mark.parametrize("key, kind", [
    ("missing_callback_url", "callback_url"), ("syntax_invalid_json", "json"), ("illegal_number_type", "other_number"),
    ("blocked_account", "blocked"), ("http_401", "credentials"), ("oauth_failed", "credentials"), ("http_404", "plan"),
    ("http_429", "countdown"), ("http_500", "retry"), ("http_503", "retry"), ("connection_refused", "retry"),
    ("dns_failure", "retry"), ("timeout_connect", "retry"), ("tls_failure", "retry"),
    ("timeout_read", "look_first"), ("bad_response", "look_first"), ("http_415", "raw_json"),
    ("connection_dropped", "look_first"), ("brand_new_code", "raw_json"),
])
def test_each_outcome_gets_its_form(key, kind):
    assert fixes.form_for(key, None, {"to": ["+46701234567"], "body": "x"}).kind == kind


def test_invalid_numbers_get_reasons_and_suggestions():
    form = fixes.form_for("syntax_invalid_parameter_format", "parameter 'to[0]'", PAYLOAD, default_region="SE")
    assert form.kind == "numbers"
    assert form.numbers == (fixes.NumberFix(0, "0701234567", "no country code", "+46701234567"),)
    assert fixes.form_for("syntax_invalid_parameter_format", "", PAYLOAD).numbers[0].suggestion == ""


def test_a_named_field_that_is_not_a_number_becomes_a_field():
    form = fixes.form_for("syntax_invalid_parameter_format", "The format of parameter 'callback_url' is invalid",
                          {"to": ["+46701234567"], "body": "x", "callback_url": "nope"})
    assert form.kind == "fields" and form.fields[0].name == "callback_url" and form.fields[0].value == "nope"


def test_illegal_number_described_by_type_and_country():
    assert fixes.illegal_numbers(PAYLOAD) == (fixes.NumberFix(1, "+46812345678", "fixed line, Sweden", ""),)


def test_429_countdown_takes_retry_after():
    assert fixes.form_for("http_429", None, PAYLOAD, retry_after=7).retry_after == 7


@pytest.mark.parametrize("asked, wait", [(float("inf"), 3600), (1e308, 3600), (-5, 0), (float("nan"), 1),
                                         (None, 1)])
def test_429_countdown_always_ends_within_the_hour(asked, wait):
    assert fixes.form_for("http_429", None, PAYLOAD, retry_after=asked).retry_after == wait


def test_a_header_is_found_whatever_its_case():
    assert fixes.header({"retry-after": "3"}, "Retry-After") == "3" and fixes.header({}, "Location") is None


def test_every_outcome_that_may_have_sent_the_sms_looks_first():
    may_have_sent = [e.key for e in catalog.ENTRIES if e.may_have_been_sent]
    assert {"timeout_read", "connection_dropped", "bad_response"} <= set(may_have_sent)
    assert all(fixes.form_for(key, None, PAYLOAD).kind == "look_first" for key in may_have_sent)


def test_a_body_that_is_not_json_always_gets_the_editor():
    assert fixes.form_for("syntax_constraint_violation", "", None).kind == "json"


@pytest.mark.parametrize("name, value, ok", [
    ("callback_url", "https://example.com/dlr", True), ("callback_url", "ftp://x", False),
    ("callback_url", "", False), ("callback_url", "https://e.com/" + "x" * 2048, False),
    ("number", "+46701234567", True), ("number", "0701234567", False), ("number", "+46812345678", False),
    ("to", "+46701234567\n+46701234568", True), ("to", "", False), ("body", "x" * 1600, True),
    ("body", "x" * 1601, False), ("client_reference", "r" * 129, False), ("delivery_report", "full", True),
    ("delivery_report", "sometimes", False), ("send_at", "2030-01-01T09:00:00Z", True), ("send_at", "soon", False),
])
def test_validate(name, value, ok):
    assert (fixes.validate(name, value) is None) == ok


def test_json_problem_names_line_and_column():
    assert fixes.json_problem('{"to": [\n}') == "line 2, column 1: Expecting value"
    assert fixes.json_problem('{"to": ' + "9" * 5000 + "}") == "a number has too many digits to read"
    assert fixes.json_problem("[1]") == "the request must be a JSON object { ... }"
    assert fixes.json_problem('{"to": []}') is None


def test_apply_changes_and_diff():
    corrected = fixes.apply_changes(PAYLOAD, {"to[0]": "+46701234567", "callback_url": "https://x", "body": None})
    assert corrected == {"to": ["+46701234567", "+46812345678"], "callback_url": "https://x"}
    assert PAYLOAD["to"][0] == "0701234567"  # the original is untouched
    diff = fixes.request_diff(PAYLOAD, corrected)
    assert '-    "0701234567",' in diff and '+    "+46701234567",' in diff and '+  "callback_url": "https://x"' in diff


def test_offending_fields():
    assert fixes.offending_fields("x", "The format of parameter 'to[3]' is invalid", {}) == ["to[3]"]
    assert fixes.offending_fields("missing_callback_url", None, {}) == ["delivery_report", "callback_url"]
    assert fixes.offending_fields("illegal_number_type", None, PAYLOAD) == ["to[1]"]


def test_copy_as_code_never_holds_a_credential():
    target = fixes.Target("https://us.sms.api.sinch.com", "plan-1")
    python, curl = fixes.as_python(PAYLOAD, target), fixes.as_curl(PAYLOAD, target)
    assert "os.environ['SINCH_API_TOKEN']" in python and "https://us.sms.api.sinch.com/xms/v1/plan-1/batches" in python
    assert '"Authorization: Bearer $SINCH_API_TOKEN"' in curl
    compile(python, "snippet", "exec")
    oauth = fixes.Target("https://zt.eu.sms.api.sinch.com", "proj", oauth=True, token_url="https://auth.sinch.com/oauth2/token")
    assert "os.environ['SINCH_KEY_SECRET']" in fixes.as_python(PAYLOAD, oauth) and "$SINCH_KEY_SECRET" in fixes.as_curl(PAYLOAD, oauth)
    raw = fixes.as_python('{"to": [}', target)
    assert "'{\"to\": [}'" in raw  # a raw body is sent as it is


def test_number_hints():
    hints = fixes.number_hints(["+46 70-123 45 67", "0701234567", "+46812345678", "+46701234567"], "SE")
    assert hints == ["'+46 70-123 45 67' is a mobile number in Sweden; Sinch wants E.164: +46701234567",
                     "'0701234567' is not international (no country code); read as a number of SE it is +46701234567",
                     "+46812345678 is a fixed line number in Sweden: Sinch refuses SMS to it (illegal_number_type)."]
    assert "set %config SmsMagic.default_country" in fixes.number_hints(["0701234567"])[0]


@pytest.mark.parametrize("plan", ["a/b", "a b", "a?b", "a#b", "../x"])
def test_copy_as_code_keeps_the_service_plan_id_one_path_segment(plan):
    target = fixes.Target("https://us.sms.api.sinch.com", plan)
    quoted = {"a/b": "a%2Fb", "a b": "a%20b", "a?b": "a%3Fb", "a#b": "a%23b", "../x": "..%2Fx"}[plan]
    assert target.url == f"https://us.sms.api.sinch.com/xms/v1/{quoted}/batches"
    assert repr(target.url) in fixes.as_python(PAYLOAD, target)
    assert f"curl -X POST {shlex.quote(target.url)} " in fixes.as_curl(PAYLOAD, target)


def test_a_raw_request_whose_to_is_not_a_list_gets_a_form():
    for key in ("illegal_number_type", "unknown_group", "syntax_invalid_parameter_format"):
        assert fixes.form_for(key, None, {"to": 5, "body": "x"}).kind
    assert fixes.offending_fields("illegal_number_type", None, {"to": 5}) == []


def test_a_broken_ipv6_callback_url_is_a_message_not_a_traceback():
    assert fixes.validate("callback_url", "http://[::1") == "Not an http(s) URL, e.g. https://example.com/dlr"
