"""The delivery-report half of the catalog: every code and status Sinch documents, as data."""
import re
from pathlib import Path

import pytest

from smsnb.knowledge import catalog, delivery

API_MD = Path(__file__).resolve().parents[2] / "shared" / "sinch" / "API.md"


def documented_codes() -> dict[int, str]:
    """code -> status, from API.md's table of Sinch's own delivery-report codes."""
    if not API_MD.exists():
        pytest.skip("shared/sinch/API.md is not beside the checkout")
    section = API_MD.read_text().split("## Delivery reports", 1)[1]
    rows = re.findall(r"^\| (\d+) \| [^|]+\| `(\w+)` \|", section, re.M)
    return {int(code): status for code, status in rows}


def test_every_documented_code_has_an_entry_with_its_status():
    documented = documented_codes()
    assert set(documented) == {0, *range(400, 409), *range(410, 414)}
    for number, status in documented.items():
        entry = delivery.code(number)
        assert entry.sinch_code and entry.status == status, number
        assert entry.meaning and entry.causes and entry.steps and entry.doc_url.startswith("https://")


@pytest.mark.parametrize("name", delivery.FINAL + delivery.INTERMEDIATE)
def test_every_status_has_an_entry(name):
    entry = delivery.status(name.lower())
    assert entry.name == name and entry.final == (name in delivery.FINAL) and entry.steps
    assert entry.failed == (name in delivery.FINAL and name != "Delivered")


def test_a_carrier_code_is_kept_with_its_number_and_status():
    entry = delivery.code(88, "Rejected")
    assert (entry.code, entry.status, entry.sinch_code) == (88, "Rejected", False)
    assert "88" in entry.name and "Rejected" in entry.headline
    assert delivery.code(12345, None).status == "Unknown"


def test_delivery_keys_never_collide_with_request_time_keys():
    request_keys = {entry.key for entry in catalog.ENTRIES}
    delivery_keys = {entry.key for entry in delivery.CODES + delivery.STATUSES}
    assert not request_keys & delivery_keys
    assert delivery.get("405").name == "Unmatched parameter"
    assert catalog.get("http_405").title == "Method not allowed"
    assert delivery.get("delivery_405") is delivery.get("405")
    assert delivery.get("status_aborted").name == "Aborted"
    assert delivery.get("http_405") is None and delivery.get("999") is None


def test_fixable_codes_name_the_fields_a_fix_touches():
    assert delivery.code(405).fields[0] == "parameters"
    assert "max_number_of_message_parts" in delivery.code(411).fields
    assert delivery.code(410).fields == ("from",) and "expire_at" in delivery.code(406).fields
    assert delivery.code(404).resend_helps and not delivery.code(402).resend_helps
