"""The catalog covers every code Sinch documents and every outcome the sandbox can produce."""
import re
from pathlib import Path

import pytest

from smsnb.knowledge import catalog
from smsnb.sandbox import TRIGGERS

API_MD = Path(__file__).resolve().parents[2] / "shared" / "sinch" / "API.md"


def test_every_entry_is_complete():
    for entry in catalog.ENTRIES:
        assert entry.title and entry.meaning and entry.causes and entry.steps, entry.key
        assert entry.doc_url.startswith("https://"), entry.key
        assert all(text.strip() for text in entry.causes + entry.steps), entry.key


def test_keys_are_unique_and_lookups_find_them():
    keys = [entry.key for entry in catalog.ENTRIES]
    assert len(keys) == len(set(keys))
    for entry in catalog.ENTRIES:
        assert catalog.get(entry.key) is entry


def test_every_code_in_api_md_has_an_entry():
    if not API_MD.exists():
        pytest.skip("shared/sinch/API.md is not beside the checkout")
    documented = set(re.findall(r"^\| (?:400|403) \| `([a-z_]+)` \|", API_MD.read_text(), re.M))
    assert len(documented) == 8
    assert documented <= set(catalog.SINCH_CODES)


@pytest.mark.parametrize("status", [401, 404, 405, 413, 415, 429, 500, 503])
def test_http_statuses_have_their_own_entry(status):
    assert catalog.lookup(status=status).key == f"http_{status}"


def test_404_lists_the_three_usual_reasons():
    causes = " ".join(catalog.get("http_404").causes).lower()
    assert "mistyped" in causes and "no longer available" in causes and "no time to load" in causes


@pytest.mark.parametrize("key", ["connection_refused", "dns_failure", "tls_failure", "timeout_connect",
                                 "timeout_read", "connection_dropped"])
def test_transport_failures_have_entries(key):
    assert catalog.get(key) is not None


def test_read_timeout_says_the_sms_may_have_been_sent_and_is_not_retryable():
    entry = catalog.get("timeout_read")
    assert entry.may_have_been_sent and not entry.retryable and "may have been sent" in entry.title


def test_unknown_code_and_status_fall_back_and_keep_the_code():
    entry = catalog.lookup("brand_new_code", 403)
    assert entry.key == "brand_new_code" and entry.status == 403
    assert entry.meaning == catalog.UNKNOWN_CODE.meaning
    assert catalog.lookup(status=418) is catalog.UNKNOWN_STATUS



@pytest.mark.parametrize("status", [501, 502, 504, 520, 599])
def test_an_undocumented_5xx_may_have_sent_the_sms(status):
    """Only Sinch's own 500 and 503 say the request was not processed; a gateway's 502 or 504 may
    come after Sinch took it, so its card looks first instead of offering a plain retry."""
    entry = catalog.lookup(status=status)
    assert entry.key == "gateway_error" and entry.may_have_been_sent and not entry.retryable
    assert not catalog.lookup(status=500).may_have_been_sent
    assert not catalog.lookup(status=503).may_have_been_sent


def test_sandbox_can_produce_nothing_the_catalog_lacks():
    for trigger in TRIGGERS:
        if trigger.code:
            assert trigger.code in catalog.SINCH_CODES, trigger
        elif trigger.status and trigger.status >= 400:
            assert catalog.lookup(status=trigger.status).key == f"http_{trigger.status}", trigger


def test_did_you_mean():
    assert catalog.suggest("missing_calback_url") == ["missing_callback_url"]


BEFORE_SENDING = {"connection_refused", "dns_failure", "tls_failure", "timeout_connect", "invalid_credential"}
NOTHING_SENT = ("nothing was sent", "no request was sent", "request was not sent", "never reached",
                "never left", "sent nothing")


def test_only_failures_proven_before_sending_say_nothing_was_sent():
    assert catalog.get("transport_failed").may_have_been_sent  # what an unclassified failure becomes
    for entry in catalog.ENTRIES:
        assert not (entry.retryable and entry.may_have_been_sent), entry.key
        if entry.status is not None or entry is catalog.UNKNOWN_CODE or entry is catalog.UNKNOWN_STATUS:
            continue
        words = " ".join((entry.title, entry.meaning) + entry.causes + entry.steps).lower()
        assert any(phrase in words for phrase in NOTHING_SENT) == (entry.key in BEFORE_SENDING), entry.key
        assert entry.may_have_been_sent == (entry.key not in BEFORE_SENDING), entry.key


def test_every_error_class_names_an_entry_and_keeps_its_promise():
    from smsnb.sinch import errors

    for cls in (errors.ConnectionRefused, errors.DnsError, errors.TlsError, errors.ConnectTimeout,
                errors.ReadTimeout, errors.ConnectionDropped, errors.TransportFailed, errors.BadResponse,
                errors.InvalidCredential):
        error = cls("x")
        assert catalog.get(cls.kind) is catalog.entry_for(error)
        assert error.may_have_been_sent == (cls.kind not in BEFORE_SENDING), cls


def test_each_entry_names_a_form_that_keeps_its_promise():
    """Only what may have sent the SMS looks first; only what is safe to send again offers a retry."""
    resends = {catalog.FormKind.RETRY, catalog.FormKind.COUNTDOWN}
    for entry in catalog.ENTRIES:
        assert (entry.form is catalog.FormKind.LOOK_FIRST) == entry.may_have_been_sent, entry.key
        assert (entry.form in resends) == entry.retryable, entry.key
