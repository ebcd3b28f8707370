"""%sms and %%sms: thin glue between IPython and `SmsSession`."""
from __future__ import annotations

from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import magic_arguments
from traitlets import Bool, CaselessStrEnum, Float, Unicode, observe

from . import command


def _setting(trait, help_text):
    """A %config-able setting. None means "not set here": env, pyproject.toml or the default apply."""
    return trait(default_value=None, allow_none=True, help=help_text).tag(config=True)


@magics_class
class SmsMagic(Magics):
    """Send test SMS through Sinch's REST API; see %sms? for usage."""

    backend = _setting(lambda **kw: CaselessStrEnum(["auto", "sandbox", "live"], **kw),
                       "auto (live when credentials are set, else the sandbox), sandbox, or live")
    region = _setting(Unicode, "Sinch region: us, eu, au, br or ca (env SINCH_REGION)")
    base_url = _setting(Unicode, "a custom endpoint instead of Sinch's host (env SMSNB_BASE_URL)")
    service_plan_id = _setting(Unicode, "service plan id (env SINCH_SERVICE_PLAN_ID)")
    project_id = _setting(Unicode, "project id, for OAuth2 access keys (env SINCH_PROJECT_ID)")
    key_id = _setting(Unicode, "access key id, for OAuth2 (env SINCH_KEY_ID)")
    default_country = _setting(Unicode, "ISO country (e.g. SE) used to suggest E.164 forms of national numbers")
    timeout = _setting(Float, "read timeout in seconds (default 30)")
    connect_timeout = _setting(Float, "connect timeout in seconds (default 5)")
    raise_on_error = _setting(Bool, "raise an SmsError when Sinch says no, instead of only showing the card")

    _SETTINGS = ("backend", "region", "base_url", "service_plan_id", "project_id", "key_id", "default_country",
                 "timeout", "connect_timeout", "raise_on_error")

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self._configured = {name: getattr(self, name) for name in self._SETTINGS}
        self._session = None

    @property
    def session(self):
        """The kernel's smsnb state, made on first use: %load_ext smsnb imports almost nothing."""
        if self._session is None:
            from .session import SmsSession

            self._session = SmsSession(traits=lambda: self._configured)
        return self._session

    @observe(*_SETTINGS)
    def _setting_changed(self, change) -> None:
        # Kept as a dict so that a send reads %config without touching ten traits.
        self._configured = {**self._configured, change["name"]: change["new"]}

    @no_var_expand
    @line_cell_magic
    @magic_arguments()
    @command.declare_arguments
    def sms(self, line="", cell=None):
        """Send a test SMS through Sinch (the local sandbox unless live credentials are set).

        Examples::

          %sms +46701234567 -m "Hello"                  send one SMS
          %sms +46701234567 +46701234568 -m "Hi all"    several recipients
          %sms --dry-run +46701234567 -m "Hej 😀"        parts and encoding; nothing sent
          %sms +46701234567 -m hi --delivery-report full --callback-url https://example.com/dlr
          r = %sms +46701234567 -m hi                   the result object: r.ok, r.batch_id, r.resend()

          %%sms +46701234567
          A longer body, written in the cell.

          %%sms --json
          {"to": ["+46701234567"], "body": "sent byte for byte"}

        Subcommands::

          %sms explain CODE     what an error code means and how to fix it
          %sms errors           the whole error catalog
          %sms config           the settings and where they come from (secrets masked)
          %sms login            enter a token (or --project ID --key-id ID for a key secret); memory only
          %sms sandbox [status|start|stop|triggers|journal [N]|reset]
          %sms history [N]      this session's requests; row N back as its result

        Settings: %config SmsMagic.region = "eu" (also backend, base_url, service_plan_id, project_id,
        key_id, default_country, timeout, connect_timeout, raise_on_error); environment variables
        SINCH_SERVICE_PLAN_ID, SINCH_API_TOKEN, SINCH_REGION, SINCH_PROJECT_ID, SINCH_KEY_ID,
        SINCH_KEY_SECRET, SMSNB_BASE_URL, SMSNB_DEFAULT_COUNTRY; or a [tool.smsnb] table in
        ./pyproject.toml (no secrets).
        """
        cmd = command.parse(line, cell)
        if isinstance(cmd, command.Subcommand):
            return self._subcommand(cmd)
        return self.session.send(cmd)

    def _subcommand(self, cmd: command.Subcommand):
        s = self.session
        if cmd.name == "explain":
            return s.explain(cmd.args[0])
        if cmd.name == "errors":
            return s.errors()
        if cmd.name == "config":
            return s.config()
        if cmd.name == "history":
            return s.history_item(cmd.number) if cmd.number is not None else s.history_table()
        if cmd.name == "sandbox":
            return s.sandbox_command(*cmd.args[:1], count=cmd.number)
        from getpass import getpass

        return s.login(command.login_options(cmd), ask_secret=getpass, ask=input)


def unload(ipython) -> None:
    """Undo load_ipython_extension: stop the sandbox, close connections, remove the magics."""
    manager = ipython.magics_manager
    instance = manager.registry.pop("SmsMagic", None)
    for kind in ("line", "cell"):
        manager.magics[kind].pop("sms", None)
    if instance is not None:
        if instance in getattr(ipython, "configurables", []):
            ipython.configurables.remove(instance)
        if instance._session is not None:
            instance._session.close()
