"""A success card turned delivery failure, as HTML: what failed, and each failing group explained
(its code, name, meaning and what to do). Pure; built with `safe.html` only. The card's frame is
the widget's (`theme.frame_layout(Outcome.ERROR)`), so none of this draws one."""
from __future__ import annotations

from . import theme
from .outcome import Result
from .render import code_html, docs_html
from .report import Group, who
from .safe import Markup, html, join, visible
from .words import plural


def label(group: Group) -> str:
    """ "Aborted 405": a group's status and code, fit to show."""
    return visible(group.status, whole=None) + (f" {group.code}" if group.code is not None else "")


def failed_header_html(result: Result, found: list[Group]) -> Markup:
    """The card's head once the delivery report ends in a failure: how many failed, and how."""
    failing = [g for g in found if g.failed]
    failed, total = sum(g.count for g in failing), sum(g.count for g in found)
    lines = join(html("<li><b>{}</b> · {}: {}</li>", label(g), g.entry.title, g.count) for g in failing)
    return join([theme.badge(result.backend),
                 html(" {}<b>{} · batch created, then not delivered</b>: {} of {} failed.",
                      theme.dot(theme.Outcome.ERROR), result.status, failed, plural(total, "message")),
                 html("<br>batch id {}<ul style='margin:4px 0'>{}</ul>",
                      code_html(visible(result.batch_id, whole=None)), lines)])


def group_html(group: Group) -> Markup:
    """One failing group: its code and name, to whom, what it means, its likely causes, what to do."""
    entry = group.entry
    recipients = who(group)
    causes = join(html("<li>{}</li>", cause) for cause in entry.causes)
    steps = join(html("<li>{}</li>", step) for step in entry.steps)
    return html("<div>{}<b>{}</b> · {}: {}{}</div><div>{}</div>"
                "<details><summary>Likely causes</summary><ol>{}</ol></details>"
                "<b>What to do</b><ul style='margin:2px 0'>{}</ul>{}",
                theme.dot(theme.Outcome.ERROR), label(group), entry.title, plural(group.count, "recipient"),
                f": {recipients}" if recipients else "",
                entry.meaning, causes, steps, docs_html(entry))
