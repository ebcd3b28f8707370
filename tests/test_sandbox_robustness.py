"""The sandbox as a server: bad input never takes it down, concurrency, lifecycle, the CLI."""
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from smsnb.sandbox import Sandbox, triggers
from smsnb.sandbox.request_body import MAX_BODY_BYTES
from tests.conftest import Api, wait_for

OK = {"to": [triggers.ORDINARY_MOBILE], "body": "still here"}


def raw_http(sandbox, payload: bytes, timeout: float = 5) -> bytes:
    """Send ``payload`` on a new connection and return everything the sandbox answers. It may
    answer and close before taking all of it (a 413, a 431): a send that breaks is no failure."""
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except OSError:
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int | None:
    line = answer.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) > 1 and line[1].isdigit() else None


def request(method: str, path: str, headers: dict | None = None, body: bytes = b"", *, length=None) -> bytes:
    """The bytes of one HTTP/1.1 request; ``length`` overrides the Content-Length header."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if length is not None or body:
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


def bad_inputs(api):
    plan_path = f"/xms/v1/{api.plan}/batches"
    return {
        "malformed request line": lambda: raw_http(api.sandbox, b"GARBAGE\r\n\r\n"),
        "malformed header": lambda: raw_http(api.sandbox,
                                             f"POST {plan_path} HTTP/1.1\r\nNo-Colon\r\n\r\n".encode()),
        "oversized body": lambda: api.send(raw="x" * (1024 * 1024 + 1)),
        "invalid utf-8": lambda: api.send(raw=b'{"to": ["\xff\xfe"], "body": "x"}'),
        "deeply nested json": lambda: api.send(raw="[" * 100_000 + "]" * 100_000),
        "huge to list": lambda: api.send({"to": [triggers.ORDINARY_MOBILE] * 50_000, "body": "x"}),
        "null bytes": lambda: api.send(raw=b"\x00" * 1000),
    }


@pytest.mark.parametrize("case", ["malformed request line", "malformed header", "oversized body",
                                  "invalid utf-8", "deeply nested json", "huge to list", "null bytes"])
def test_bad_input_then_a_normal_request_succeeds(api, case):
    result = bad_inputs(api)[case]()
    if isinstance(result, requests.Response):
        assert result.status_code in (400, 413), result.text
    assert api.send(OK).status_code == 201


def test_oversized_body_is_a_clear_413(api):
    response = api.send(raw="x" * (1024 * 1024 + 1))
    assert response.status_code == 413 and "1 MiB" in response.text


def test_invalid_utf8_and_deep_nesting_are_syntax_invalid_json(api):
    assert api.send(raw=b'{"body": "\xff"}').json()["code"] == "syntax_invalid_json"
    assert api.send(raw="[" * 100_000 + "]" * 100_000).json()["code"] == "syntax_invalid_json"


def test_fifty_concurrent_clients_lose_no_journal_entry(sandbox):
    def one(i):
        return Api(sandbox).send({"to": [triggers.ORDINARY_MOBILE], "body": f"client {i}"}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one, range(50)))
    assert statuses == [201] * 50
    bodies = sorted(json.loads(e["body"])["body"] for e in sandbox.journal.entries())
    assert bodies == sorted(f"client {i}" for i in range(50))
    assert len({e["seq"] for e in sandbox.journal.entries()}) == 50


def test_journal_is_bounded_and_resettable():
    with Sandbox(journal_cap=5) as box:
        api = Api(box)
        for i in range(8):
            api.send({"to": [triggers.ORDINARY_MOBILE], "body": f"m{i}"})
        over_http = requests.get(f"{box.url}/_sandbox/journal", timeout=5).json()
        assert over_http["cap"] == 5 and over_http["dropped"] == 3
        assert [json.loads(e["body"])["body"] for e in over_http["entries"]] == ["m3", "m4", "m5", "m6", "m7"]
        assert requests.delete(f"{box.url}/_sandbox/journal", timeout=5).status_code == 204
        assert len(box.journal) == 0


def test_journal_records_method_path_status_and_response(api, sandbox):
    api.send({"to": ["+1"], "body": "x"})
    entry = sandbox.journal.entries()[-1]
    assert entry["method"] == "POST" and entry["path"].endswith("/batches") and entry["status"] == 400
    assert json.loads(entry["response"])["code"] == "syntax_invalid_parameter_format"


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def test_start_stop_many_times_leaks_no_threads_or_sockets():
    with Sandbox() as warm:  # let lazy imports and caches settle first
        Api(warm).send(OK)
    threads, fds = threading.active_count(), open_fds()
    for _ in range(20):
        with Sandbox() as box:
            assert Api(box).send(OK).status_code == 201
    assert threading.active_count() == threads
    assert open_fds() <= fds


def test_stop_wakes_a_slow_answer():
    box = Sandbox(slow_seconds=60).start()

    def slow_send():
        return Api(box).send({"to": [triggers.SLOW], "body": "x"})

    worker = threading.Thread(target=lambda: _swallow(slow_send))
    worker.start()
    threading.Event().wait(0.2)
    box.stop()
    worker.join(timeout=5)
    assert not worker.is_alive()


def _swallow(call):
    try:
        call()
    except requests.RequestException:
        pass


def listening_addresses(port: int) -> list[str]:
    """The local addresses of the sockets listening on ``port``, as the kernel reports them."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if int(hex_port, 16) == port and state == "0A":  # 0A: LISTEN
                    found.append(address)
    return found


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads the kernel's socket table")
def test_binds_to_loopback_only(sandbox):
    # The listening socket's own address, from the kernel: binding 0.0.0.0 would show 00000000.
    assert listening_addresses(sandbox.port) == ["0100007F"]  # 127.0.0.1, little-endian hex


PLAN_PATH = "/xms/v1/smsnb-sandbox/batches"
JSON_AUTH = {"Authorization": "Bearer sandbox-token", "Content-Type": "application/json"}


def batch_bytes(extra: str) -> bytes:
    return ('{"to": ["+46701234567"], "body": "x"' + extra + "}").encode()


def chunked(body: bytes, size: int = 65536) -> bytes:
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


HOSTILE = {
    # name: (request bytes, the status that fits)
    "non-ASCII bearer token": (request("POST", PLAN_PATH, {"Authorization": "Bearer t\u00e9st",
                                                           "Content-Type": "application/json"}, b"{}"), 401),
    "non-ASCII Basic credential": (request("POST", "/oauth2/token", {
        "Authorization": "Basic " + base64.b64encode("k\u00e9y:s\u00e9cret".encode()).decode(),
        "Content-Type": "application/x-www-form-urlencoded"}, b"grant_type=client_credentials"), 401),
    "integer of 5000 digits": (request("POST", PLAN_PATH, JSON_AUTH,
                                       batch_bytes(', "max_number_of_message_parts": ' + "9" * 5000)), 400),
    "send_at in year 9999": (request("POST", PLAN_PATH, JSON_AUTH,
                                     batch_bytes(', "send_at": "9999-12-31T00:00:00Z"')), 400),
    "expire_at past year 9999 in UTC": (request("POST", PLAN_PATH, JSON_AUTH, batch_bytes(
        ', "send_at": "9999-12-31T20:00:00+00:00", "expire_at": "9999-12-31T23:59:59-14:00"')), 400),
    "body over 1 MiB to an unknown path": (request("POST", "/nowhere", length=2_000_000), 413),
    "body over 1 MiB with a wrong method": (request("PUT", PLAN_PATH, JSON_AUTH, length=2_000_000), 413),
    "Content-Length -5 to an unknown path": (request("POST", "/nowhere", length=-5), 400),
    "Content-Length -5 with a wrong method": (request("PUT", PLAN_PATH, length=-5), 400),
    "Content-Length -5 on a send": (request("POST", PLAN_PATH, JSON_AUTH, length=-5), 400),
    "chunked body over 1 MiB": (request("POST", PLAN_PATH, {**JSON_AUTH, "Transfer-Encoding": "chunked"})
                                + chunked(b"x" * (MAX_BODY_BYTES + 10)), 413),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_request_gets_a_fitting_answer_and_a_journal_entry(sandbox, case):
    payload, status = HOSTILE[case]
    answer = raw_http(sandbox, payload)
    assert status_of(answer) in (status, None)  # None: the connection was reset after a refused body
    assert wait_for(lambda: sandbox.journal.entries())[-1]["status"] == status
    assert Api(sandbox).send(OK).status_code == 201


def test_huge_integer_and_extreme_times_get_sinchs_error_bodies(api):
    huge = api.send(raw=batch_bytes(', "max_number_of_message_parts": ' + "9" * 5000))
    assert huge.json()["code"] == "syntax_invalid_json" and "5000 digits" in huge.json()["text"]
    late = api.send({**OK, "send_at": "9999-12-31T00:00:00Z"})
    assert late.json()["code"] == "syntax_constraint_violation" and "send_at" in late.json()["text"]
    early = api.send({**OK, "send_at": "0001-01-01T00:00:00+14:00"})  # in the past: sent at once
    assert early.status_code == 201


def strict(text: str):
    def refuse(name):
        raise ValueError(f"{name} is not strict JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_in_a_request_are_syntax_invalid_json(api, sandbox, value):
    # Before: accepted, and echoed back as NaN, which is not JSON at all.
    answer = api.send(raw=batch_bytes(', "parameters": {"name": {"default": ' + value + "}}"))
    assert answer.status_code == 400 and strict(answer.text)["code"] == "syntax_invalid_json"
    receiver = requests.post(sandbox.credentials.receiver_url, data='{"x": ' + value + "}", timeout=5)
    assert receiver.status_code == 400


def test_answers_are_strict_json(api, sandbox):
    created = api.send({**OK, "parameters": {"name": {"default": "1e308"}}})
    assert strict(created.text)["parameters"] == {"name": {"default": "1e308"}}
    refused = api.send({**OK, "parameters": {"name": {"default": 1e308}}})  # a value must be a string
    assert strict(refused.text)["code"] == "syntax_invalid_json" and "1e308" not in refused.text
    assert strict(requests.get(f"{sandbox.url}/_sandbox/journal", timeout=5).text)["entries"]


def test_command_line_prints_url_credentials_and_triggers_and_stops_on_sigterm():
    process = subprocess.Popen([sys.executable, "-m", "smsnb.sandbox", "--service-plan-id", "cli-plan",
                                "--api-token", "cli-token"], stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while not (lines and lines[-1].startswith("Ctrl-C")):
            lines.append(process.stdout.readline().strip())
        text = "\n".join(lines)
        url = next(line.split()[-1] for line in lines if line.startswith("base URL"))
        assert "cli-plan" in text and "cli-token" in text and "403 missing_callback_url" in text
        answer = requests.post(f"{url}/xms/v1/cli-plan/batches", json=OK,
                               headers={"Authorization": "Bearer cli-token"}, timeout=5)
        assert answer.status_code == 201
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        process.kill()


def test_command_line_reports_a_busy_port(sandbox):
    result = subprocess.run([sys.executable, "-m", "smsnb.sandbox", "--port", str(sandbox.port)],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 1
    assert "Pick another --port" in result.stderr and "Traceback" not in result.stderr


def test_a_process_that_never_stops_its_sandbox_still_exits():
    code = ("from smsnb.sandbox import Sandbox; import requests; box = Sandbox().start(); "
            "print(requests.get(box.url + '/_sandbox/triggers', timeout=5).status_code)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0 and result.stdout.strip() == "200"
