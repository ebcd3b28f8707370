"""The HTML widget of the cards: it shows any value that is not Markup as text."""
from __future__ import annotations

import ipywidgets as w
from traitlets import validate

from .safe import escape


class SafeHTML(w.HTML):
    """An HTML widget that shows any value that is not Markup as text: escaping is its default."""

    @validate("value")
    def _escape_unless_markup(self, proposal):
        return str(escape(proposal["value"]))


def html_part(value: str, css: str) -> SafeHTML:
    """A SafeHTML part of a card, found by its ``smsnb-*`` CSS class."""
    part = SafeHTML(value)
    part.add_class(css)
    return part
