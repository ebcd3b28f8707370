"""How outcomes are shown: registers the renderers and the widget card with `outcome`.

Imported with the card layer (see ``smsnb/card/__init__.py``), so any Result displays as a card.
"""
from __future__ import annotations

from . import outcome, render


def bundle(result: outcome.Result) -> dict:
    """Text (stable, for nbval and terminals), static HTML, and in a kernel the widget card."""
    shown = {"text/plain": render.result_text(result), "text/html": str(render.result_html(result))}
    if result.session is not None and _in_kernel():
        shown.update(result.widget()._repr_mimebundle_())
        shown["text/plain"] = render.result_text(result)  # ours, not the widget's repr
    return shown


def widget(result: outcome.Result):
    from .widgets import card_for  # ipywidgets loads with the first card, not with the extension

    return card_for(result)


def _in_kernel() -> bool:
    """True in a Jupyter kernel (a widget frontend may be listening); False in terminal IPython."""
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


outcome.register(bundle=bundle, widget=widget)
