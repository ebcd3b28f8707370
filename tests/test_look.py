"""The static cards' look: every colour from the theme, one table style (text left, numbers right),
and their wording (real plurals, "Hint:", the batch id, each number as the user typed it)."""
import configparser
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from smsnb.card import render, report, theme
from smsnb.card.outcome import Result
from smsnb.card.table import alignments, table_html, table_text, width
from smsnb.card.words import plural
from smsnb.ipython import explaining, reporting
from smsnb.ipython.foreign_errors import _pasted
from smsnb.knowledge import catalog
from smsnb.sinch.client import Reply
from smsnb.sinch.parse import error_from_answer
from smsnb.sinch.request import SentRequest, SmsRequest

BATCH_ID = "01KB7ZQ3M4N5P6R7S8T9V0W1X2"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(|\b(?:red|green|white|black|gr[ae]y|yellow|blue)\b")
# Every colour a card may name: the theme's own, each var(--jp-...) with its fallback.
THEMED = sorted({theme.TEXT, theme.SURFACE, theme.RULE, theme.LINK, theme.ADDED, theme.REMOVED, theme.MARKED,
                 *(o.value for o in theme.Outcome)}, key=len, reverse=True)


def wire(request: SmsRequest) -> SentRequest:
    return SentRequest("POST", "http://127.0.0.1:9/xms/v1/plan/batches", {}, request.to_json())


def sent(*to: str, hints=()) -> Result:
    request = SmsRequest(to, "Hej!")
    answer = {"id": BATCH_ID, "to": [n.lstrip("+") for n in to], "body": "Hej!", "delivery_report": "none"}
    return Result("SANDBOX", "send", request, reply=Reply(201, answer, {}, wire(request), 0.1), hints=hints)


def dry_run(rows: list[dict], recipients: int, parts: int, *to: str) -> Result:
    request = SmsRequest(to, "Hi ${name}")
    answer = {"number_of_recipients": recipients, "number_of_messages": parts, "per_recipient": rows}
    reply = Reply(200, answer, {}, wire(request), 0.1)
    return Result("SANDBOX", "dry_run", request, reply=reply, hints=("h",))


def failed(status: int, body: dict, *to: str) -> Result:
    request = SmsRequest(to or ("+46701234567",), "Hej!")
    error = error_from_answer(status, {"Content-Type": "application/json"}, json.dumps(body).encode(),
                              wire(request))
    return Result("SANDBOX", "send", request, error=error, hints=("a hint",))


def row(recipient: str, parts: int = 1, body: str = "Hi ${name}", encoding: str = "text") -> dict:
    return {"recipient": recipient, "number_of_parts": parts, "encoding": encoding, "body": body}


BAD_NUMBER = {"code": "syntax_invalid_parameter_format",
              "text": "The format of parameter 'to[0]' is invalid; value '0701234567' is not a valid MSISDN."}
NO_CALLBACK = {"code": "missing_callback_url", "text": "Requesting delivery report without any callback URL."}
REPORT = {"statuses": [{"code": 402, "status": "Aborted", "count": 1, "recipients": ["46700000402"]},
                       {"code": 0, "status": "Delivered", "count": 12, "recipients": ["46701234567"]}]}


def every_card() -> dict[str, str]:
    """The HTML of every kind of static card and table smsnb shows."""
    entry = catalog.get("missing_callback_url")
    shown = {
        "error": render.result_html(failed(400, BAD_NUMBER, "0701234567")),
        "error 403": render.result_html(failed(403, NO_CALLBACK)),
        "success": render.result_html(sent("+46701234567", hints=("a hint",))),
        "dry run": render.result_html(dry_run([row("46701234567", body="Hi Ada 😀", encoding="unicode")],
                                              1, 1, "+46701234567")),
        "explain": render.entry_html(entry),
        "explain pasted": _pasted(json.dumps(NO_CALLBACK), None).html,
        "meanings": explaining.explain("405").html,
        "errors": explaining.errors().html,
        "report": reporting.report_message("SANDBOX", BATCH_ID, REPORT, None).html,
        "table": table_html(["#", "name"], [[1, "a"]]),
    }
    return {name: str(value) for name, value in shown.items()}


class Styles(HTMLParser):
    """Each element's tag, its style declarations ({property: value}) and its other attributes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        declarations = (d.split(":", 1) for d in (attributes.get("style") or "").split(";") if ":" in d)
        self.elements.append((tag, {k.strip(): v.strip() for k, v in declarations}, attributes))


def declarations(text: str):
    for _tag, style, attributes in Styles(text).elements:
        yield from ((name, value, attributes) for name, value in style.items())


def unthemed(value: str) -> str:
    """``value`` with every colour of the theme taken out: what is left names no colour of ours."""
    for themed in THEMED:
        value = value.replace(themed, "")
    return re.sub(r"var\(--jp-[\w-]+\)", "", value)


# --- item 1: the theme's colours only -----------------------------------------------------------

@pytest.mark.parametrize("kind", list(every_card()))
def test_every_colour_of_every_card_comes_from_the_theme(kind):
    shown = every_card()[kind]
    for badge in (theme.badge("SANDBOX"), theme.badge("LIVE")):  # the badge's two colours are its own
        shown = shown.replace(str(badge), "")
    checked = 0
    for name, value, _ in declarations(shown):
        if "color" in name or "background" in name or name.startswith("border"):
            assert not COLOUR.search(unthemed(value)), (kind, name, value)
            checked += 1
    assert checked, kind


@pytest.mark.parametrize("kind", list(every_card()))
def test_a_background_comes_with_a_text_colour_that_reads_on_it(kind):
    for tag, style, attributes in Styles(every_card()[kind]).elements:
        if "background" in style and attributes.get("aria-hidden") != "true":  # a dot holds no text
            assert "color" in style, (kind, tag, style)


@pytest.mark.parametrize(("result", "outcome"), [
    (failed(403, NO_CALLBACK), theme.Outcome.ERROR),
    (sent("+46701234567"), theme.Outcome.SUCCESS),
    (dry_run([row("46701234567")], 1, 1, "+46701234567"), theme.Outcome.SUCCESS),
])
def test_a_card_is_framed_in_its_outcomes_colour_at_the_cards_width(result, outcome):
    tag, style, attributes = Styles(render.result_html(result)).elements[0]
    assert tag == "div" and attributes["style"] == theme.frame(outcome)
    assert style["max-width"] == theme.CARD_WIDTH and style["border-left"] == f"5px solid {outcome.value}"


def test_the_explain_card_is_framed_neutral_with_a_styled_link_and_code():
    shown = str(render.entry_html(catalog.get("missing_callback_url")))
    assert Styles(shown).elements[0][2]["style"] == theme.frame(theme.Outcome.NEUTRAL)
    assert f'style="{theme.LINK_STYLE}"' in shown and f'style="{theme.CODE_INLINE}"' in shown
    assert shown.count("<div") == shown.count("</div>")


def test_a_pasted_answer_is_quoted_inside_the_explain_card():
    shown = str(_pasted(json.dumps(NO_CALLBACK), None).html)
    assert shown.startswith('<div class="smsnb-card smsnb-explain"')
    assert f'<blockquote style="{theme.QUOTE}">Sinch says: “Requesting delivery report' in shown


def test_the_request_is_a_code_block_and_its_offending_line_is_marked_in_the_themes_colours():
    shown = str(render.request_html(failed(400, BAD_NUMBER, "0701234567")))
    assert f'<pre style="{theme.CODE_BLOCK}">' in shown
    marked = [style for tag, style, _ in Styles(shown).elements if style.get("background") == theme.MARKED]
    assert len(marked) == 1 and marked[0]["color"] == theme.TEXT
    assert re.search(r'<mark style="[^"]*">\s*&#34;0701234567&#34;</mark>', shown)


# --- item 6: one table style ------------------------------------------------------------------

@pytest.mark.parametrize(("rows", "expected"), [
    ([[1, "a", 2.5, "403"], [22, "b", 10.0, "12"]], ["right", "left", "right", "right"]),
    ([[1, "x"], ["", None], [None, ""]], ["right", "left"]),  # empty cells do not decide
    ([["", ""], [None, None]], ["left", "left"]),  # a column of nothing is text
    ([[True, "1 2"], [False, "1.5x"]], ["left", "left"]),  # a bool is not a number, nor "1 2"
    ([["-3", "+46701234567"], ["7", "46701234567"]], ["right", "left"]),  # a number with + is text
    ([[1], [2, "extra"]], ["right", "left"]),  # a short row has empty cells
])
def test_a_column_is_right_aligned_when_every_cell_in_it_is_a_number(rows, expected):
    assert alignments(len(expected), rows) == expected


def test_a_text_table_pads_numbers_on_the_left_and_text_on_the_right():
    assert table_text(["#", "name", "status"], [[1, "ok", ""], [10, "a longer one", 403]]).split("\n") == [
        " #  name          status",
        "--  ------------  ------",
        " 1  ok",
        "10  a longer one     403",
    ]


def test_a_text_table_counts_a_wide_character_as_two_columns():
    assert width("😀a") == 3 and width("é") == 1 and width("e\u0301") == 1
    lines = table_text(["x", "y"], [["😀", "a"], ["bb", "c"]]).split("\n")
    assert width(lines[2][:lines[2].index("a")]) == width(lines[3][:lines[3].index("c")]) == 4


def test_an_html_table_aligns_each_header_with_its_column_and_rules_under_the_header():
    shown = table_html(["#", "name"], [[1, "a"], [2, "b"]])
    cells = [(tag, style) for tag, style, _ in Styles(shown).elements if tag in ("th", "td")]
    assert [(tag, style["text-align"]) for tag, style in cells] == [
        ("th", "right"), ("th", "left"), ("td", "right"), ("td", "left"), ("td", "right"), ("td", "left")]
    for tag, style in cells:
        assert style["padding"]
        assert (style.get("border-bottom") == f"1px solid {theme.RULE}") == (tag == "th")


def test_every_table_of_smsnb_has_one_style():
    for kind in ("dry run", "meanings", "errors", "report", "table"):
        tables = [style for tag, style, _ in Styles(every_card()[kind]).elements if tag == "table"]
        assert tables and all(style == tables[0] for style in tables), kind
        assert "smsnb-table" in every_card()[kind]


def test_numbers_in_the_errors_table_and_the_report_are_right_aligned():
    errors = explaining.errors().text.split("\n")
    assert errors[1] == "status  key" + errors[1][11:] and errors[3].startswith("   400  ")
    shown = every_card()["report"]
    counts = [style for tag, style, _ in Styles(shown).elements if style.get("text-align") == "right"]
    assert len(counts) == 3  # the header "messages" and the two counts
    assert ">12</td>" in shown


def test_the_dry_run_is_one_table_in_text_and_html_with_only_the_columns_it_uses():
    plain = dry_run([row("46701234567"), row("46701234568", parts=12)], 2, 13, "+46701234567", "+46701234568")
    text = render.result_text(plain).split("\n")
    assert text[1:5] == ["  recipient     parts  encoding", "  ------------  -----  ------------",
                         "  +46701234567      1  text (GSM-7)", "  +46701234568     12  text (GSM-7)"]
    shown = str(render.result_html(plain))
    assert shown.count("<table") == 1 and "forced by" not in shown and "its own text" not in shown


# --- item 8: wording ----------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "expected"), [
    (1, "1 recipient"), (2, "2 recipients"), (0, "0 recipients"), ("1", "1 recipient"),
    (True, "True recipients"), ("many\x1b", "many\\x1b recipients"),
])
def test_plural_says_a_real_plural(count, expected):
    assert plural(count, "recipient") == expected


@pytest.mark.parametrize(("recipients", "parts", "expected"), [
    (1, 1, "1 recipient, 1 message part"), (2, 3, "2 recipients, 3 message parts"),
])
def test_the_dry_run_says_real_plurals(recipients, parts, expected):
    result = dry_run([row("46701234567", parts=parts)], recipients, parts, "+46701234567")
    assert f"dry run · {expected} · nothing sent" in render.result_text(result)
    assert f"<b>dry run</b>: {expected}, nothing sent" in render.result_html(result)


@pytest.mark.parametrize("kind", list(every_card()))
def test_no_card_says_a_plural_in_brackets(kind):
    assert "(s)" not in re.sub(r"http\(s\)", "", every_card()[kind])


def test_no_text_card_says_a_plural_in_brackets_or_a_lower_case_hint():
    texts = [render.result_text(failed(400, BAD_NUMBER, "0701234567")),
             render.result_text(sent("+46701234567")),
             render.result_text(dry_run([row("46701234567", parts=2)], 1, 2, "+46701234567")),
             report.report_text(report.groups(REPORT)), explaining.errors().text]
    for text in texts:
        assert "(s)" not in text.replace("http(s)", "") and "hint:" not in text
    assert "\nHint: a hint\n" in texts[0] and "\n  Hint: h" in texts[2]
    assert "1 message to +46700000402" in texts[3] and "12 messages to +46701234567" in texts[3]


def test_the_success_text_card_gives_the_batch_id_and_nbval_masks_it():
    text = render.result_text(sent("+46701234567"))
    assert f"  batch id: {BATCH_ID}" in text.split("\n")
    config = configparser.ConfigParser()
    config.read(Path(__file__).parents[1] / "notebooks" / "sanitize.cfg")
    masked = text
    for section in config.sections():
        masked = re.sub(config[section]["regex"], config[section]["replace"], masked)
    assert BATCH_ID not in masked and "batch id: BATCH-ID" in masked


def test_an_answer_without_a_batch_id_says_so():
    result = sent("+46701234567")
    del result.reply.data["id"]
    assert "  batch id: (none in the answer)" in render.result_text(result)


def test_each_recipient_is_shown_as_the_user_typed_it():
    payload = {"to": ["+46701234567", "46701234568"]}
    assert render.as_typed(["46701234567", "46701234568", "01GROUPID"], payload) \
        == ["+46701234567", "46701234568", "01GROUPID"]
    assert render.as_typed(["46701234567", 5], None) == ["46701234567", 5]
    result = dry_run([row("46701234567"), row("46701234568")], 2, 2, "+46701234567", "+46701234568")
    assert "  +46701234567      1" in render.result_text(result)
    assert ">+46701234568</td>" in render.result_html(result)
    success = sent("+46701234567", "+46701234568")
    assert "  to: +46701234567, +46701234568" in render.result_text(success)
    assert "to +46701234567, +46701234568" in render.result_html(success)


def test_the_fields_to_change_are_said_plainly():
    entry = catalog.get("missing_callback_url")
    assert "\nFields to change: callback_url, delivery_report\n" in render.entry_text(entry)
    assert "Fields to change: <code" in render.entry_html(entry)


def test_a_table_cell_is_escaped_unless_it_is_markup_built_by_the_card():
    shown = str(table_html(["<b>h</b>"], [["<script>x</script>"], [render.code_html("<i>")]]))
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "&lt;b&gt;h&lt;/b&gt;" in shown
    assert f'<code style="{theme.CODE_INLINE}">&lt;i&gt;</code>' in shown


def test_the_illegal_number_type_card_says_the_numbers_type_once(ip):
    from tests.conftest import sms as send

    one = send(ip, "+46812345678 -m hi")
    assert one.error.key == "illegal_number_type" and "fixed line" in one.error.text
    assert "Hint" not in render.error_text(one) and "Hint" not in str(render.error_html(one))
    assert one.hints  # the hint is there; the card leaves it out
    two = send(ip, "+46812345678 +46812345679 -m hi")  # Sinch names the first; the second keeps its hint
    shown = render.error_text(two)
    assert "+46812345679 is a fixed-line number" in shown and "Hint: +46812345678" not in shown
