"""Defects found by an adversarial pass over %sms explain and the line grammar: each test failed
before its fix."""

import pytest
from conftest import sms
from IPython.core.error import UsageError


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
