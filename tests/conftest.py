import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from smsnb.ipython import settings
from smsnb.sandbox import Clock, Sandbox


@pytest.fixture
def sandbox():
    """A fresh sandbox on an ephemeral port, with a fast clock; stopped after the test."""
    clock = Clock(dispatch_after=0.05, final_after=0.15, callback_retry_after=0.05)
    with Sandbox(slow_seconds=3, clock=clock) as box:
        yield box


class Api:
    """A thin raw-HTTP helper for sandbox tests: no smsnb client code involved."""

    def __init__(self, sandbox, plan=None, token=None):
        self.sandbox = sandbox
        self.plan = plan or sandbox.service_plan_id
        self.token = token or sandbox.api_token
        self.session = requests.Session()

    def url(self, path=""):
        return f"{self.sandbox.url}/xms/v1/{self.plan}/{path}".rstrip("/")

    def headers(self, **extra):
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **extra}

    def send(self, batch=None, *, raw=None, path="batches", **kwargs):
        data = raw if raw is not None else json.dumps(batch)
        return self.session.post(self.url(path), data=data, headers=self.headers(), timeout=10, **kwargs)

    def get(self, path, **kwargs):
        return self.session.get(self.url(path), headers=self.headers(), timeout=10, **kwargs)

    def delete(self, path):
        return self.session.delete(self.url(path), headers=self.headers(), timeout=10)


@pytest.fixture
def api(sandbox):
    return Api(sandbox)


SETTING_VARS = tuple(s.env for s in settings.SETTINGS + settings.SECRETS if s.env)  # every variable read


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No smsnb settings from this machine: no env vars, and an empty working directory."""
    for var in SETTING_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def ip(clean_env):
    """A real IPython shell with smsnb loaded; the embedded sandbox starts on first use."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "smsnb")
    yield shell
    shell.run_line_magic("unload_ext", "smsnb")
    shell.config.pop("SmsMagic", None)  # %config of one test must not reach the next
    shell.user_ns.pop("_", None)


def sms(shell, line, cell=None):
    """Run %sms / %%sms and return what it returned (as `_` would hold)."""
    if cell is None:
        return shell.run_line_magic("sms", line)
    return shell.run_cell_magic("sms", line, cell)


def text_of(value):
    return value._repr_mimebundle_()["text/plain"]


def html_of(value):
    return value._repr_mimebundle_()["text/html"]


def wait_for(predicate, timeout=5.0):
    """Poll until ``predicate()`` is truthy and return its value; fail after ``timeout`` seconds.
    Tests wait for a state rather than sleep a fixed time, so a loaded machine cannot flake them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting")


def final_report(api, batch_id, kind="summary"):
    """The batch's delivery report once every recipient has a final status."""
    def final():
        report = api.get(f"batches/{batch_id}/delivery_report", params={"type": kind}).json()
        done = all(s["status"] not in ("Queued", "Dispatched") for s in report["statuses"])
        return report if done else None
    return wait_for(final)


@pytest.fixture
def stand_in(clean_env):
    """``stand_in(answer)``: a `LocalServer` standing in for live Sinch, with smsnb's live settings
    pointed at it (token "t", plan "p"); closed after the test."""
    servers = []

    def start(answer):
        server = LocalServer(answer)
        servers.append(server)
        clean_env.setenv("SINCH_API_TOKEN", "t")
        clean_env.setenv("SINCH_SERVICE_PLAN_ID", "p")
        clean_env.setenv("SMSNB_BASE_URL", server.url)
        return server

    yield start
    for server in servers:
        server.close()


class LocalServer:
    """A real HTTP server on 127.0.0.1 that is not the sandbox: a callback receiver, or a
    stand-in for Sinch. ``answer(index, path, headers, body)`` gives (status, JSON or None) for
    the index-th POST; every POST is kept in ``requests`` as (path, headers, body text)."""

    def __init__(self, answer):
        self.requests: list[tuple[str, dict, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                index = len(outer.requests)
                outer.requests.append((self.path, dict(self.headers), body))
                status, payload = answer(index, self.path, dict(self.headers), body)
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
