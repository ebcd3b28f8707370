"""The %sms grammar, parsed without any shell."""
import pytest
from IPython.core.error import UsageError

from smsnb.ipython.command import ReportTarget, Send, Subcommand, parse, report_target


def test_line_form():
    cmd = parse('+46701234567 +46701234568 -m "hi there" --from Acme --dry-run --timeout 2.5 --sandbox')
    assert cmd == Send(to=("+46701234567", "+46701234568"), body="hi there", sender="Acme", dry_run=True,
                       timeout=2.5, backend="sandbox")


def test_options_before_recipients():
    assert parse('--live -m hi +46701234567').to == ("+46701234567",)


def test_cell_form_strips_only_trailing_newlines():
    assert parse("+46701234567", "  two\nlines  \n\n").body == "  two\nlines  "


def test_json_form_keeps_the_cell_exactly():
    cell = ' {"to": [}\n'
    assert parse("--json", cell).raw_json == cell


def test_numbers_with_spaces_are_quoted_words():
    assert parse("'+46 70-123 45 67' -m x").to == ("+46 70-123 45 67",)


@pytest.mark.parametrize("line, sub", [
    ("explain missing_callback_url", Subcommand("explain", ("missing_callback_url",))),
    ("errors", Subcommand("errors")),
    ("config", Subcommand("config")),
    ("history 3", Subcommand("history", ("3",), 3)),
    ("sandbox journal 5", Subcommand("sandbox", ("journal", "5"), 5)),
    ("sandbox journal", Subcommand("sandbox", ("journal",))),
    ("login --project p --key-id k --region eu",
     Subcommand("login", ("--project", "p", "--key-id", "k", "--region", "eu"))),
    ("report", Subcommand("report")),
    ("report 2", Subcommand("report", ("2",), 2)),
    ("report --live 01FC66621VHDBN119Z8PMV1QPU",
     Subcommand("report", ("--live", "01FC66621VHDBN119Z8PMV1QPU"))),
])
def test_subcommands(line, sub):
    assert parse(line) == sub


@pytest.mark.parametrize("line, cell", [
    ("", "Hi"), ("+46701234567", None), ("-m x", None), ("+46701234567 -m x --nope", None),
    ("login --project p", None), ("login --password x", None), ("sandbox journal x", None),
    ("errors", "a cell"), ("+46701234567", ""), ("+46701234567", "\n\n"),
    ("history ²", None), ("history ３", None), ("history -1", None), ("history 1000000", None),
    ("sandbox journal ²", None), ("sandbox journal " + "1" * 4301, None), ("sandbox reset 1", None),
    ("+46701234567 -m x " + "9" * 4301, None), ("+46701234567 -m x 'a\nb\x1b[31m'", None),
    ("--json --dry-run", '{"to": ["+46701234567"], "body": "x"}'),
    ("+46701234567 -m x --param name", None), ("+46701234567 -m x --param =x", None),
    ("+46701234567 -m x --param 'a b=x'", None), ("+46701234567 -m x --param 'a${b}=x'", None),
    ("+46701234567 -m x --param a@=x", None), ("+46701234567 -m x --param a=1 --param a=2", None),
    ("+46701234567 -m x --param a@+46701234567=1 --param a@+46701234567=2", None),
    ("+46701234567 -m x --max-parts 0", None), ("+46701234567 -m x --max-parts -1", None),
    ("+46701234567 -m x --max-parts 1.5", None), ("+46701234567 -m x --max-parts ١", None),
    ("+46701234567 -m x --max-parts " + "9" * 4301, None),
    ("+46701234567 -m x --send-at 2030-01-31", None),
    ("+46701234567 -m x --send-at 2030-01-31T09:00:00", None),
    ("+46701234567 -m x --expire-at tomorrow", None), ("+46701234567 -m x --expire-at ''", None),
    ("--json --param a=1", '{"to": ["+46701234567"], "body": "x"}'),
    ("--json --truncate", '{"to": ["+46701234567"], "body": "x"}'),
    ("report 1 2", None), ("report --sandbox", None), ("report 3 --live", None),
    ("report --sandbox --live 01X", None), ("report a/b", None), ("report ²", None), ("report -x", None),
    ("report 1000000", None), ("report 1 2 3", None), ("report", "a cell"),
])
def test_errors(line, cell):
    with pytest.raises(UsageError) as caught:
        parse(line, cell)
    assert "Usage:" in str(caught.value) and "\n" not in str(caught.value) and len(str(caught.value)) < 500
    assert "\x1b" not in str(caught.value)


def test_batch_fields_become_sinch_fields_exactly_as_written():
    cmd = parse("+46701234567 +46701234568 -m 'Hi ${name}, ${code}' --param name=there "
                "--param name@+46701234567=Anna --param code= --max-parts 3 --truncate "
                "--send-at 2030-01-31T09:00:00Z --expire-at 2030-01-31T10:00:00+01:00")
    assert cmd.extra() == {
        "parameters": {"name": {"default": "there", "+46701234567": "Anna"}, "code": {"default": ""}},
        "max_number_of_message_parts": 3, "truncate_concat": True,
        "send_at": "2030-01-31T09:00:00Z", "expire_at": "2030-01-31T10:00:00+01:00"}


def test_without_the_new_options_no_other_field_is_sent():
    assert parse("+46701234567 -m hi").extra() == {}


def test_a_parameter_value_may_hold_equals_and_at_signs():
    cmd = parse("+46701234567 -m '${q}' --param 'q=a=b@c' --param 'q@46701234567=x y'")
    assert cmd.extra()["parameters"] == {"q": {"default": "a=b@c", "46701234567": "x y"}}


@pytest.mark.parametrize("line, problem", [
    ("--param name", "--param takes NAME=VALUE (every recipient) or NAME@MSISDN=VALUE (one recipient), "
                     "not 'name'"),
    ("--param a=1 --param a=2", "--param 'a' is given twice"),
    ("--max-parts 0", "--max-parts takes a whole number from 1 to 999999, not '0'"),
    ("--send-at 2030-01-31", "--send-at takes an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z"),
    ("--expire-at soon", "--expire-at takes an ISO-8601 time with a zone"),
])
def test_a_bad_batch_field_says_the_form_it_takes(line, problem):
    with pytest.raises(UsageError) as caught:
        parse(f"+46701234567 -m hi {line}")
    assert problem in str(caught.value) and "Usage: %sms [options] TO" in str(caught.value)


@pytest.mark.parametrize("words, target", [
    ((), ReportTarget()),
    (("0",), ReportTarget(row=0)),
    (("01FC66621VHDBN119Z8PMV1QPU",), ReportTarget(batch_id="01FC66621VHDBN119Z8PMV1QPU")),
    (("01FC66621VHDBN119Z8PMV1QPU", "--sandbox"),
     ReportTarget(batch_id="01FC66621VHDBN119Z8PMV1QPU", backend="sandbox")),
])
def test_report_targets(words, target):
    assert report_target(words) == target
