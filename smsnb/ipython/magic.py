"""%sms and %%sms: thin glue between IPython and `SmsSession`."""
from __future__ import annotations

import inspect
from typing import Callable

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import magic_arguments
from traitlets import observe

from . import command, settings

# The %config-able settings, one trait each, made from their declaration in settings.py.
SmsSettings = type("SmsSettings", (Magics,), {
    "__doc__": "smsnb's settings as traits: %config SmsMagic.NAME = value.",
    **{setting.name: setting.make_trait() for setting in settings.SETTINGS},
})


def _with_settings_help(func):
    """Append the settings, written from their declaration, to the magic's help (before
    magic_arguments turns the docstring into ``%sms?``)."""
    func.summary = inspect.cleandoc(func.__doc__)  # what %sms help shows: without options and settings
    func.__doc__ = f"{func.summary}\n\n{settings.help_text()}\n"
    return func


@magics_class
class SmsMagic(SmsSettings):
    """Send test SMS through Sinch's REST API; see %sms? for usage."""

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self._configured = self.trait_values(config=True)
        self._session = None
        self.foreign_errors = None  # the hooks that explain Sinch's errors raised by the user's own code
        if shell is not None:
            from .foreign_errors import ForeignErrors

            self.foreign_errors = ForeignErrors(shell, lambda: self.session)
            self.foreign_errors.register()

    @property
    def session(self):
        """The kernel's smsnb state, made on first use: %load_ext smsnb imports almost nothing."""
        if self._session is None:
            from .session import SmsSession

            self._session = SmsSession(traits=lambda: self._configured)
        return self._session

    @observe(*(setting.name for setting in settings.SETTINGS))
    def _setting_changed(self, change) -> None:
        # Kept as a dict so that a send reads %config without touching ten traits.
        self._configured = {**self._configured, change["name"]: change["new"]}

    @no_var_expand
    @line_cell_magic
    @magic_arguments()
    @command.declare_arguments
    @_with_settings_help
    def sms(self, line="", cell=None):
        """Send a test SMS through Sinch (the local sandbox unless live credentials are set).

        Examples::

          %sms +46701234567 -m "Hello"                  send one SMS
          %sms +46701234567 +46701234568 -m "Hi all"    several recipients
          %sms --dry-run +46701234567 -m "Hej 😀"        parts and encoding; nothing sent
          %sms +46701234567 -m hi --delivery-report full --callback-url https://example.com/dlr
          r = %sms +46701234567 -m hi                   the result object: r.ok, r.batch_id, r.resend()
          %sms +46701234567 +46701234568 -m 'Hi ${name}' --param name=there --param name@+46701234567=Anna
                                                        ${name} per recipient, with a default
          %sms +46701234567 -m "a long text..." --max-parts 1 --truncate    one part at most: cut to fit
          %sms +46701234567 -m hi --send-at 2030-01-31T09:00:00Z --expire-at 2030-01-31T10:00:00Z

          %%sms +46701234567
          A longer body, written in the cell.

          %%sms --json
          {"to": ["+46701234567"], "body": "sent byte for byte"}

        Subcommands::

          %sms explain CODE     what an error code, delivery-report code or status means, and what to do
          %sms errors           the whole catalog: request-time errors; delivery-report codes and statuses
          %sms config           the settings and where they come from (secrets masked)
          %sms login            enter a token (or --project ID --key-id ID for a key secret); memory only
          %sms sandbox [status|start|stop|triggers|journal [N]|reset]
          %sms sandbox inbound FROM -m BODY    an SMS from FROM arrives (GET /inbounds, the plan's callback)
          %sms history [N]      this session's requests; row N back as its result
          %sms report [N | BATCH_ID] [--sandbox | --live]
                                the delivery report of the last send, row N or a batch, explained
          %sms explain 405      both meanings of a number: HTTP 405, and delivery-report code 405
          %sms explain Aborted  a delivery status; delivery_405, http_405 for one meaning
          %sms explain _        the card for an SDK exception, HTTPError or Response; or a pasted body
          %sms help             this summary (so does %sms alone)
        """
        cmd = command.parse(line, cell)
        if isinstance(cmd, command.Subcommand) and cmd.name == "explain" and self.foreign_errors:
            return self.foreign_errors.explain(cmd.args[0])  # a code, a pasted answer body or an object
        if isinstance(cmd, command.Subcommand):
            return route(self.session.views, cmd)
        return self.session.send(cmd)


def _help(views, cmd: command.Subcommand):
    """What %sms does, its examples and subcommands: the start of %sms?, without every option."""
    from ..card.outcome import Message
    from ..card.safe import html

    text = f"{SmsMagic.sms.summary}\n\n%sms? lists every option and setting."
    return Message(text, html("<pre>{}</pre>", text))


def _login(views, cmd: command.Subcommand):
    from getpass import getpass

    return views.login(command.login_options(cmd), ask_secret=getpass, ask=input)


# Each subcommand's handler: (the session's views, the parsed subcommand) -> what %sms returns.
ROUTES: dict[str, Callable] = {
    "explain": lambda views, cmd: views.explain(cmd.args[0]),
    "errors": lambda views, cmd: views.errors(),
    "config": lambda views, cmd: views.config(),
    "login": _login,
    "sandbox": lambda views, cmd: views.sandbox(*cmd.args[:1], count=cmd.number, inbound=(
        command.inbound_message(cmd.args) if cmd.args[:1] == ("inbound",) else None)),
    "history": lambda views, cmd: views.history(cmd.number),
    "report": lambda views, cmd: views.report(command.report_target(cmd.args)),
    "help": _help,
}


def route(views, cmd: command.Subcommand):
    """Run ``cmd`` with its handler; a name without one is a UsageError, never another command."""
    handler = ROUTES.get(cmd.name)
    if handler is None:
        raise UsageError(f"Unknown subcommand {command.shown(cmd.name)}. "
                         f"Usage: %sms {{{'|'.join(ROUTES)}}} ... (%sms? for all)")
    return handler(views, cmd)


def unload(ipython) -> None:
    """Undo load_ipython_extension: stop the sandbox, close connections, remove the magics."""
    manager = ipython.magics_manager
    instance = manager.registry.pop("SmsMagic", None)
    for kind in ("line", "cell"):
        manager.magics[kind].pop("sms", None)
    if instance is not None:
        if instance.foreign_errors is not None:
            instance.foreign_errors.unregister()
        if instance in getattr(ipython, "configurables", []):
            ipython.configurables.remove(instance)
        if instance._session is not None:
            instance._session.close()
