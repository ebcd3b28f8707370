"""The ``sinch_sandbox`` pytest fixture, installed with smsnb (entry point ``pytest11``): a running
sandbox for tests of your own code that calls Sinch's SMS API, as moto is for AWS.

    def test_my_code_sends_one_sms(sinch_sandbox):
        notify(base_url=sinch_sandbox.url, service_plan_id=sinch_sandbox.service_plan_id,
               api_token=sinch_sandbox.api_token)
        sent = [e for e in sinch_sandbox.journal.entries() if e["method"] == "POST"]
        assert [e["status"] for e in sent] == [201]

Each test gets a fresh sandbox on its own port (starting one takes milliseconds): nothing sent,
journaled or received by one test is seen by the next. Settings: the ``sinch_sandbox`` marker
(``@pytest.mark.sinch_sandbox(slow_seconds=1)``) for one test, or override the
``sinch_sandbox_settings`` fixture (in a conftest.py, module or class) for many; both take the
keyword arguments of `smsnb.sandbox.Sandbox`.
"""
from __future__ import annotations

import pytest

MARKER = "sinch_sandbox"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(**settings): keyword arguments for this test's "
                                       "sinch_sandbox (those of smsnb.sandbox.Sandbox)")


@pytest.fixture
def sinch_sandbox_settings() -> dict:
    """Keyword arguments of every ``sinch_sandbox`` (smsnb.sandbox.Sandbox's); override to change."""
    return {}


@pytest.fixture
def sinch_sandbox(request, sinch_sandbox_settings):
    """A running smsnb sandbox (``url``, ``credentials``, ``journal``, ``received_callbacks``),
    fresh for this test and stopped after it."""
    from .server import Sandbox

    marker = request.node.get_closest_marker(MARKER)
    settings = {**sinch_sandbox_settings, **(marker.kwargs if marker is not None else {})}
    with Sandbox(**settings) as sandbox:
        yield sandbox
