"""A success card's delivery failure as widgets: each failing group explained, with its fix-it form.

What each form asks and changes is pure (`delivery_forms`); what is shown is `delivery_html`;
this module only puts them together. Each group's part carries the CSS classes
``smsnb-delivery-group`` and ``smsnb-code-<code>`` (``smsnb-status-<status>`` without a code).
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

import ipywidgets as w

from . import delivery_forms, delivery_html
from .fix_form import FixForm
from .outcome import Result
from .report import Group
from .safe_widget import html_part

MAX_FORMS = 10  # failing groups that get a form of their own; the report's table lists them all


def _css(group: Group) -> str:
    if group.code is not None:
        return f"smsnb-code-{group.code}"
    return "smsnb-status-" + "".join(c for c in group.status.lower() if c.isascii() and c.isalpha())


class DeliveryFailure(w.VBox):
    """The failing groups of a final delivery report: each explained, each with its own form that
    resends once to the recipients that failed. ``guard`` wraps each callback; ``show_outcome``
    shows what a resend gave; ``now`` (aware) is when the forms were made."""

    def __init__(self, result: Result, found: list[Group], guard: Callable, show_outcome: Callable,
                 now: datetime):
        self.forms: list[FixForm] = []
        parts = []
        for group in [g for g in found if g.failed][:MAX_FORMS]:
            spec = delivery_forms.form_for_group(group, result.payload, now)
            form = FixForm(result, guard, show_outcome, spec=spec)
            part = w.VBox([html_part(delivery_html.group_html(group), "smsnb-delivery-explained"), form])
            part.add_class("smsnb-delivery-group")
            part.add_class(_css(group))
            self.forms.append(form)
            parts.append(part)
        super().__init__(parts)
        self.add_class("smsnb-delivery-failure")

    def close(self) -> None:
        for form in self.forms:
            form.close()
        super().close()
