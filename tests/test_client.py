"""The wire client against the sandbox over real HTTP, and against failures made for real."""
import os
import socket
import threading
import time

import pytest

from smsnb.knowledge import catalog
from smsnb.sandbox import Sandbox, triggers
from smsnb.sinch import errors
from smsnb.sinch.client import Client
from smsnb.sinch.request import SmsRequest
from tests.conftest import LocalServer, sms, wait_for

HELLO = SmsRequest((triggers.ORDINARY_MOBILE,), "hello")


@pytest.fixture
def client(sandbox):
    c = Client(service_plan_id=sandbox.service_plan_id, api_token=sandbox.api_token, base_url=sandbox.url,
               timeout=5)
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
    full = client.delivery_report(sent.data["id"], "full")
    assert full.data["statuses"][0]["recipients"] == ["46701234567"]
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
    code = "syntax_invalid_parameter_format"
    assert (error.status, error.code, error.key) == (400, code, code)
    assert "to[0]" in error.text and catalog.entry_for(error).title == "A field has the wrong format"
    assert error.request.headers["Authorization"] == "Bearer ********"
    assert error.request.json()["to"] == ["+1"]
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
    unknown = Client(service_plan_id=sandbox.service_plan_id, api_token=sandbox.api_token,
                     base_url=sandbox.url)
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


def test_tls_failure():
    listener = socket.create_server(("127.0.0.1", 0))

    def plain_http():  # answers in plain HTTP at once, whatever it is sent: no handshake can succeed
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            conn.recv(65536)

    threading.Thread(target=plain_http, daemon=True).start()
    plain_http_as_https = Client(service_plan_id="p", api_token="t",
                                 base_url=f"https://127.0.0.1:{listener.getsockname()[1]}")
    with pytest.raises(errors.TlsError) as caught:
        plain_http_as_https.send(HELLO)
    listener.close()
    assert not caught.value.may_have_been_sent and "no request was sent" in str(caught.value)


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
        client = Client(service_plan_id="p", api_token="t", base_url=f"http://127.0.0.1:{port}",
                        connect_timeout=0.3)
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
    client = Client(project_id=creds.project_id, key_id=creds.key_id, key_secret="wrong",
                    base_url=sandbox.url)
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


# --- hostile servers: any bytes, at any pace -----------------------------------------------

class RawServer:
    """A TCP server on 127.0.0.1 that reads each request and then runs ``answer(conn, stop)``,
    which writes whatever it likes. ``stop`` is set when the test ends."""

    def __init__(self, answer):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answer = answer
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(65536) or b"\r\n\r\n"
                length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), b"0"))
                body = head.split(b"\r\n\r\n", 1)[1]
                while len(body) < length:
                    body += conn.recv(65536) or b" " * length
                self.answer(conn, self.stop)
            except OSError:  # the client hung up: that is what some tests want
                pass

    def close(self):
        self.stop.set()
        self.listener.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(answer):
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def raw_client(server, **kw):
    return Client(service_plan_id="p", api_token="t", base_url=server.url, **kw)


def trickle(data, stop, limit=4.0):
    """Send ``data`` a byte every 20 ms, for at most ``limit`` seconds."""
    def answer(conn, _):
        ends = time.monotonic() + limit
        for byte in data:
            if stop.is_set() or time.monotonic() > ends:
                return
            conn.sendall(bytes([byte]))
            stop.wait(0.02)
    return answer


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 201 Created\r\nX-Padding: " + b"a" * 100_000,  # a status line and headers that never end
    b"HTTP/1.1 201 Created\r\nContent-Length: 100000\r\n\r\n" + b" " * 100_000,  # a body that never ends
], ids=["headers", "body"])
def test_a_trickling_server_cannot_hold_a_send_past_its_timeout(raw_server, answer):
    server = raw_server(trickle(answer, threading.Event()))
    started = time.monotonic()
    with pytest.raises(errors.ReadTimeout) as caught:
        raw_client(server, timeout=0.5).send(HELLO)
    assert time.monotonic() - started < 1.5
    assert caught.value.may_have_been_sent and "may have been sent" in str(caught.value)


def endless(head):
    def answer(conn, stop):
        conn.sendall(head)
        piece = b"0" * 65536
        for _ in range(1024):  # 64 MiB at most, so that a client without a bound fails, not hangs
            if stop.is_set():
                return
            conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if b"chunked" in head else piece)
        conn.sendall(b"0\r\n\r\n" if b"chunked" in head else b"")
    return answer


@pytest.mark.parametrize("head", [
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 314572800\r\n\r\n",
], ids=["endless-chunked", "300-MB"])
def test_an_endless_answer_is_cut_at_the_bound_and_memory_stays_bounded(raw_server, head):
    import tracemalloc

    from smsnb.sinch.transport import MAX_ANSWER

    server = raw_server(endless(head))
    client = raw_client(server, timeout=20)
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(errors.BadResponse) as caught:
            client.send(HELLO)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 2.5 * MAX_ANSWER, f"{peak / 2**20:.0f} MiB"
    assert caught.value.status == 201 and caught.value.may_have_been_sent and "10 MiB" in caught.value.text


def test_a_corrupt_compressed_body_is_a_bad_response_not_a_refused_connection(raw_server):
    def answer(conn, _):
        body = b"\x1f\x8b\x08\x00 this is not gzip at all"
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    with pytest.raises(errors.SmsError) as caught:
        raw_client(raw_server(answer)).send(HELLO)
    assert caught.value.key == "bad_response" and caught.value.status == 201
    assert caught.value.may_have_been_sent and "nothing was sent" not in str(caught.value)


def test_a_server_that_answers_no_http_may_have_received_the_sms(raw_server):
    server = raw_server(lambda conn, _: conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n"))
    with pytest.raises(errors.TransportError) as caught:
        raw_client(server).send(HELLO)
    assert caught.value.may_have_been_sent and "nothing was sent" not in str(caught.value)


def test_an_unknown_transport_failure_says_the_sms_may_have_been_sent(sandbox):
    import requests

    class Broken(requests.adapters.BaseAdapter):
        def send(self, request, **kw):
            raise requests.RequestException("something nobody has seen yet")

        def close(self):
            pass

    client = Client(service_plan_id="p", api_token="t", base_url=sandbox.url)
    client.session.mount(sandbox.url, Broken())
    with pytest.raises(errors.TransportError) as caught:
        client.send(HELLO)
    assert caught.value.key == "transport_failed" and caught.value.may_have_been_sent
    assert "may have been sent" in str(caught.value) and "nothing was sent" not in str(caught.value)


@pytest.fixture
def tls_server(tmp_path):
    """A TLS server with a self-signed certificate that, once the handshake is done and the
    request read, sends bytes that are not TLS."""
    import shutil
    import ssl
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        try:
            raw, _ = listener.accept()
            with context.wrap_socket(raw, server_side=True) as conn:
                conn.recv(65536)
                with socket.socket(fileno=os.dup(conn.fileno())) as bare:  # past TLS, on the same connection
                    bare.sendall(b"\x17\x03\x03\x00\x20" + b"\xff" * 32)  # a record no key can read
                    time.sleep(1)
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_tls_failure_after_the_request_left_may_have_sent_the_sms(tls_server):
    client = Client(service_plan_id="p", api_token="t", base_url=tls_server, verify=False)
    with pytest.raises(errors.TransportError) as caught:
        client.send(HELLO)
    assert not isinstance(caught.value, errors.TlsError) and caught.value.may_have_been_sent


def test_only_2xx_is_success_and_a_redirect_keeps_its_location(raw_server):
    def answer(conn, _):
        body = b'{"id": "01REDIRECTED", "to": ["46701234567"]}'
        conn.sendall(b"HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example/xms\r\nContent-Type: "
                     b"application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    with pytest.raises(errors.ApiError) as caught:
        raw_client(raw_server(answer)).send(HELLO)
    error = caught.value
    assert error.status == 302 and error.key == "unknown_status"
    assert error.headers["Location"] == "https://elsewhere.example/xms" and "01REDIRECTED" in error.raw_body


# --- proxies -------------------------------------------------------------------------------

@pytest.fixture
def proxy(monkeypatch):
    """A recording stand-in for a proxy, named by every proxy variable."""
    server = LocalServer(lambda *request: (502, None))
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, server.url)
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)
    yield server
    server.close()


def test_a_loopback_base_url_is_never_reached_through_a_proxy(sandbox, proxy):
    client = Client(service_plan_id=sandbox.service_plan_id, api_token=sandbox.api_token,
                    base_url=sandbox.url)
    assert client.send(HELLO).status == 201
    localhost = Client(service_plan_id=sandbox.service_plan_id, api_token=sandbox.api_token,
                       base_url=sandbox.url.replace("127.0.0.1", "localhost"))
    assert localhost.send(HELLO).status == 201
    assert proxy.requests == []


def test_trust_env_false_ignores_proxy_variables(proxy):
    with pytest.raises(errors.ServerError):  # the proxy answered: proxy variables are honoured by default
        Client(service_plan_id="p", api_token="t", base_url="http://smsnb-test.invalid").send(HELLO)
    assert len(proxy.requests) == 1
    with pytest.raises(errors.DnsError):
        Client(service_plan_id="p", api_token="t", base_url="http://smsnb-test.invalid",
               trust_env=False).send(HELLO)
    assert len(proxy.requests) == 1


def test_the_magic_never_sends_to_the_sandbox_through_a_proxy(ip, proxy):
    result = sms(ip, f"{triggers.ORDINARY_MOBILE} -m hi")
    assert result.ok and proxy.requests == []


@pytest.mark.parametrize("lifetime", [b"9" * 400, b"Infinity", b"NaN", b"-5", b'"soon"'])
def test_an_odd_token_lifetime_is_no_traceback(raw_server, lifetime):
    def answer(conn, _):  # a token answer and a batch in one, for both requests
        body = b'{"access_token": "tok", "expires_in": %s, "id": "01X"}' % lifetime
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    server = raw_server(answer)
    client = Client(project_id="p", key_id="k", key_secret="s", base_url=server.url)
    assert client.send(HELLO).data["id"] == "01X"
    assert client.send(HELLO).data["id"] == "01X"
