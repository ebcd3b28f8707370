"""Sinch's errors raised by the user's own code: the official Sinch SDK (2.x, installed) and plain
`requests`, driven for real against a sandbox, in a real InteractiveShell.

SDK 1.x cannot be installed beside 2.x (one package name): its shapes are reproduced below from
its source (an `SMSException` with the same `HTTPResponse`, and `KeyError('text')` on an empty
error body) in modules named as its own, and read by the same duck typing."""
import json
import re
import sys

import pytest
import requests

from smsnb.sandbox import Clock, Sandbox, triggers
from smsnb.sinch import foreign
from smsnb.sinch.secret import Secret

TOKEN = "SENTINELsdkTOKEN7Qz"
KEY_SECRET = "SENTINELsdkKEY3Wx"
MOBILE = triggers.ORDINARY_MOBILE
SENDER = "+46700000001"


@pytest.fixture
def box():
    """A sandbox whose token and key secret are sentinels: no output may ever hold them."""
    clock = Clock(dispatch_after=0.05, final_after=0.15, callback_retry_after=0.05)
    with Sandbox(api_token=TOKEN, key_secret=KEY_SECRET, slow_seconds=2, clock=clock) as sandbox:
        yield sandbox


def sdk(box, token=TOKEN, plan=None):
    """The official SDK's client, pointed at the sandbox, that does not retry a 429 by itself."""
    from sinch import SinchClient
    from sinch.core.clients.retry_configuration import RetryConfiguration
    from sinch.core.enums import RetryPolicy

    client = SinchClient(service_plan_id=plan or box.service_plan_id, sms_api_token=token, sms_region="us",
                         retry_configuration=RetryConfiguration(retry_policy=RetryPolicy.NONE))
    client.configuration.sms_domain_with_service_plan_id = box.url  # the sandbox instead of Sinch's host
    client.configuration.connection_timeout = 1
    return client


def sdk_oauth(box, secret=KEY_SECRET):
    from sinch import SinchClient

    client = SinchClient(project_id=box.credentials.project_id, key_id=box.credentials.key_id,
                         key_secret=secret, sms_region="us")
    client.configuration.auth_origin = box.url
    client.configuration.sms_domain = box.url
    return client


def raised(call):
    try:
        call()
    except Exception as error:  # the exception as the user's cell gets it
        return error
    raise AssertionError("nothing was raised")


def post(box, batch=None, *, raw=None, token=TOKEN, plan=None, **kw):
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {"Content-Type": "application/json"})}
    data = raw if raw is not None else json.dumps(batch)
    url = f"{box.url}/xms/v1/{plan or box.service_plan_id}/batches"
    return requests.post(url, data=data, headers=headers, timeout=kw.pop("timeout", 5), **kw)


# --- reading a foreign exception or answer (pure) --------------------------------------------------

def test_an_sdk_exception_gives_the_answer_and_the_request_as_sent(box):
    error = raised(lambda: sdk(box).sms.batches.send_sms(to=[triggers.FIXED_LINE], from_=SENDER, body="hi"))
    assert type(error).__name__ == "SmsException" and str(error) == "Error 403"  # all the SDK says
    answer = foreign.from_exception(error)
    assert answer.status == 403 and answer.source == "the Sinch SDK" and answer.from_sandbox
    assert answer.error().key == "illegal_number_type" and "fixed line" in answer.error().text
    sent = answer.request
    assert sent.method == "POST" and sent.path == f"/xms/v1/{box.service_plan_id}/batches"
    assert json.loads(sent.body)["to"] == [triggers.FIXED_LINE]
    assert sent.headers["Authorization"] == "Bearer ********" and answer.token == Secret(TOKEN)
    assert answer.endpoint() == foreign.Endpoint(box.url, box.service_plan_id, Secret(TOKEN))
    assert TOKEN not in repr(answer) + repr(answer.endpoint()) + repr(answer.error().__dict__)


def test_an_empty_401_from_the_sdk_is_http_401(box):
    answer = foreign.from_exception(raised(lambda: sdk(box, token="wrong").sms.batches.send_sms(
        to=[MOBILE], from_=SENDER, body="hi")))
    assert (answer.status, answer.content, answer.error().key) == (401, b"", "http_401")


def test_the_sdks_oauth_failure_is_oauth_failed(box):
    error = raised(lambda: sdk_oauth(box, secret="wrong").sms.batches.send_sms(to=[MOBILE], from_=SENDER,
                                                                               body="hi"))
    answer = foreign.from_exception(error)
    assert answer.error().key == "oauth_failed" and answer.request.path == "/oauth2/token"
    assert answer.request.body == "grant_type=client_credentials" and answer.endpoint() is None
    assert KEY_SECRET not in repr(answer) + repr(answer.error().__dict__)


def test_the_sdks_own_checks_are_not_answers(box):
    client = sdk(box)
    client.configuration.sms_api_token = None
    error = raised(lambda: client.sms.batches.send_sms(to=[MOBILE], from_=SENDER, body="hi"))
    assert foreign.from_exception(error) is None


def test_requests_http_error_and_response(box):
    response = post(box, {"to": [], "body": "hi"})  # an empty to: a constraint violation
    error = raised(response.raise_for_status)
    answer = foreign.from_exception(error)
    assert answer.error().key == "syntax_constraint_violation" and answer.source == "requests"
    assert answer.request.headers["Authorization"] == "Bearer ********" and answer.token == Secret(TOKEN)
    accepted = foreign.from_response(post(box, {"to": [MOBILE], "body": "hi"}))
    assert accepted.ok and accepted.error() is None and accepted.data()["to"] == [MOBILE.lstrip("+")]


@pytest.mark.parametrize("number, key", [(triggers.SLOW, "timeout_read"),
                                         (triggers.DROPPED, "connection_dropped")])
def test_a_failure_on_the_way_to_the_sandbox(box, number, key):
    error = raised(lambda: post(box, {"to": [number], "body": "hi"}, timeout=0.5))
    answer = foreign.from_exception(error)
    assert answer.status is None and answer.error().key == key and answer.error().may_have_been_sent
    assert answer.request.path.endswith("/batches") and answer.token == Secret(TOKEN)


def test_what_is_not_sinchs_is_left_alone(box):
    from tests.conftest import LocalServer

    other = LocalServer(lambda *args: (403, {"code": "illegal_number_type", "text": "not Sinch"}))
    try:
        response = requests.post(other.url + "/api/things", json={}, timeout=5)
    finally:
        other.close()
    assert foreign.from_response(response) is None
    assert foreign.from_exception(raised(response.raise_for_status)) is None
    assert foreign.from_exception(KeyError("text")) is None  # not raised in the SDK
    assert foreign.from_exception(ValueError("x")) is None and foreign.from_response("text") is None


def test_credentials_anywhere_in_the_request_are_masked():
    url = "https://user:pw@us.sms.api.sinch.com/xms/v1/p/batches?access_token=t0k&a=1"
    headers = {"Authorization": "Basic dXNlcjpwdw==", "X-Api-Key": "k3y", "Accept": "*/*"}
    sent, token = foreign._sent("post", url, headers, b"{}")
    assert token is None and sent.method == "POST" and sent.body == "{}"
    assert sent.url == "https://us.sms.api.sinch.com/xms/v1/p/batches?access_token=********&a=1"
    assert sent.headers == {"Authorization": "Basic ********", "X-Api-Key": "********", "Accept": "*/*"}


@pytest.mark.parametrize("value, key, text", [
    ('{"code": "missing_callback_url", "text": "No URL"}', "missing_callback_url", "No URL"),
    ({"code": "blocked_account", "text": "Blocked"}, "blocked_account", "Blocked"),
    ('{"code": "something_new"}', "something_new", None),
])
def test_a_pasted_answer_body(value, key, text):
    error = foreign.pasted(value)
    assert (error.key, error.text, error.status) == (key, text, None)


@pytest.mark.parametrize("value", ['{"to": [}', '{"error": "x"}', "[]", 42, None])
def test_a_pasted_body_without_a_code_is_none(value):
    assert foreign.pasted(value) is None


# SDK 1.1.4, as its source has it (sinch/core/adapters/requests_http_transport.py, sinch/domains/sms/
# endpoints/sms_endpoint.py), in modules named as its own: the same duck typing reads it.
SDK1 = '''
from dataclasses import dataclass

class SinchException(Exception):
    def __init__(self, message, response, is_from_server):
        self.is_from_server = is_from_server
        self.response_status_code = response.status_code if response else None
        self.http_response = response
        super().__init__(message)

class SMSException(SinchException):
    pass

@dataclass
class HTTPResponse:
    status_code: int
    body: dict
    headers: dict

def request(http_session, url, token, batch):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = http_session.request(method="POST", url=url, data=json.dumps(batch), headers=headers,
                                    timeout=5)
    response_body = response.json() if response.content else {}
    return handle_response(HTTPResponse(status_code=response.status_code, body=response_body,
                                        headers=response.headers))

def handle_response(response):
    if response.status_code >= 400:
        raise SMSException(message=response.body["text"], response=response, is_from_server=True)
'''


@pytest.fixture
def sdk1():
    namespace = {"__name__": "sinch.domains.sms.endpoints.sms_endpoint", "json": json}
    exec(compile(SDK1, "sinch/domains/sms/endpoints/sms_endpoint.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("token, number, key, shape", [
    ("wrong", MOBILE, "http_401", "KeyError"),
    (TOKEN, triggers.FIXED_LINE, "illegal_number_type", "SMSException")])
def test_sdk_1_errors_read_by_duck_typing(box, sdk1, token, number, key, shape):
    url = f"{box.url}/xms/v1/{box.service_plan_id}/batches"
    error = raised(lambda: sdk1["request"](requests.Session(), url, token, {"to": [number], "body": "hi"}))
    assert type(error).__name__ == shape  # 1.x crashes with KeyError('text') on an empty 401
    answer = foreign.from_exception(error)
    assert answer.error().key == key and answer.source == "the Sinch SDK"
    assert answer.request.path.endswith("/batches") and answer.token == Secret(token)


# --- in a real InteractiveShell --------------------------------------------------------------------

HUGE = "x" * (1 << 20)
SDK_CASES = {  # key -> a cell that makes the official SDK raise it
    "syntax_invalid_parameter_format": "client.sms.batches.send_sms(to=['0701234567'], from_=SENDER, "
                                       "body='hi')",
    "syntax_constraint_violation": "client.sms.batches.send_sms(to=[], from_=SENDER, body='hi')",
    "missing_callback_url": "client.sms.batches.send_sms(to=[MOBILE], from_=SENDER, body='hi', "
                            "delivery_report='full')",
    "illegal_number_type": "client.sms.batches.send_sms(to=[triggers.FIXED_LINE], from_=SENDER, body='hi')",
    "blocked_account": "blocked.sms.batches.send_sms(to=[MOBILE], from_=SENDER, body='hi')",
    "unknown_group": "client.sms.batches.send_sms(to=[triggers.UNKNOWN_GROUP_ID], from_=SENDER, body='hi')",
    "http_401": "wrong.sms.batches.send_sms(to=[MOBILE], from_=SENDER, body='hi')",
    "http_404": "noplan.sms.batches.send_sms(to=[MOBILE], from_=SENDER, body='hi')",
    "http_429": "client.sms.batches.send_sms(to=[triggers.RATE_LIMITED], from_=SENDER, body='hi')",
    "http_500": "client.sms.batches.send_sms(to=[triggers.SERVER_ERROR], from_=SENDER, body='hi')",
    "http_503": "client.sms.batches.send_sms(to=[triggers.UNAVAILABLE], from_=SENDER, body='hi')",
    "oauth_failed": "oauth.sms.batches.send_sms(to=[MOBILE], from_=SENDER, body='hi')",
    "timeout_read": "client.sms.batches.send_sms(to=[triggers.SLOW], from_=SENDER, body='hi')",
    "connection_dropped": "client.sms.batches.send_sms(to=[triggers.DROPPED], from_=SENDER, body='hi')",
}
REQUESTS_CASES = {  # key -> a cell that makes requests raise it (raise_for_status for an answer)
    "syntax_invalid_json": "post(box, raw='{\"to\": [}').raise_for_status()",
    "syntax_invalid_parameter_format": "post(box, {'to': ['0701234567'], 'body': 'hi'}).raise_for_status()",
    "syntax_constraint_violation": "post(box, {'to': [], 'body': 'hi'}).raise_for_status()",
    "missing_callback_url": "post(box, {'to': [MOBILE], 'body': 'hi', 'delivery_report': 'full'})"
                            ".raise_for_status()",
    "illegal_number_type": "post(box, {'to': [triggers.FIXED_LINE], 'body': 'hi'}).raise_for_status()",
    "blocked_account": "post(box, {'to': [MOBILE], 'body': 'hi'}, plan='blocked-plan').raise_for_status()",
    "unknown_group": "post(box, {'to': [triggers.UNKNOWN_GROUP_ID], 'body': 'hi'}).raise_for_status()",
    "http_401": "post(box, {'to': [MOBILE], 'body': 'hi'}, token='wrong').raise_for_status()",
    "http_404": "post(box, {'to': [MOBILE], 'body': 'hi'}, plan='no-such-plan').raise_for_status()",
    "http_405": "requests.put(box.url + '/xms/v1/' + box.service_plan_id + '/batches', timeout=5, "
                "headers=auth).raise_for_status()",
    "http_413": "post(box, {'to': [MOBILE], 'body': HUGE}).raise_for_status()",
    "http_415": "post(box, {'to': [MOBILE], 'body': 'hi'}, headers={}).raise_for_status()",
    "http_429": "post(box, {'to': [triggers.RATE_LIMITED], 'body': 'hi'}).raise_for_status()",
    "http_500": "post(box, {'to': [triggers.SERVER_ERROR], 'body': 'hi'}).raise_for_status()",
    "http_503": "post(box, {'to': [triggers.UNAVAILABLE], 'body': 'hi'}).raise_for_status()",
    "oauth_failed": "requests.post(box.url + '/oauth2/token', data={'grant_type': 'client_credentials'}, "
                    "auth=('sandbox-key', 'wrong'), timeout=5).raise_for_status()",
    "timeout_read": "post(box, {'to': [triggers.SLOW], 'body': 'hi'}, timeout=0.5)",
    "connection_dropped": "post(box, {'to': [triggers.DROPPED], 'body': 'hi'})",
}


@pytest.fixture
def cell(ip, box, capsys):
    """Run a cell in the shell, with the SDK's clients and the helpers at hand; (outcome, what it printed)."""
    client = sdk(box)
    client.configuration.connection_timeout = 0.5
    ip.user_ns.update(box=box, client=client, blocked=sdk(box, plan=triggers.BLOCKED_SERVICE_PLAN_ID),
                      wrong=sdk(box, token="wrong"), noplan=sdk(box, plan="no-such-plan"),
                      oauth=sdk_oauth(box, secret="wrong"), post=post, requests=requests, triggers=triggers,
                      MOBILE=MOBILE, SENDER=SENDER, HUGE=HUGE, auth={"Authorization": f"Bearer {TOKEN}"})
    capsys.readouterr()

    def run(code):
        outcome = ip.run_cell(code, store_history=True)
        return outcome, re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # without the colours

    yield run
    # The user's own objects hold their token (a Response's request, an exception's frames): none
    # may outlive the test in the shared shell, where a later test sweeps every frame's locals.
    ip.history_manager.output_hist.clear()  # Out and _oh (what %reset out clears, without its slow gc)
    outputs = [name for name in ip.user_ns if re.fullmatch(r"_\d+", name)]
    for name in ("box", "client", "blocked", "wrong", "noplan", "oauth", "post", "auth", "r", "err", "body",
                 "sdk1", "_", "__", "___", *outputs):
        ip.user_ns.pop(name, None)
    sys.last_type = sys.last_value = sys.last_traceback = None


def assert_card(outcome, printed, key):
    """The cell failed as before, and showed smsnb's card with one pointer instead of a traceback."""
    error = outcome.error_in_exec
    assert error is not None and sys.last_value is error  # %tb and %debug read it
    answer = foreign.from_exception(error)
    assert f" · {key}: " in printed.splitlines()[0] or printed.startswith(f"SANDBOX · {key}: "), printed[:300]
    if answer.error().text:
        assert f'Sinch says: "{answer.error().text}' in printed
    assert "Request sent: POST /" in printed or f"Request sent: {answer.request.method}" in printed
    pointer = f"{type(error).__name__}: explained above by smsnb; the full traceback: %tb"
    assert printed.rstrip().endswith(pointer)
    assert "Traceback" not in printed and "File " not in printed and TOKEN not in printed


@pytest.mark.parametrize("key", SDK_CASES)
def test_an_sdk_error_in_a_cell_shows_the_card(cell, key):
    outcome, printed = cell(SDK_CASES[key])
    assert_card(outcome, printed, key)
    assert type(outcome.error_in_exec).__module__.startswith(("sinch", "requests"))


@pytest.mark.parametrize("key", REQUESTS_CASES)
def test_a_requests_error_in_a_cell_shows_the_card(cell, key):
    outcome, printed = cell(REQUESTS_CASES[key])
    assert_card(outcome, printed, key)


def test_the_full_traceback_is_one_tb_away(cell):
    cell(SDK_CASES["illegal_number_type"])
    _, printed = cell("%tb")
    assert "Traceback" in printed and "SmsException: Error 403" in printed


def test_pdb_on_still_starts_the_debugger_after_the_card(ip, cell, monkeypatch):
    started = []
    monkeypatch.setattr(ip, "debugger", lambda force=False: started.append(sys.last_value))
    monkeypatch.setattr(ip, "call_pdb", True)
    outcome, _ = cell(SDK_CASES["illegal_number_type"])
    assert started == [outcome.error_in_exec]


def test_exceptions_that_are_not_sinchs_are_untouched(cell, sdk1, monkeypatch):
    from tests.conftest import LocalServer

    other = LocalServer(lambda *args: (403, {"code": "illegal_number_type", "text": "not Sinch"}))
    try:
        elsewhere = f"requests.post('{other.url}/x', json={{}}, timeout=5).raise_for_status()"
        cases = [("1/0", "ZeroDivisionError"), ("{}['text']", "KeyError"), (elsewhere, "HTTPError")]
        for code, name in cases:
            outcome, printed = cell(code)
            assert "Traceback" in printed and name in printed and "smsnb" not in printed, printed
            assert type(outcome.error_in_exec).__name__ == name
    finally:
        other.close()


def test_explain_exceptions_off_gives_ipythons_traceback(cell):
    cell("%config SmsMagic.explain_exceptions = False")
    outcome, printed = cell(SDK_CASES["illegal_number_type"])
    assert "Traceback" in printed and "SmsException: Error 403" in printed
    assert "illegal_number_type" not in printed
    outcome, printed = cell("r = post(box, {'to': [MOBILE], 'body': 'hi'}); r")
    assert printed.strip().endswith("<Response [201]>")


def test_a_response_from_sinch_displays_as_the_card(ip, cell):
    from tests.conftest import LocalServer

    _, printed = cell("r = post(box, {'to': [MOBILE], 'body': 'hi'}); r")
    assert "SANDBOX · 201 · batch created" in printed and TOKEN not in printed
    _, printed = cell("post(box, {'to': [triggers.FIXED_LINE], 'body': 'hi'})")
    assert "SANDBOX · 403 · illegal_number_type" in printed and "Traceback" not in printed
    bundle, _ = ip.display_formatter.format(ip.user_ns["r"])
    assert "smsnb-success" in bundle["text/html"]
    other = LocalServer(lambda *args: (200, {}))
    try:
        _, printed = cell(f"requests.post('{other.url}/x', json={{}}, timeout=5)")
    finally:
        other.close()
    assert printed.strip().endswith("<Response [200]>")


def test_explain_a_pasted_body_or_an_object(ip, cell):
    from IPython.core.error import UsageError

    from tests.conftest import sms, text_of

    said = sms(ip, """explain '{"code": "missing_callback_url", "text": "No URL"}'""")
    assert text_of(said).startswith('Sinch says: "No URL"') and "callback" in text_of(said)
    ip.user_ns["body"] = {"code": "blocked_account", "text": "Blocked"}
    assert "blocked_account" in text_of(sms(ip, "explain body"))
    cell("r = post(box, {'to': [triggers.FIXED_LINE], 'body': 'hi'})")
    assert "403 · illegal_number_type" in text_of(sms(ip, "explain r"))
    cell("try:\n    " + SDK_CASES["http_404"] + "\nexcept Exception as e:\n    err = e")
    assert " · http_404: " in text_of(sms(ip, "explain err"))
    assert "http_404" in text_of(sms(ip, "explain err.http_response"))  # the SDK's HTTPResponse
    cell("1")
    with pytest.raises(UsageError, match="not an answer from Sinch"):
        sms(ip, "explain _")  # an int
    with pytest.raises(UsageError, match="holds no Sinch error code"):
        sms(ip, "explain '{\"error\": 1}'")
    with pytest.raises(UsageError, match="No catalog entry"):
        sms(ip, "explain no_such_name")


# --- the card's resend, the hooks' life, and the secret sweep -------------------------------------

def caught(cell, code):
    """Run ``code`` in a cell that keeps its exception as ``err``."""
    cell("try:\n    " + code + "\nexcept Exception as caught_error:\n    err = caught_error")


def test_a_cards_resend_goes_with_the_requests_own_endpoint_and_token(ip, cell, box):
    from tests.conftest import sms
    from tests.test_widgets import find, fix_and_resend

    caught(cell, SDK_CASES["illegal_number_type"])
    card = sms(ip, "explain err").widget()
    assert "Resend goes through smsnb to " + box.url in find(card, "smsnb-summary").value
    find(card, "smsnb-field-to-0").value = MOBILE
    assert fix_and_resend(card, box.journal)["to"] == [MOBILE]  # to that sandbox, which takes only TOKEN
    resent = find(card, "smsnb-chain").children[-1].result
    assert resent.ok and resent.backend == "SANDBOX"
    assert resent.hints[0].startswith("Resend goes through smsnb to " + box.url)  # and says so
    session = ip.magics_manager.registry["SmsMagic"].session
    assert session.sandbox is None and session.login_values == {}  # not smsnb's own sandbox or settings


def test_a_token_typed_into_the_card_is_for_that_request_only(ip, cell, box):
    import json as _json

    from tests.conftest import sms
    from tests.test_widgets import find, fix_and_resend, live_widgets

    caught(cell, SDK_CASES["http_401"])
    card = sms(ip, "explain err").widget()
    assert find(card, "smsnb-field-service_plan_id").value == box.service_plan_id  # the request's, prefilled
    token = find(card, "smsnb-field-api_token")
    token.value = TOKEN
    fix_and_resend(card, box.journal)
    assert token.value == "" and ip.magics_manager.registry["SmsMagic"].session.login_values == {}
    assert all(TOKEN not in _json.dumps(x.get_state(), default=str) for x in live_widgets(card))


def test_what_smsnb_cannot_resend_is_a_card_without_a_form(ip, cell, box):
    from tests.conftest import sms, text_of

    caught(cell, SDK_CASES["oauth_failed"])
    result = sms(ip, "explain err")
    assert result.session is None and "cannot send this request again" in text_of(result)
    cell("r = requests.get(box.url + '/xms/v1/' + box.service_plan_id + '/batches/nope', headers=auth, "
         "timeout=5)")
    assert f"Request sent: GET /xms/v1/{box.service_plan_id}/batches/nope" in text_of(sms(ip, "explain r"))


def test_sdk_1s_key_error_is_explained_and_other_key_errors_are_not(ip, cell, sdk1, monkeypatch):
    import sinch

    monkeypatch.setattr(sinch, "__version__", "1.1.4")
    ip.user_ns["sdk1"] = sdk1
    outcome, printed = cell("sdk1['request'](requests.Session(), box.url + '/xms/v1/' + box.service_plan_id "
                            "+ '/batches', 'wrong', {'to': [MOBILE], 'body': 'hi'})")
    assert_card(outcome, printed, "http_401")
    outcome, printed = cell("{}['text']")
    assert "Traceback" in printed and "smsnb" not in printed
    ip.user_ns.pop("sdk1")


def test_unload_removes_every_hook_and_gives_back_the_handler_before(ip, box):
    import requests as _requests

    seen = []
    ip.run_line_magic("unload_ext", "smsnb")
    ip.set_custom_exc((ValueError,), lambda shell, etype, value, tb, tb_offset=None: seen.append(value))
    before = (ip.custom_exceptions, ip.CustomTB)
    ip.run_line_magic("load_ext", "smsnb")
    try:
        ip.run_cell("raise ValueError('theirs')")
        assert [str(v) for v in seen] == ["theirs"]  # still theirs, with smsnb loaded
        response = post(box, {"to": [MOBILE], "body": "hi"})
        assert "batch created" in ip.display_formatter.format(response)[0]["text/plain"]
        ip.run_line_magic("unload_ext", "smsnb")
        assert (ip.custom_exceptions, ip.CustomTB) == before
        assert ip.display_formatter.format(response)[0]["text/plain"] == "<Response [201]>"
        assert not [f for f in ip.events.callbacks["pre_run_cell"] if "ForeignErrors" in repr(f)]
        assert _requests.RequestException not in ip.custom_exceptions
    finally:
        ip.set_custom_exc((), None)
        ip.run_line_magic("load_ext", "smsnb")


def test_no_token_in_any_output_history_or_widget_state(ip, cell, box, monkeypatch, capsys):
    from tests.conftest import sms
    from tests.test_widgets import find, fix_and_resend, live_widgets

    published = []
    original = ip.display_pub.publish
    monkeypatch.setattr(ip.display_pub, "publish", lambda data, *a, **k: (published.append(data),
                                                                           original(data, *a, **k)))
    seen = []
    for code in [SDK_CASES["illegal_number_type"], SDK_CASES["http_401"], SDK_CASES["oauth_failed"],
                 SDK_CASES["timeout_read"], REQUESTS_CASES["http_415"], REQUESTS_CASES["syntax_invalid_json"],
                 "r = post(box, {'to': [MOBILE], 'body': 'hi'}); r", "%tb"]:
        seen.append(cell(code)[1])
    caught(cell, SDK_CASES["http_401"])
    for line in ("explain err", "explain r", "explain err.http_response"):
        seen.append(repr(sms(ip, line)._repr_mimebundle_()))
    card = sms(ip, "explain err").widget()
    find(card, "smsnb-field-api_token").value = TOKEN
    fix_and_resend(card, box.journal)
    find(card, "smsnb-copy-toggle").value = True
    seen += [json.dumps(x.get_state(), default=str) for x in live_widgets(card)]
    printed = capsys.readouterr()
    seen += [printed.out, printed.err, repr(published)]
    history = ip.history_manager
    seen += [repr(history.input_hist_raw), repr(history.output_hist)]
    seen += [repr(list(history.get_range(output=True)))]
    session = ip.magics_manager.registry["SmsMagic"].session
    seen += [repr(vars(session)), repr(session.backends.borrowed), repr(vars(session.backends))]
    seen += [repr(vars(client)) for client in session.backends.clients.values()]
    blob = "\n".join(seen)
    assert "illegal_number_type" in blob and "oauth_failed" in blob and "batch created" in blob  # all ran
    for secret in (TOKEN, KEY_SECRET):
        assert secret not in blob, blob[max(0, blob.find(secret) - 200):blob.find(secret) + 40]
