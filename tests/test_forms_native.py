"""Fix-it forms that behave like native ones (issue 13): checked after the first edit, a choice
disables what it makes irrelevant, every field named by its label, Enter resends once, what
changes is announced, and the words are a person's.

The first half is the pure form logic (no widgets); the second drives the widgets as a person
would, by setting .value and sending the message the browser sends on Enter."""
import html
import json
import re
import subprocess
import sys
from datetime import datetime, timezone

import ipywidgets as w
import pytest

from smsnb.card import delivery_forms, forms, recipients, request_fields
from smsnb.card.forms import Context, form_for
from smsnb.card.report import Group
from smsnb.card.words import plural
from smsnb.knowledge import catalog, msisdn
from smsnb.sandbox import triggers
from tests.conftest import sms
from tests.test_widgets import embedded, find, posts, walk

MOBILE = triggers.ORDINARY_MOBILE
REQUEST = {"to": [MOBILE], "body": "hi", "delivery_report": "full"}
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


def initial(form):
    return {part.key: part.value for part in form.asks() if isinstance(part, forms.Field)}


def callback_form(receiver="http://127.0.0.1:9/receiver"):
    return form_for("missing_callback_url", None, REQUEST, Context(receiver=receiver))


# --- the pure logic -----------------------------------------------------------------------------

def test_an_untouched_empty_field_shows_no_problem_until_edited_or_tried():
    form = callback_form()
    values = initial(form)
    assert form.problems(values) == {"callback_url": "Enter a callback URL."}  # Resend stays off
    assert form.messages(values, values) == {}  # but nothing is shown before the first edit
    typed = {**values, "callback_url": "not a url"}
    assert form.messages(typed, values, {"callback_url"})["callback_url"].startswith("Not an http(s) URL")
    assert form.messages(values, values, tried=True) == {"callback_url": "Enter a callback URL."}


def test_a_value_from_the_request_is_judged_from_the_start():
    form = form_for("syntax_invalid_json", None, None, Context(raw_body='{"to": [}'))
    values = initial(form)
    assert form.messages(values, values) == {"json": "line 1, column 9: Expecting value"}


@pytest.mark.parametrize("choice", ["receiver", "off"])
def test_a_choice_that_makes_the_url_irrelevant_disables_it_and_clears_its_message(choice):
    form = callback_form()
    values = {"choice": choice, "callback_url": "not a url"}
    assert form.disabled(values) == {"callback_url"}
    assert form.messages(values, initial(form), {"callback_url"}, tried=True) == {}
    assert form.disabled({"choice": "url", "callback_url": ""}) == set()


def test_the_diff_shows_once_something_changed_or_a_prefilled_fix_is_complete():
    form = callback_form()
    values = initial(form)
    assert not form.shows_diff(values, values)  # no '"callback_url": ""' before any input
    assert form.shows_diff({**values, "callback_url": "h"}, values)
    numbers = form_for("syntax_invalid_parameter_format", "parameter 'to[0]'",
                       {"to": ["0701234567"], "body": "x"}, Context(default_region="SE"))
    assert numbers.shows_diff(initial(numbers), initial(numbers))  # the suggested number is a fix


def test_finished_is_the_corrected_request_only_when_complete_and_changed():
    form = callback_form()
    values = initial(form)
    assert form.finished(values, REQUEST, None, REQUEST) is None  # '"callback_url": ""' is no request
    done = {**values, "callback_url": "https://example.com/dlr"}
    assert form.finished(done, REQUEST, None, REQUEST) == {**REQUEST, "callback_url": "https://example.com/dlr"}
    off = {**values, "choice": "off"}
    assert form.finished(off, REQUEST, None, REQUEST) == {**REQUEST, "delivery_report": "none"}
    retry = form_for("http_500", None, REQUEST)
    assert retry.finished({}, REQUEST, None, REQUEST) is None  # nothing changed: the original is the code


def test_differs_compares_text_with_an_object_as_the_json_it_holds():
    assert not request_fields.differs('{"a": 1}', {"a": 1})
    assert request_fields.differs('{"a": 2}', {"a": 1}) and request_fields.differs("{", {"a": 1})
    assert not request_fields.differs({"a": 1}, None)


def every_form():
    payload = {"to": ["0701234567", triggers.FIXED_LINE, MOBILE], "body": "hi ${name}",
               "send_at": "2020-01-01T00:00:00Z", "max_number_of_message_parts": 1,
               "parameters": {"name": {"+15550100": "Ann"}}}
    built = [form_for(entry.key, "parameter 'callback_url'", payload, Context(receiver="http://r"))
             for entry in catalog.ENTRIES]
    for code in (404, 405, 406, 410, 411, 402):
        group = Group("Aborted", code, 2, (MOBILE, triggers.FIXED_LINE))
        body = "ж" * 100 if code == 411 else payload["body"]
        built.append(delivery_forms.form_for_group(group, {**payload, "body": body}, NOW))
    return built


def texts(form):
    for part in form.asks():
        if isinstance(part, forms.Field):
            yield part.label
            yield from (shown for shown, _ in part.options)
        elif isinstance(part, forms.Note):
            yield html.unescape(re.sub(r"<[^>]*>", "", part.markup))


def test_no_form_says_to_0_or_plural_s_and_every_field_has_a_label():
    built = every_form()
    assert {type(form) for form in built} >= {forms.Numbers, forms.OtherNumber, forms.CallbackUrl,
                                              delivery_forms.PartsLimit, delivery_forms.Expiry,
                                              delivery_forms.Parameters, delivery_forms.Sender}
    for form in built:
        said = " ".join(texts(form))
        assert not re.search(r"(?<!http)\(s\)", said), said  # "http(s)" is no plural
        assert "to[" not in said and "fixed line," not in said, said
        assert all(part.label for part in form.asks() if isinstance(part, forms.Field)), form


def test_no_form_checks_a_field_it_disabled():
    for form in every_form():
        fields = [part for part in form.asks() if isinstance(part, forms.Field)]
        choices = [part for part in fields if part.options and part.steers]
        for choice in choices:
            for _, option in choice.options:
                values = {**initial(form), choice.key: option}
                values.update({f.key: "not valid" for f in fields if f.input is forms.Input.TEXT})
                assert not form.disabled(values) & set(form.problems(values)), (form, option)


def test_numbers_are_named_as_a_person_says_them():
    fix = recipients.illegal_numbers({"to": [MOBILE, triggers.FIXED_LINE]})[0]
    assert fix.reason == "a fixed-line number in Sweden" and fix.index == 1
    assert recipients.kind_phrase(msisdn.parse("+14155550123")) == \
        "a fixed-line or mobile number in the United States"
    assert request_fields.validate("number", triggers.FIXED_LINE) == \
        f"{triggers.FIXED_LINE} is a fixed-line number in Sweden: it cannot receive SMS."
    numbers = form_for("syntax_invalid_parameter_format", "parameter 'to[0]'",
                       {"to": ["070-123 45 67"], "body": "x"})
    assert numbers.asks()[1].label == "Recipient 1 (070-123 45 67, no country code)"
    assert plural(1, "part") == "1 part" and plural(3, "part") == "3 parts"


def test_the_number_type_is_said_once_sinch_s_text_or_the_label():
    text = f"Illegal number type of parameter 'to[0]'; '{triggers.FIXED_LINE}' is a fixed line number"
    fixed = {"to": [triggers.FIXED_LINE], "body": "x"}
    said = form_for("illegal_number_type", text, fixed)
    labels = [part.label for part in said.asks()]
    assert labels == [f"Recipient 1: a mobile number instead of {triggers.FIXED_LINE}"]
    unsaid = form_for("illegal_number_type", "Illegal number type", fixed)
    assert unsaid.asks()[0].label.endswith("(a fixed-line number in Sweden)")


def test_the_country_list_shows_names_with_the_code_as_the_value():
    options = forms.country_options()
    assert options[0] == ("No default country", "") and ("Sweden (+46)", "SE") in options
    names = [shown for shown, _ in options[1:]]
    assert names.index("Åland Islands (+358)") < names.index("Albania (+355)")  # sorted as read
    assert all(not re.fullmatch(r"[A-Z]{2} \(\+\d+\)", name) for name in names)  # no bare codes


def test_the_country_list_does_not_load_the_slow_geocoder():
    code = ("import sys; from smsnb.card import forms; forms.country_options(); "
            "forms.form_for('illegal_number_type', None, {'to': ['+46812345678'], 'body': 'x'}).asks(); "
            "print('phonenumbers.geocoder' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split() == ["False"]


# --- the widgets --------------------------------------------------------------------------------

def enter(widget):
    """What the browser sends when Enter is pressed in an ipywidgets Text."""
    widget._handle_custom_msg({"event": "submit"}, [])


def test_the_callback_form_opens_without_a_message_or_a_diff(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    url, message = find(card, "smsnb-field-callback_url"), find(card, "smsnb-field-message")
    assert message.value == "" and find(card, "smsnb-diff").value == ""
    assert find(card, "smsnb-resend").disabled
    url.value = "no"
    assert "Not an http(s) URL" in message.value and "Before → after" in find(card, "smsnb-diff").value
    assert card.form.finished_body() is None
    url.value = "https://example.com/dlr"
    assert message.value == "" and card.form.finished_body()["callback_url"] == "https://example.com/dlr"


@pytest.mark.parametrize("choice", ["receiver", "off"])
def test_choosing_another_way_disables_the_url_field_and_clears_its_message(ip, choice):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    url, message = find(card, "smsnb-field-callback_url"), find(card, "smsnb-field-message")
    url.value = "no"
    assert message.value and not url.disabled
    find(card, "smsnb-choice").value = choice
    assert url.disabled and message.value == "" and not find(card, "smsnb-resend").disabled
    find(card, "smsnb-choice").value = "url"
    assert not url.disabled and "Not an http(s) URL" in message.value


def test_a_field_message_is_theme_text_with_a_marker_not_a_colour(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    find(card, "smsnb-field-callback_url").value = "no"
    shown = find(card, "smsnb-field-message").value
    assert "⚠" in shown and "color:var(--jp-content-font-color1" in shown
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", shown.replace("#d32f2f", ""))  # only the bar's fallback


def test_every_input_of_a_form_is_named_by_its_own_label_and_no_radio_is_left(ip):
    lines = (f"{MOBILE} -m hi --delivery-report full", "'070-123 45 67' -m hi",
             f"{triggers.FIXED_LINE} -m hi", f"{triggers.SLOW} -m hi --timeout 0.3")
    for line in lines:
        card = sms(ip, line).widget()
        inputs = [x for x in walk(card.form) if isinstance(x, (w.Text, w.Textarea, w.Dropdown, w.Checkbox))]
        assert inputs and all(x.description for x in inputs), line
        assert all(x.style.description_width == "initial" for x in inputs if not isinstance(x, w.Checkbox))
        assert not [x for x in walk(card) if isinstance(x, w.RadioButtons)]
        assert not [x for x in walk(card) if "smsnb-label" in getattr(x, "_dom_classes", ())]
    callback = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    assert find(callback, "smsnb-field-callback_url").description == "Callback URL"


def test_the_default_country_is_a_dropdown_of_names(ip):
    card = sms(ip, "'070-123 45 67' -m hi").widget()
    country = find(card, "smsnb-country")
    assert country.description == "Default country" and ("Sweden (+46)", "SE") in country.options
    country.value = "SE"
    assert find(card, "smsnb-field-to-0").value == "+46701234567"


def test_enter_in_a_field_resends_once(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    journal, url = embedded(ip).journal, find(card, "smsnb-field-callback_url")
    resend = find(card, "smsnb-resend")
    url.value = "http://127.0.0.1:9/dlr"
    before = len(posts(journal))
    enter(url)
    enter(url)
    resend.click()
    assert len(posts(journal)) == before + 1 and len(card.chain.children) == 1
    assert json.loads(posts(journal)[-1]["body"])["callback_url"] == "http://127.0.0.1:9/dlr"
    assert url.disabled and resend.disabled  # the spent form takes no more input
    card.chain.children[-1].stop_polling()


def test_enter_while_not_ready_sends_nothing_and_shows_the_problems(ip):
    card = sms(ip, f"{MOBILE} -m hi --delivery-report full").widget()
    journal, url = embedded(ip).journal, find(card, "smsnb-field-callback_url")
    status = find(card, "smsnb-form-status")
    before = len(posts(journal))
    enter(url)
    assert len(posts(journal)) == before and not card.chain.children
    assert "Enter a callback URL." in find(card, "smsnb-field-message").value
    assert "Not sent: 1 field to correct first" in status.value
    url.value = "https://example.com/dlr"
    assert "Not sent" not in status.value
    enter(url)
    assert len(posts(journal)) == before + 1
    card.chain.children[-1].stop_polling()


def test_enter_in_the_token_field_resends_with_it_and_forgets_it(ip, sandbox, clean_env):
    clean_env.setenv("SINCH_API_TOKEN", "wrong-token")
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", sandbox.service_plan_id)
    clean_env.setenv("SMSNB_BASE_URL", sandbox.url)
    card = sms(ip, f"{MOBILE} -m hi").widget()
    token, message = find(card, "smsnb-field-api_token"), find(card, "smsnb-field-message")
    assert token.description == "API token"
    token.value = sandbox.api_token
    enter(token)
    assert len(posts(sandbox.journal)) == 2 and token.value == ""
    assert message.value == ""  # the emptied field is not a problem
    card.chain.children[-1].stop_polling()


def test_the_status_and_the_countdown_are_announced(ip):
    card = sms(ip, f"{triggers.RATE_LIMITED} -m hi").widget()
    live = '<div role="status" aria-live="polite">'
    assert find(card, "smsnb-countdown").value.startswith(live)
    assert find(card, "smsnb-form-status").value.startswith(live)
    card.close()


def test_a_delivery_form_disables_the_limit_when_cutting_the_body():
    group = Group("Aborted", 411, 1, ("46701234561",))
    form = delivery_forms.form_for_group(group, {"to": ["+46701234561"], "body": "ж" * 100,
                                                 "max_number_of_message_parts": 1}, NOW)
    values = {**initial(form), "fix": "truncate"}
    assert form.disabled(values) == {delivery_forms.PARTS}
    assert "needs 2 parts (UCS-2)" in " ".join(texts(form))
