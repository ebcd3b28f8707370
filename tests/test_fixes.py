"""The fix-it logic, pure: no widgets, no kernel, no HTTP."""
import shlex

import pytest

from smsnb.card import forms, recipients, request_fields, retry
from smsnb.card.copy_as_code import Target, as_curl, as_python
from smsnb.card.forms import Context, form_for
from smsnb.knowledge import catalog
from smsnb.knowledge.rules import MAX_BODY, MAX_CLIENT_REFERENCE

PAYLOAD = {"to": ["0701234567", "+46812345678"], "body": "hi"}


@pytest.mark.parametrize("key, kind", [
    ("missing_callback_url", forms.CallbackUrl), ("syntax_invalid_json", forms.EditJson),
    ("illegal_number_type", forms.OtherNumber), ("blocked_account", forms.Blocked),
    ("http_401", forms.Credentials), ("oauth_failed", forms.Credentials), ("http_404", forms.Plan),
    ("http_429", forms.Countdown), ("http_500", forms.Retry), ("http_503", forms.Retry),
    ("connection_refused", forms.Retry), ("dns_failure", forms.Retry), ("timeout_connect", forms.Retry),
    ("tls_failure", forms.Retry), ("timeout_read", forms.LookFirst), ("bad_response", forms.LookFirst),
    ("http_415", forms.EditJson), ("connection_dropped", forms.LookFirst), ("brand_new_code", forms.EditJson),
])
def test_each_outcome_gets_its_form(key, kind):
    assert type(form_for(key, None, {"to": ["+46701234567"], "body": "x"})) is kind


def test_invalid_numbers_get_reasons_and_suggestions():
    form = form_for("syntax_invalid_parameter_format", "parameter 'to[0]'", PAYLOAD,
                    Context(default_region="SE"))
    assert type(form) is forms.Numbers
    assert form.numbers == (recipients.NumberFix(0, "0701234567", "no country code", "+46701234567"),)
    assert form_for("syntax_invalid_parameter_format", "", PAYLOAD).numbers[0].suggestion == ""


def test_a_named_field_that_is_not_a_number_becomes_a_field():
    form = form_for("syntax_invalid_parameter_format", "The format of parameter 'callback_url' is invalid",
                    {"to": ["+46701234567"], "body": "x", "callback_url": "nope"})
    assert type(form) is forms.Fields
    assert form.fields[0].name == "callback_url" and form.fields[0].value == "nope"


def test_illegal_number_described_by_type_and_country():
    fix = recipients.NumberFix(1, "+46812345678", "a fixed-line number in Sweden", "")
    assert recipients.illegal_numbers(PAYLOAD) == (fix,)


def test_429_countdown_takes_retry_after():
    assert form_for("http_429", None, PAYLOAD, Context(retry_after=7)).retry_after == 7


@pytest.mark.parametrize("asked, wait", [(float("inf"), 3600), (1e308, 3600), (-5, 0), (float("nan"), 1),
                                         (None, 1)])
def test_429_countdown_always_ends_within_the_hour(asked, wait):
    assert form_for("http_429", None, PAYLOAD, Context(retry_after=asked)).retry_after == wait


def test_a_header_is_found_whatever_its_case():
    assert retry.header({"retry-after": "3"}, "Retry-After") == "3" and retry.header({}, "Location") is None


def test_every_outcome_that_may_have_sent_the_sms_looks_first():
    may_have_sent = [e.key for e in catalog.ENTRIES if e.may_have_been_sent]
    assert {"timeout_read", "connection_dropped", "bad_response"} <= set(may_have_sent)
    assert all(type(form_for(key, None, PAYLOAD)) is forms.LookFirst for key in may_have_sent)


def test_a_body_that_is_not_json_always_gets_the_editor():
    assert type(form_for("syntax_constraint_violation", "", None)) is forms.EditJson


@pytest.mark.parametrize("name, value, ok", [
    ("callback_url", "https://example.com/dlr", True), ("callback_url", "ftp://x", False),
    ("callback_url", "", False), ("callback_url", "https://e.com/" + "x" * 2048, False),
    ("number", "+46701234567", True), ("number", "0701234567", False), ("number", "+46812345678", False),
    ("to", "+46701234567\n+46701234568", True), ("to", "", False), ("body", "x" * MAX_BODY, True),
    ("body", "x" * (MAX_BODY + 1), False), ("client_reference", "r" * (MAX_CLIENT_REFERENCE + 1), False),
    ("delivery_report", "full", True), ("delivery_report", "sometimes", False),
    ("send_at", "2030-01-01T09:00:00Z", True), ("send_at", "soon", False),
])
def test_validate(name, value, ok):
    assert (request_fields.validate(name, value) is None) == ok


def test_json_problem_names_line_and_column():
    json_problem = request_fields.json_problem
    assert json_problem('{"to": [\n}') == "line 2, column 1: Expecting value"
    assert json_problem('{"to": ' + "9" * 5000 + "}") == "a number has too many digits to read"
    assert json_problem("[1]") == "the request must be a JSON object { ... }"
    assert json_problem('{"to": []}') is None


def test_apply_changes_and_diff():
    changes = {"to[0]": "+46701234567", "callback_url": "https://x", "body": None}
    corrected = request_fields.apply_changes(PAYLOAD, changes)
    assert corrected == {"to": ["+46701234567", "+46812345678"], "callback_url": "https://x"}
    assert PAYLOAD["to"][0] == "0701234567"  # the original is untouched
    diff = request_fields.request_diff(PAYLOAD, corrected)
    assert '-    "0701234567",' in diff and '+    "+46701234567",' in diff
    assert '+  "callback_url": "https://x"' in diff


def test_offending_fields():
    offending_fields = request_fields.offending_fields
    assert offending_fields("x", "The format of parameter 'to[3]' is invalid", {}) == ["to[3]"]
    assert offending_fields("missing_callback_url", None, {}) == ["delivery_report", "callback_url"]
    assert offending_fields("illegal_number_type", None, PAYLOAD) == ["to[1]"]


def test_copy_as_code_never_holds_a_credential():
    target = Target("https://us.sms.api.sinch.com", "plan-1")
    python, curl = as_python(PAYLOAD, target), as_curl(PAYLOAD, target)
    assert "os.environ['SINCH_API_TOKEN']" in python
    assert "https://us.sms.api.sinch.com/xms/v1/plan-1/batches" in python
    assert '"Authorization: Bearer $SINCH_API_TOKEN"' in curl
    compile(python, "snippet", "exec")
    oauth = Target("https://zt.eu.sms.api.sinch.com", "proj", oauth=True,
                   token_url="https://auth.sinch.com/oauth2/token")
    assert "os.environ['SINCH_KEY_SECRET']" in as_python(PAYLOAD, oauth)
    assert "$SINCH_KEY_SECRET" in as_curl(PAYLOAD, oauth)
    raw = as_python('{"to": [}', target)
    assert "'{\"to\": [}'" in raw  # a raw body is sent as it is


def test_number_hints():
    hints = recipients.number_hints(["+46 70-123 45 67", "0701234567", "+46812345678", "+46701234567"], "SE")
    assert hints == [
        "'+46 70-123 45 67' is a mobile number in Sweden; Sinch wants E.164: +46701234567",
        "'0701234567' is not international (no country code); read as a number of SE it is +46701234567",
        "+46812345678 is a fixed-line number in Sweden: Sinch refuses SMS to it (illegal_number_type)."]
    assert "set %config SmsMagic.default_country" in recipients.number_hints(["0701234567"])[0]


@pytest.mark.parametrize("plan", ["a/b", "a b", "a?b", "a#b", "../x"])
def test_copy_as_code_keeps_the_service_plan_id_one_path_segment(plan):
    target = Target("https://us.sms.api.sinch.com", plan)
    quoted = {"a/b": "a%2Fb", "a b": "a%20b", "a?b": "a%3Fb", "a#b": "a%23b", "../x": "..%2Fx"}[plan]
    assert target.url == f"https://us.sms.api.sinch.com/xms/v1/{quoted}/batches"
    assert repr(target.url) in as_python(PAYLOAD, target)
    assert f"curl -X POST {shlex.quote(target.url)} " in as_curl(PAYLOAD, target)


def test_a_raw_request_whose_to_is_not_a_list_gets_a_form():
    for key in ("illegal_number_type", "unknown_group", "syntax_invalid_parameter_format"):
        assert isinstance(form_for(key, None, {"to": 5, "body": "x"}), forms.Form)
    assert request_fields.offending_fields("illegal_number_type", None, {"to": 5}) == []


def test_a_broken_ipv6_callback_url_is_a_message_not_a_traceback():
    assert request_fields.validate("callback_url", "http://[::1") == "Not an http(s) URL, e.g. https://example.com/dlr"


def test_every_form_kind_of_the_catalog_has_its_form():
    assert set(forms.FORMS) == set(catalog.FormKind)
    assert all(issubclass(form, forms.Form) for form in forms.FORMS.values())
