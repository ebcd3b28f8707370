"""The wire client against the sandbox over real HTTP, and against failures made for real."""
import socket
import time

import pytest

from smsnb.sandbox import Sandbox, triggers
from smsnb.sinch import errors
from smsnb.sinch.client import Client
from smsnb.sinch.request import SmsRequest
from tests.conftest import wait_for

HELLO = SmsRequest((triggers.ORDINARY_MOBILE,), "hello")


@pytest.fixture
def client(sandbox):
    c = Client(service_plan_id=sandbox.service_plan_id, api_token=sandbox.api_token, base_url=sandbox.url, timeout=5)
    yield c
    c.close()


def oauth_client(sandbox, **kw):
    creds = sandbox.credentials
    return Client(project_id=creds.project_id, key_id=creds.key_id, key_secret=creds.key_secret,
                  base_url=sandbox.url, **kw)


def token_requests(sandbox):
    return [e for e in sandbox.journal.entries() if e["path"] == "/oauth2/token"]


def test_every_call(client, sandbox):
    sent = client.send(HELLO)
    assert sent.status == 201 and sent.data["to"] == ["46701234567"] and sent.from_sandbox
    dry = client.dry_run(HELLO)
    assert dry.data["number_of_messages"] == 1 and dry.data["per_recipient"][0]["encoding"] == "text"
    assert client.get_batch(sent.data["id"]).data["id"] == sent.data["id"]
    assert client.list_batches().data["count"] == 1
    wait_for(lambda: client.delivery_report(sent.data["id"]).data["statuses"][0]["status"] == "Delivered")
    assert client.delivery_report(sent.data["id"], "full").data["statuses"][0]["recipients"] == ["46701234567"]
    assert client.recipient_report(sent.data["id"], triggers.ORDINARY_MOBILE).data["status"] == "Delivered"
    assert client.cancel(sent.data["id"]).status == 200  # already sent: accepted, nothing changes


def test_sends_numbers_exactly_as_written(client, sandbox):
    client.send(SmsRequest(("+46 70-123 45 67",), "x"))
    assert '"+46 70-123 45 67"' in sandbox.journal.entries()[-1]["body"]


def test_send_raw_is_byte_for_byte(client, sandbox):
    raw = '{"to": ["+46701234567"],\n "body": "tab\\there" }'
    client.send_raw(raw)
    assert sandbox.journal.entries()[-1]["body"] == raw
    with pytest.raises(errors.BadRequestError) as caught:
        client.send_raw('{"to": [}')
    assert caught.value.key == "syntax_invalid_json" and caught.value.request.body == '{"to": [}'


def test_connections_are_reused(client, sandbox):
    for _ in range(10):
        client.send(HELLO)
    assert len({e["client_port"] for e in sandbox.journal.entries()}) == 1  # one TCP connection, kept alive


def test_error_carries_status_code_text_entry_request_and_raw_body(client):
    with pytest.raises(errors.BadRequestError) as caught:
        client.send(SmsRequest(("+1",), "x"))
    error = caught.value
    assert (error.status, error.code, error.key) == (400, "syntax_invalid_parameter_format", "syntax_invalid_parameter_format")
    assert "to[0]" in error.text and error.entry.title == "A field has the wrong format"
    assert error.request.headers["Authorization"] == "Bearer ********" and error.request.json()["to"] == ["+1"]
    assert '"code"' in error.raw_body


@pytest.mark.parametrize("number, cls, key", [
    (triggers.RATE_LIMITED, errors.RateLimitError, "http_429"),
    (triggers.SERVER_ERROR, errors.ServerError, "http_500"),
    (triggers.UNAVAILABLE, errors.ServerError, "http_503"),
    (triggers.DROPPED, errors.ConnectionDropped, "connection_dropped"),
])
def test_trigger_maps_to_its_error_class(client, number, cls, key):
    with pytest.raises(cls) as caught:
        client.send(SmsRequest((number,), "x"))
    assert caught.value.key == key


def test_read_timeout_is_its_own_error_and_never_retried(client, sandbox):
    with pytest.raises(errors.ReadTimeout) as caught:
        client.send(SmsRequest((triggers.SLOW,), "x"), timeout=0.3)
    assert caught.value.may_have_been_sent and "may have been sent" in str(caught.value)
    time.sleep(0.1)
    assert client.list_batches().data["count"] <= 1  # (the slow answer may still land, once)
    slow_posts = [e for e in sandbox.journal.entries() if e["method"] == "POST"]
    assert len(slow_posts) <= 1


def test_401_and_404(sandbox):
    wrong = Client(service_plan_id=sandbox.service_plan_id, api_token="wrong", base_url=sandbox.url)
    with pytest.raises(errors.AuthenticationError) as caught:
        wrong.send(HELLO)
    assert caught.value.key == "http_401" and not caught.value.token_expired
    unknown = Client(service_plan_id=sandbox.service_plan_id, api_token=sandbox.api_token, base_url=sandbox.url)
    with pytest.raises(errors.NotFoundError) as caught:
        unknown.get_batch("01AAAAAAAAAAAAAAAAAAAAAAAA")
    assert caught.value.reason == "gone"


def test_transport_failures_are_errors_of_their_own():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    refused = Client(service_plan_id="p", api_token="t", base_url=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(errors.ConnectionRefused):
        refused.send(HELLO)
    with pytest.raises(errors.DnsError):
        Client(service_plan_id="p", api_token="t", base_url="http://no-such-host.invalid").send(HELLO)


def test_tls_failure(sandbox):
    plain_http_as_https = Client(service_plan_id="p", api_token="t", base_url=sandbox.url.replace("http:", "https:"))
    with pytest.raises(errors.TlsError):
        plain_http_as_https.send(HELLO)


def test_connect_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    backlog = []
    for _ in range(3):  # fill the accept queue so the next connect is never answered
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        backlog.append(s)
    try:
        client = Client(service_plan_id="p", api_token="t", base_url=f"http://127.0.0.1:{port}", connect_timeout=0.3)
        with pytest.raises(errors.ConnectTimeout) as caught:
            client.send(HELLO)
        assert not caught.value.may_have_been_sent
    finally:
        for s in backlog + [listener]:
            s.close()


def test_oauth_token_is_cached(sandbox):
    client = oauth_client(sandbox)
    for _ in range(3):
        assert client.send(HELLO).status == 201
    assert len(token_requests(sandbox)) == 1


def test_oauth_token_is_refreshed_before_expiry():
    with Sandbox(token_ttl=31) as box:  # within TOKEN_MARGIN (30 s) of expiry after 1 s
        client = oauth_client(box)
        client.send(HELLO)
        time.sleep(1.1)
        client.send(HELLO)
        assert len(token_requests(box)) == 2


def test_oauth_refreshes_on_a_401_that_says_expired():
    with Sandbox(token_ttl=0.3) as box:
        client = oauth_client(box)
        client.send(HELLO)
        client._token = (client._token[0], time.time() + 3600)  # the client believes it is still good
        time.sleep(0.4)
        assert client.send(HELLO).status == 201
        statuses = [e["status"] for e in box.journal.entries() if e["method"] == "POST"]
        assert statuses == [200, 201, 401, 200, 201]


def test_oauth_wrong_secret_is_an_oauth_error(sandbox):
    creds = sandbox.credentials
    client = Client(project_id=creds.project_id, key_id=creds.key_id, key_secret="wrong", base_url=sandbox.url)
    with pytest.raises(errors.OAuthError) as caught:
        client.send(HELLO)
    assert caught.value.key == "oauth_failed" and "wrong" not in repr(caught.value.request)


@pytest.mark.parametrize("region", ["us", "eu", "au", "br", "ca"])
def test_regions(region):
    assert Client(service_plan_id="p", api_token="t", region=region).base_url == f"https://{region}.sms.api.sinch.com"


def test_oauth_hosts_and_regions():
    assert Client(project_id="p", key_id="k", key_secret="s", region="eu").base_url == "https://zt.eu.sms.api.sinch.com"
    with pytest.raises(ValueError, match="only in us and eu"):
        Client(project_id="p", key_id="k", key_secret="s", region="au")
    with pytest.raises(ValueError, match="Unknown region"):
        Client(service_plan_id="p", api_token="t", region="mars")


def test_tls_verification_cannot_be_turned_off_for_sinch():
    with pytest.raises(ValueError, match="TLS verification"):
        Client(service_plan_id="p", api_token="t", verify=False)
    Client(service_plan_id="p", api_token="t", base_url="https://localhost:8443", verify=False)


def test_repr_hides_secrets():
    client = Client(service_plan_id="plan", api_token="SENTINEL-TOKEN")
    assert "SENTINEL" not in repr(client) and "SENTINEL" not in repr(vars(client))
