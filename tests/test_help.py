"""A bare %sms, and %sms help, answer with how to use %sms: never an error about a missing body."""
import pytest
from IPython.core.error import UsageError

from smsnb.card.outcome import Message
from smsnb.ipython import command
from tests.conftest import html_of, sms, text_of


@pytest.mark.parametrize("line", ["", "   ", "help"])
def test_a_bare_sms_or_help_shows_the_usage_and_sends_nothing(ip, line):
    answer = sms(ip, line)
    assert isinstance(answer, Message)
    text = text_of(answer)
    for needle in ('%sms +46701234567 -m "Hello"', "%%sms +46701234567", "%sms explain CODE",
                   "%sms errors", "%sms login", "%sms help", "%sms? lists every option"):
        assert needle in text, needle
    assert "No message body" not in text
    assert "&lt;" not in text and "%sms explain CODE" in html_of(answer)
    assert "No requests yet" in text_of(sms(ip, "history"))  # nothing was sent


def test_a_cell_with_no_line_still_asks_for_recipients():
    with pytest.raises(UsageError, match="No recipient"):
        command.parse("", "Hello")


def test_help_takes_no_arguments():
    with pytest.raises(UsageError, match="Usage: %sms help"):
        command.parse("help me", None)


@pytest.mark.parametrize("line", ["-h", "--help"])
def test_the_usual_help_flags_show_the_usage(ip, line):
    assert "%sms? lists every option" in text_of(sms(ip, line))


@pytest.mark.parametrize("cell", ["", "\n\n", "   ", " \t \n"])
def test_a_cell_of_only_spaces_is_refused_as_empty(cell):
    with pytest.raises(UsageError, match="The cell is empty"):
        command.parse("+46701234567", cell)
