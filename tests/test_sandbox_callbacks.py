"""Callbacks against hostile receivers: they stay on loopback, and no receiver can stall the
others or stop the sender."""
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from smsnb.sandbox import Clock, Sandbox, triggers
from tests.conftest import Api, wait_for

FAST = {"dispatch_after": 0.01, "final_after": 0.05, "callback_retry_after": 0.05}


class RawServer:
    """A TCP server on 127.0.0.1 that calls ``handle(conn, server)`` for each connection: for
    receivers that are not well-behaved HTTP servers. ``connections`` counts who came,
    ``received`` keeps what HTTP bodies the handler read."""

    def __init__(self, handle):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/callback"
        self.connections = 0
        self.received = []
        self.stop = threading.Event()
        threading.Thread(target=self._serve, args=(handle,), daemon=True).start()

    def _serve(self, handle):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(handle, conn), daemon=True).start()

    def _run(self, handle, conn):
        with conn:
            try:
                handle(conn, self)
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.sock.close()


def read_request(conn) -> bytes:
    """One HTTP request's body (by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(4096)
        if not piece:
            return b""
        data += piece
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), b"0"))
    while len(body) < length:
        body += conn.recv(65536)
    return body


def answering(status, headers=b""):
    """A receiver that answers every callback with ``status``."""
    def handle(conn, server):
        server.received.append(read_request(conn))
        conn.sendall(b"HTTP/1.1 %d Whatever\r\nContent-Length: 0\r\n%s\r\n" % (status, headers))
    return handle


def trickle(conn, server):
    """Answers one byte of a status line every 0.1 s, and never finishes it."""
    read_request(conn)
    while not server.stop.wait(0.1):
        conn.sendall(b"H")


def not_http(conn, server):
    read_request(conn)
    conn.sendall(b"hello, I am not an HTTP server\r\n")


@pytest.fixture
def servers():
    started = []

    def start(server):
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def batch_to(url, report="per_recipient_final"):
    return {"to": [triggers.ORDINARY_MOBILE], "body": "x", "delivery_report": report, "callback_url": url}


def attempts_to(sandbox, url):
    return [a for a in sandbox.callback_attempts if a["url"] == url]


# --- item 12: loopback only --------------------------------------------------------------------

def test_a_redirect_is_not_followed(servers):
    elsewhere = servers(RawServer(answering(200)))
    receiver = servers(RawServer(answering(302, b"Location: %s\r\n" % elsewhere.url.encode())))
    with Sandbox(clock=Clock(**FAST)) as box:
        Api(box).send(batch_to(receiver.url))
        attempt = wait_for(lambda: attempts_to(box, receiver.url))[0]
        time.sleep(0.2)
        assert attempt["outcome"] == 302 and attempt["retry"] is False
        assert len(attempts_to(box, receiver.url)) == 1 and elsewhere.connections == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1.evil.test/cb", "http://localhost.evil.test/cb",
                                 "http://0x7f000001/cb", "http://[::ffff:127.0.0.1]/cb", "http://[::1/cb"])
def test_a_name_or_odd_address_is_refused_unresolved_and_journaled(sandbox, monkeypatch, url):
    looked_up = []
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda host, *a, **k: looked_up.append(host) or real(host, *a, **k))
    answer = Api(sandbox).send(batch_to(url, "summary"))
    assert answer.status_code in (201, 400)  # "http://[::1/cb" is not a URL Sinch takes
    if answer.status_code == 201:
        attempt = wait_for(lambda: attempts_to(sandbox, url))[0]
        assert attempt["outcome"].startswith("not sent: ") and "loopback only" in attempt["outcome"]
        refused = [e for e in sandbox.journal.entries() if e["kind"] == "callback"]
        assert refused[-1]["path"] == url and refused[-1]["status"] == "not sent"
        assert "loopback only" in refused[-1]["response"]
    assert not [host for host in looked_up if "evil" in str(host) or "0x7f" in str(host)]


def test_a_refused_url_shows_in_the_journal_with_why(sandbox):
    Api(sandbox).send(batch_to("https://example.com/callback", "summary"))
    entry = [e for e in sandbox.journal.entries() if e["kind"] == "callback"][-1]
    assert "'example.com' is a name" in entry["response"]


@pytest.mark.parametrize("url", ["http://localhost:{port}/cb", "http://127.0.0.2:{port}/cb",
                                 "http://[::1]:{port}/cb"])
def test_loopback_addresses_and_localhost_are_called(url):
    family = socket.AF_INET6 if "::1" in url else socket.AF_INET
    if family == socket.AF_INET6 and not socket.has_ipv6:
        pytest.skip("no IPv6")
    host = "::1" if family == socket.AF_INET6 else ("127.0.0.2" if "127.0.0.2" in url else "127.0.0.1")
    try:
        listener = socket.create_server((host, 0), family=family)
    except OSError:
        pytest.skip(f"cannot listen on {host}")
    with listener, Sandbox(clock=Clock(**FAST)) as box:
        full = url.format(port=listener.getsockname()[1])
        Api(box).send(batch_to(full))
        conn, _ = listener.accept()
        with conn:
            read_request(conn)
            conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        assert wait_for(lambda: attempts_to(box, full))[0]["outcome"] == 204


PROXIED = """
import json, sys, time
from smsnb.sandbox import Clock, Sandbox
with Sandbox(clock=Clock(dispatch_after=0.01, final_after=0.05)) as box:
    import requests
    session = requests.Session()
    session.trust_env = False  # this request must reach the sandbox itself, not the proxy
    session.post(box.url + "/xms/v1/smsnb-sandbox/batches", timeout=5, json={
        "to": ["+46701234567"], "body": "x", "delivery_report": "summary", "callback_url": sys.argv[1]},
        headers={"Authorization": "Bearer sandbox-token"})
    deadline = time.time() + 5
    while not box.callback_attempts and time.time() < deadline:
        time.sleep(0.02)
    print(json.dumps([a["outcome"] for a in box.callback_attempts]))
"""


def test_proxy_variables_are_ignored(servers):
    # In a fresh process, so that no HTTP machinery has read the environment before.
    receiver = servers(RawServer(answering(200)))
    proxy = servers(RawServer(answering(200)))
    env = {**os.environ, "http_proxy": proxy.url, "HTTP_PROXY": proxy.url, "all_proxy": proxy.url,
           "no_proxy": "", "NO_PROXY": ""}
    result = subprocess.run([sys.executable, "-c", PROXIED, receiver.url + "/cb"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [200], result.stderr
    assert len(receiver.received) == 1 and proxy.connections == 0


# --- item 13: a pool that no receiver can stall or stop -----------------------------------------

def test_a_receiver_that_does_not_speak_http_stops_nothing(servers):
    broken = servers(RawServer(not_http))
    good = servers(RawServer(answering(200)))
    with Sandbox(clock=Clock(**FAST, callback_attempts=2)) as box:
        Api(box).send(batch_to(broken.url))
        wait_for(lambda: len(attempts_to(box, broken.url)) == 2)
        Api(box).send(batch_to(good.url))
        wait_for(lambda: good.received)
        first, second = attempts_to(box, broken.url)
        assert "not HTTP" in first["outcome"] and first["retry"] is True and second["retry"] is False


def test_one_slow_receiver_holds_up_no_other_callback(servers):
    slow = servers(RawServer(trickle))
    good = servers(RawServer(answering(200)))
    with Sandbox(clock=Clock(**FAST)) as box:  # an attempt may take 2 s: in turn, the second would wait
        Api(box).send(batch_to(slow.url))
        wait_for(lambda: slow.connections)
        started = time.monotonic()
        Api(box).send(batch_to(good.url))
        wait_for(lambda: good.received, timeout=1)
        assert time.monotonic() - started < 1
        slow.stop.set()


def test_each_attempt_is_bounded_in_total_even_against_a_trickle(servers):
    slow = servers(RawServer(trickle))
    with Sandbox(clock=Clock(**FAST, callback_timeout=0.5, callback_attempts=1)) as box:
        started = time.monotonic()
        Api(box).send(batch_to(slow.url))
        attempt = wait_for(lambda: attempts_to(box, slow.url), timeout=3)[0]
        assert time.monotonic() - started < 2
        assert attempt["outcome"] == "no answer within 0.5 s"


def test_retried_only_after_5xx_or_429(servers):
    retried = {404: False, 400: False, 410: False, 302: False, 429: True, 500: True, 503: True}
    receivers = {status: servers(RawServer(answering(status))) for status in retried}
    with Sandbox(clock=Clock(**FAST, callback_attempts=3)) as box:
        for receiver in receivers.values():
            Api(box).send(batch_to(receiver.url))
        wait_for(lambda: all(len(attempts_to(box, r.url)) == 3 for s, r in receivers.items() if retried[s]))
        time.sleep(0.1)  # room for a retry that should not come
        for status, receiver in receivers.items():
            outcomes = [a["outcome"] for a in attempts_to(box, receiver.url)]
            assert outcomes == [status] * (3 if retried[status] else 1), status


def test_a_receiver_that_is_not_listening_is_retried(servers):
    closed = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{closed.getsockname()[1]}/cb"
    closed.close()
    with Sandbox(clock=Clock(**FAST, callback_attempts=3)) as box:
        Api(box).send(batch_to(url))
        attempts = wait_for(lambda: len(attempts_to(box, url)) == 3 and attempts_to(box, url))
        assert all("ConnectionRefusedError" in a["outcome"] for a in attempts)
        assert [a["retry"] for a in attempts] == [True, True, False]
