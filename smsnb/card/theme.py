"""The cards' look: JupyterLab's own theme variables, each with a fallback for a frontend that has
none (GitHub, nbviewer, VS Code, a saved HTML file).

One rule keeps every theme readable: text is never coloured by the outcome. JupyterLab's error and
success colours read at 4.5:1 on one theme and fall under it on the other (red-700 on #111 is
2.8:1), so the outcome's colour goes to frames, bars and dots, and text keeps the theme's content
colour. A background a card sets always comes with the text colour that reads on it.
"""
from __future__ import annotations

from enum import Enum

from .safe import Markup, html

FONT = "var(--jp-content-font-family, system-ui, -apple-system, 'Segoe UI', sans-serif)"
FONT_SIZE = "var(--jp-content-font-size1, 13px)"
CODE_FONT = "var(--jp-code-font-family, SFMono-Regular, Menlo, Consolas, monospace)"
CODE_SIZE = "var(--jp-code-font-size, 13px)"
TEXT = "var(--jp-content-font-color1, inherit)"
SURFACE = "var(--jp-layout-color2, #eeeeee)"  # behind code, the request and the diff
RULE = "var(--jp-border-color1, #bdbdbd)"  # quotes and table rules
LINK = "var(--jp-content-link-color, #0d47a1)"
CARD_WIDTH = "60em"
_PADDING, _MARGIN = "8px 12px", "4px 0"  # a card's, static or live
# Translucent, so that the theme's text reads on them in light and dark alike.
ADDED = "rgba(46, 160, 67, 0.22)"
REMOVED = "rgba(248, 81, 73, 0.22)"
MARKED = "rgba(255, 200, 0, 0.3)"  # white on it over dark grey: 5.3:1
# A badge sets both its colours: white on these reads at 5:1 or more on any page.
BADGE = {"SANDBOX": "#3b6ea8", "LIVE": "#a34c1b"}
BADGE_OTHER = "#616161"


class Outcome(Enum):
    """What a card is about; its value is the colour of its frame and dots."""

    ERROR = "var(--jp-error-color1, #d32f2f)"
    SUCCESS = "var(--jp-success-color1, #388e3c)"
    WARNING = "var(--jp-warn-color1, #f57c00)"
    NEUTRAL = "var(--jp-border-color1, #9e9e9e)"


def frame(outcome: Outcome) -> str:
    """The inline style of a card's frame: a border of the outcome's colour, the theme's text."""
    return (f"box-sizing:border-box;border:1px solid {outcome.value};border-left:5px solid {outcome.value};"
            f"border-radius:4px;padding:{_PADDING};margin:{_MARGIN};max-width:{CARD_WIDTH};"
            f"font-family:{FONT};font-size:{FONT_SIZE};color:{TEXT}")


def frame_layout(outcome: Outcome) -> dict[str, str]:
    """The same frame as `frame`, as the keyword arguments of an ipywidgets Layout."""
    side = f"1px solid {outcome.value}"
    return {"border_top": side, "border_right": side, "border_bottom": side,
            "border_left": f"5px solid {outcome.value}", "padding": _PADDING, "margin": _MARGIN,
            "max_width": CARD_WIDTH}


CODE_BLOCK = (f"margin:4px 0;padding:4px 6px;background:{SURFACE};color:{TEXT};font-family:{CODE_FONT};"
              f"font-size:{CODE_SIZE};white-space:pre-wrap;overflow-wrap:anywhere")
CODE_INLINE = f"font-family:{CODE_FONT};font-size:{CODE_SIZE};background:{SURFACE};color:{TEXT};padding:0 3px"
LINK_STYLE = f"color:{LINK};text-decoration:underline"
QUOTE = f"margin:6px 0;padding-left:8px;border-left:3px solid {RULE};color:{TEXT}"


def dot(outcome: Outcome) -> Markup:
    """A small disc of the outcome's colour, beside words that say the same (never instead)."""
    return html('<span aria-hidden="true" style="display:inline-block;width:0.7em;height:0.7em;'
                'border-radius:50%;margin-right:0.35em;vertical-align:baseline;background:{}"></span>',
                outcome.value)


def badge(backend: str) -> Markup:
    """SANDBOX or LIVE, as a label whose two colours are its own."""
    return html('<span class="smsnb-badge" style="background:{};color:#fff;border-radius:3px;'
                'padding:1px 6px;font-size:11px;font-weight:600">{}</span>',
                BADGE.get(backend, BADGE_OTHER), backend)
