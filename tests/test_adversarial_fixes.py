"""Defects found by an adversarial pass over %sms explain and the line grammar: each test failed
before its fix."""

import time

import pytest
from conftest import LocalServer, html_of, sms, text_of
from IPython.core.error import UsageError

from smsnb.ipython import command
from smsnb.knowledge import msisdn


class _Raises(Exception):
    """An exception named like the SDK's whose answer attributes fail when read."""

    @property
    def http_response(self):
        raise RuntimeError("the user's property fails")

    @property
    def response(self):
        raise RuntimeError("the user's property fails")


@pytest.mark.parametrize("module", ["sinch.core.exceptions", "requests.exceptions"])
def test_explain_an_object_whose_attributes_raise_is_a_usage_error(ip, module):
    error_class = type("SmsException", (_Raises,), {"__module__": module})
    ip.user_ns["err"] = error_class("x")
    try:
        with pytest.raises(UsageError, match="'err' is a SmsException, not an answer from Sinch"):
            sms(ip, "explain err")
    finally:
        ip.user_ns.pop("err", None)


@pytest.mark.parametrize("line", [
    "explain '{\"code\": \"syntax_invalid_json\", \"text\": \"" + "<script>" * 130_000 + "\"}'",
    "+46701234567 -m \"" + "x" * 1_000_000 + "\"",
])
def test_a_megabyte_line_with_quotes_is_refused_at_once(line):
    started = time.monotonic()
    with pytest.raises(UsageError, match="smsnb reads at most 100,000 on one line"):
        command.parse(line)
    assert time.monotonic() - started < 1


def test_a_long_line_under_the_limit_still_reads():
    body = "x" * 90_000
    assert command.parse(f'+46701234567 -m "{body}"').body == body


@pytest.mark.parametrize("number", ["+٤٦٧٠١٢٣٤٥٦٧", "+４６７０１２３４５６７", "+4670١٢٣٤٥٦٧"])
def test_digits_other_than_0_to_9_are_not_a_number(ip, number):
    assert not msisdn.parse(number).ok
    arrived = sms(ip, f"sandbox inbound {number} -m hi")
    assert text_of(arrived).startswith("No inbound SMS arrived: The format of parameter 'from' is invalid")


TOKEN = "SENTINELadvTOKEN9Kq"


def test_an_answer_that_echoes_the_token_shows_the_mask(ip, clean_env):
    """A stand-in at the base URL (a proxy, a mock) that repeats the Authorization header."""
    server = LocalServer(lambda i, path, headers, body: (400, {"code": "syntax_invalid_json",
                                                              "text": f"bad {headers.get('Authorization')}"}))
    clean_env.setenv("SINCH_API_TOKEN", TOKEN)
    clean_env.setenv("SINCH_SERVICE_PLAN_ID", "plan1")
    clean_env.setenv("SMSNB_BASE_URL", server.url)
    try:
        result = sms(ip, "+46701234567 -m hi --live")
    finally:
        server.close()
    shown = text_of(result) + html_of(result)
    assert 'Sinch says: "bad Bearer ********"' in shown and TOKEN not in shown


def test_a_foreign_answer_that_echoes_the_token_shows_the_mask(ip):
    import requests

    response = requests.Response()
    response.status_code = 401
    response._content = b'{"code": "unauthorized", "text": "token ' + TOKEN.encode() + b'"}'
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("POST", "https://us.sms.api.sinch.com/xms/v1/plan1/batches",
                                        headers={"Authorization": f"Bearer {TOKEN}"}).prepare()
    shown = str(ip.display_formatter.format(response)[0])
    assert "token ********" in shown and TOKEN not in shown
