"""Dry-run arithmetic: GSM-7 and UCS-2, single and multi-part, extension characters."""
import pytest

from smsnb.knowledge import encoding
from smsnb.sandbox import triggers


@pytest.mark.parametrize("body, coding, parts", [
    ("a" * 160, "text", 1),
    ("a" * 161, "text", 2),
    ("a" * 306, "text", 2),
    ("a" * 307, "text", 3),
    ("€" * 80, "text", 1),       # extension characters count twice: 160 septets
    ("€" * 81, "text", 2),
    ("[" * 80 + "a", "text", 2),
    ("ü" * 70, "text", 1),       # ü is in the GSM-7 basic set
    ("“" * 70, "unicode", 1),
    ("“" * 71, "unicode", 2),
    ("“" * 134, "unicode", 2),
    ("“" * 135, "unicode", 3),
    ("😀" * 35, "unicode", 1),   # an emoji takes two UTF-16 units
    ("😀" * 36, "unicode", 2),
])
def test_parts_and_encoding(api, body, coding, parts):
    response = api.send({"to": [triggers.ORDINARY_MOBILE], "body": body}, path="batches/dry_run",
                        params={"per_recipient": "true"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["number_of_recipients"] == 1 and answer["number_of_messages"] == parts
    assert answer["per_recipient"][0]["encoding"] == coding
    assert answer["per_recipient"][0]["number_of_parts"] == parts
    assert (encoding.encode(body).encoding, encoding.encode(body).parts) == (coding, parts)


def test_escape_pair_never_straddles_two_parts():
    # 306 septets would fit two 153-septet parts, but after 152 'a' the euro's escape pair
    # does not fit into the one septet left: it opens part 2, and the tail spills into part 3.
    assert encoding.encode("a" * 152 + "€" + "b" * 152).parts == 3
    assert encoding.encode("a" * 151 + "€" + "b" * 153).parts == 2


def test_the_characters_that_force_unicode_are_named():
    assert encoding.encode("It’s “fine” 😀").forcing_unicode == ("’", "“", "”", "😀")


def test_dry_run_counts_all_recipients_and_personalizes(api):
    to = [triggers.ORDINARY_MOBILE, "+46701234568"]
    batch = {"to": to, "body": "Hi ${name}",
             "parameters": {"name": {"+46701234567": "Ann", "default": "there"}}}
    answer = api.send(batch, path="batches/dry_run",
                      params={"per_recipient": "true", "number_of_recipients": 1}).json()
    assert answer["number_of_recipients"] == 2 and answer["number_of_messages"] == 2
    assert answer["per_recipient"] == [{"recipient": "46701234567", "number_of_parts": 1, "body": "Hi Ann",
                                        "encoding": "text"}]
    without = api.send(batch, path="batches/dry_run").json()
    assert "per_recipient" not in without


def test_dry_run_validates_like_a_send(api):
    response = api.send({"to": ["+1"], "body": "x"}, path="batches/dry_run")
    assert response.status_code == 400 and response.json()["code"] == "syntax_invalid_parameter_format"
    assert api.send({"to": ["+46701234567"], "body": "x"}, path="batches/dry_run",
                    params={"per_recipient": "tru"}).status_code == 400
    assert api.get("batches").json()["count"] == 0  # a dry run sends nothing
