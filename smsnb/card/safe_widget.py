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


def close_tree(widgets) -> None:
    """Close each widget, then all that is inside it, its layout and its style. ipywidgets closes a
    box alone: its children would stay open in the kernel's registry until the kernel ends. The
    widget first: its own close stops what it runs (a countdown, a poller) before its parts go."""
    for widget in widgets:
        widget.close()
        close_tree(getattr(widget, "children", ()))
        for model in (getattr(widget, "layout", None), getattr(widget, "style", None)):
            if isinstance(model, w.Widget):
                model.close()
