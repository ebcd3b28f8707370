"""The %sms grammar, parsed without any shell."""
import pytest
from IPython.core.error import UsageError

from smsnb.ipython.command import Send, Subcommand, parse


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
])
def test_subcommands(line, sub):
    assert parse(line) == sub


@pytest.mark.parametrize("line, cell", [
    ("", None), ("+46701234567", None), ("-m x", None), ("+46701234567 -m x --nope", None),
    ("login --project p", None), ("login --password x", None), ("sandbox journal x", None),
    ("errors", "a cell"), ("+46701234567", ""), ("+46701234567", "\n\n"),
    ("history ²", None), ("history ３", None), ("history -1", None), ("history 1000000", None),
    ("sandbox journal ²", None), ("sandbox journal " + "1" * 4301, None), ("sandbox reset 1", None),
    ("+46701234567 -m x " + "9" * 4301, None), ("+46701234567 -m x 'a\nb\x1b[31m'", None),
    ("--json --dry-run", '{"to": ["+46701234567"], "body": "x"}'),
])
def test_errors(line, cell):
    with pytest.raises(UsageError) as caught:
        parse(line, cell)
    assert "Usage:" in str(caught.value) and "\n" not in str(caught.value) and len(str(caught.value)) < 500
    assert "\x1b" not in str(caught.value)
