"""Reading answers of every shape; hypothesis feeds the parser whatever it likes."""
import json
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from smsnb.card import render
from smsnb.card.outcome import Result
from smsnb.knowledge import catalog
from smsnb.sinch import errors
from smsnb.sinch.parse import error_from_answer, json_from_success, read_body
from smsnb.sinch.request import SentRequest, SmsRequest

SENT = SentRequest("POST", "http://127.0.0.1:1/xms/v1/plan/batches", {"Authorization": "Bearer ********"},
                   '{"to": ["+46701234567"], "body": "x"}')


def test_sinch_shape():
    error = error_from_answer(403, {}, b'{"code": "missing_callback_url", "text": "Requesting..."}', SENT)
    assert isinstance(error, errors.ForbiddenError)
    assert (error.status, error.code, error.text, error.key) == (403, "missing_callback_url", "Requesting...",
                                                                 "missing_callback_url")
    assert str(error) == "403 missing_callback_url: Requesting..."


def test_description_instead_of_text_is_read_too():
    assert read_body(b'{"code": "syntax_invalid_parameter_format", "description": "bad"}').text == "bad"


def test_empty_body():
    error = error_from_answer(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b"", SENT)
    assert isinstance(error, errors.AuthenticationError) and error.key == "http_401" and error.text is None
    assert str(error) == "401 http_401: Unauthorized"  # HTTP's phrase: the catalog's prose is not the wire's


def test_html_from_a_proxy():
    body = b"<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    error = error_from_answer(502, {"Content-Type": "text/html"}, body, SENT)
    assert isinstance(error, errors.ServerError)
    assert error.text == "502 Bad Gateway" and error.key == "gateway_error"


def test_gateway_shape():
    body = json.dumps({"timestamp": "2024-01-01T00:00:00Z", "status": 400, "error": "Bad Request",
                       "path": "/xms"})
    error = error_from_answer(400, {}, body.encode(), SENT)
    assert error.code is None and error.text == "Bad Request" and read_body(body.encode()).shape == "gateway"


def test_other_api_shape():
    body = json.dumps({"error": {"code": 400, "message": "Invalid argument", "status": "INVALID_ARGUMENT",
                                 "details": []}})
    error = error_from_answer(400, {}, body.encode(), SENT)
    assert error.code is None and error.text == "INVALID_ARGUMENT: Invalid argument"


def test_truncated_json_non_utf8_and_garbage():
    assert read_body(b'{"code": "syntax_inv').shape == "text"
    latin = error_from_answer(400, {"Content-Type": "application/json; charset=latin-1"},
                              '{"code": "x", "text": "né"}'.encode("latin-1"), SENT)
    assert latin.text == "né"
    broken = error_from_answer(400, {}, b"\xff\xfe\xfa not utf-8", SENT)
    assert "not utf-8" in broken.text
    garbage = error_from_answer(500, {}, bytes(range(256)) * 4096, SENT)
    assert len(garbage.raw_body) <= errors.RAW_BODY_CAP and len(garbage.text) <= 300


def test_unknown_code_keeps_the_code():
    error = error_from_answer(403, {}, b'{"code": "quota_exceeded_new", "text": "New."}', SENT)
    assert error.key == "quota_exceeded_new"
    assert catalog.entry_for(error).title.startswith("An error code smsnb does not know")


def test_retry_after():
    assert error_from_answer(429, {"Retry-After": "7"}, b"", SENT).retry_after == 7
    assert error_from_answer(429, {"Retry-After": "soon"}, b"", SENT).retry_after is None


def test_error_str_is_one_line_without_addresses():
    error = error_from_answer(400, {}, b'{"code": "c", "text": "line one\\nline two"}', SENT)
    assert str(error) == "400 c: line one line two"


HEADER_NAMES = st.sampled_from(["Content-Type", "Retry-After", "WWW-Authenticate", "X-Other"])
BODY_KEYS = st.sampled_from(["code", "text", "error", "status", "message", "x"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(BODY_KEYS, inner, max_size=4))


@settings(max_examples=300, deadline=None)
@given(status=st.integers(min_value=100, max_value=999),
       headers=st.dictionaries(HEADER_NAMES, st.text(max_size=40)),
       content=st.one_of(st.binary(max_size=2000), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
@example(status=100, headers={}, content=b'{"code": "\\n"}')  # a code that is a newline, found by hypothesis
def test_parser_survives_anything_and_every_outcome_renders(status, headers, content):
    error = error_from_answer(status, headers, content, SENT)
    assert isinstance(error, errors.ApiError)
    assert "\n" not in str(error) and "\r" not in str(error)
    result = Result("SANDBOX", "send", SmsRequest(("+46701234567",), "x"), error=error)
    assert render.result_text(result) and render.result_html(result)


@pytest.mark.parametrize("header, seconds", [
    ("7", 7), ("0.5", 0.5), ("inf", 3600), ("Infinity", 3600), ("1e308", 3600), ("9" * 5000, 3600),
    ("-5", 0), ("-inf", 0), ("nan", None), ("soon", None), ("", None),
])
def test_retry_after_is_finite_and_clamped_and_the_header_is_kept_as_sent(header, seconds):
    error = error_from_answer(429, {"Retry-After": header}, b"", SENT)
    assert error.retry_after == seconds and error.retry_after_header == header


def test_retry_after_as_an_http_date_and_in_any_case():
    from email.utils import formatdate

    def wait(when):
        return error_from_answer(429, {"retry-after": formatdate(when, usegmt=True)}, b"", SENT).retry_after

    assert 50 <= wait(time.time() + 60) <= 60
    assert wait(time.time() + 10 ** 9) == 3600 and wait(time.time() - 60) == 0
    assert error_from_answer(429, {"retry-after": "7"}, b"", SENT).retry_after_header == "7"


def test_a_huge_integer_or_an_odd_charset_is_read_never_raised():
    huge = b'{"id": ' + b"9" * 5000 + b"}"
    with pytest.raises(errors.BadResponse):
        json_from_success(201, {}, huge, SENT)
    assert error_from_answer(400, {}, b'{"code": ' + b"9" * 5000 + b"}", SENT).status == 400
    for charset in ("idna", "undefined", "utf\x00-8", "base64", "rot13"):
        error = error_from_answer(400, {"Content-Type": f"application/json; charset={charset}"},
                                  b'{"code": "c", "text": "t"}', SENT)
        assert (error.code, error.text) == ("c", "t"), charset
