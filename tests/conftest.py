import json

import pytest
import requests

from smsnb.sandbox import Clock, Sandbox


@pytest.fixture
def sandbox():
    """A fresh sandbox on an ephemeral port, with a fast clock; stopped after the test."""
    with Sandbox(slow_seconds=3, clock=Clock(dispatch_after=0.05, final_after=0.15, callback_retry_after=0.05)) as box:
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
