"""smsnb's settings: each declared once, and where their values come from, as a pure function.

Highest first: ``%config SmsMagic.x = ...``; ``%sms login`` (credentials only); environment
variables; a ``[tool.smsnb]`` table in ./pyproject.toml; the defaults. Secrets (the API token
and key secret) come only from the environment or ``%sms login``, never from a file.

`SETTINGS` and `SECRETS` are the one list of names: the magic's traits, ``%sms?``, the
environment variables read here and the README's table (checked by a test) all come from it.
"""
from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from traitlets import Bool, CaselessStrEnum, Float, TraitType, Unicode

from ..sinch.paths import REGION_HOSTS
from ..sinch.secret import Secret

BACKENDS = ("auto", "sandbox", "live")


@dataclass(frozen=True)
class Setting:
    """One setting: its name (the %config trait and the pyproject.toml key), the traitlets type of
    that trait, its default, the environment variable that sets it, and what it means."""

    name: str
    trait: type[TraitType] | None  # None: a secret, set only by its variable or %sms login
    default: object
    env: str | None
    help: str
    choices: tuple[str, ...] = ()

    def make_trait(self) -> TraitType:
        """The %config-able trait. None means "not set here": env, pyproject.toml or the default apply."""
        kwargs = dict(default_value=None, allow_none=True, help=self.described)
        trait = self.trait(self.choices, **kwargs) if self.choices else self.trait(**kwargs)
        return trait.tag(config=True)

    @property
    def shown_default(self) -> str:
        """The default as help shows it: "30" for 30.0, "" when there is none."""
        if isinstance(self.default, float):
            return f"{self.default:g}"
        return "" if self.default == "" else str(self.default)

    @property
    def described(self) -> str:
        """The help with the variable and the default, e.g. for `%config SmsMagic`."""
        if self.trait is None:
            return f"{self.help} (env {self.env} or %sms login only: a secret)"
        extras = ([f"env {self.env}"] if self.env else []) + \
            ([f"default {self.shown_default}"] if self.shown_default else [])
        return f"{self.help} ({', '.join(extras)})" if extras else self.help


SETTINGS = (
    Setting("backend", CaselessStrEnum, "auto", None,
            "auto (live when credentials are set, else the sandbox), sandbox, or live", choices=BACKENDS),
    Setting("region", Unicode, "us", "SINCH_REGION", "Sinch region: us, eu, au, br or ca"),
    Setting("base_url", Unicode, "", "SMSNB_BASE_URL", "a custom endpoint instead of Sinch's host"),
    Setting("service_plan_id", Unicode, "", "SINCH_SERVICE_PLAN_ID", "service plan id"),
    Setting("project_id", Unicode, "", "SINCH_PROJECT_ID", "project id, for OAuth2 access keys"),
    Setting("key_id", Unicode, "", "SINCH_KEY_ID", "access key id, for OAuth2"),
    Setting("default_country", Unicode, "", "SMSNB_DEFAULT_COUNTRY",
            "ISO country (e.g. SE) for E.164 hints on national numbers"),
    Setting("timeout", Float, 30.0, None,
            "seconds one request may take in all: connect, send and the whole answer"),
    Setting("connect_timeout", Float, 5.0, None, "seconds the connection may take"),
    Setting("raise_on_error", Bool, False, None,
            "raise an SmsError when Sinch says no, instead of only showing the card"),
    Setting("explain_exceptions", Bool, True, None,
            "show Sinch's errors raised by your own code (the Sinch SDK, requests) as smsnb's card"),
)
SECRETS = (
    Setting("api_token", None, "", "SINCH_API_TOKEN", "the service plan's API token"),
    Setting("key_secret", None, "", "SINCH_KEY_SECRET", "the access key's secret, for OAuth2"),
)
DEFAULTS = {s.name: s.default for s in SETTINGS}
ENV = {s.env: s.name for s in SETTINGS if s.env}  # variable -> setting
SECRET_ENV = {s.env: s.name for s in SECRETS}
SECRET_NAMES = (*SECRET_ENV.values(), "token", "secret", "password", "access_token")


def help_text() -> str:
    """The settings part of ``%sms?``, written from the declaration."""
    width = max(len(s.name) for s in SETTINGS + SECRETS) + 1
    rows = [textwrap.fill(s.described, 108, initial_indent=f"  {s.name:<{width}}",
                          subsequent_indent=" " * (width + 2)) for s in SETTINGS + SECRETS]
    return ('Settings, highest first: %config SmsMagic.NAME = value (e.g. %config SmsMagic.region = "eu"),\n'
            "%sms login (credentials only), the environment variable named below, a [tool.smsnb] table\n"
            "in ./pyproject.toml (NAME = value; no secrets), the default::\n\n" + "\n".join(rows))


@dataclass
class Resolved:
    values: dict  # setting -> value
    sources: dict  # setting -> where it came from ("default", "env SINCH_REGION", ...)
    secrets: dict  # "api_token"/"key_secret" -> Secret
    secret_sources: dict
    warnings: list[str] = field(default_factory=list)

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def api_token(self) -> Secret | None:
        return self.secrets.get("api_token")

    @property
    def key_secret(self) -> Secret | None:
        return self.secrets.get("key_secret")

    @property
    def has_plan_credentials(self) -> bool:
        return bool(self.values["service_plan_id"] and self.api_token)

    @property
    def has_project_credentials(self) -> bool:
        return bool(self.values["project_id"] and self.values["key_id"] and self.key_secret)

    @property
    def has_credentials(self) -> bool:
        return self.has_plan_credentials or self.has_project_credentials

    @property
    def oauth(self) -> bool:
        """Whether requests authenticate with an access key (OAuth2): only when no plan and token are set."""
        return self.has_project_credentials and not self.has_plan_credentials


def _coerce(name: str, value, origin: str, warnings: list[str]):
    default = DEFAULTS[name]
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                value = value.strip().lower() in ("1", "true", "yes", "on")
            return bool(value)
        if isinstance(default, float):  # a timeout: positive, and at most an hour
            number = float(value)
            if not 0 < number <= 3600:
                raise ValueError
            return number
        return str(value).strip()
    except (TypeError, ValueError):
        warnings.append(f"{origin}: {name} = {value!r} is not a valid value; using {default!r}.")
        return None


def _hint(name: str, known) -> str:
    import difflib  # only when something is mistyped: %load_ext smsnb imports this module

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def read_pyproject(directory: Path) -> tuple[dict, list[str]]:
    """The [tool.smsnb] table of ./pyproject.toml, and any problem reading it."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return {}, []
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return {}, [f"{path}: could not be read ({error}); its [tool.smsnb] settings are ignored."]
    table = data.get("tool", {}).get("smsnb", {})
    if not isinstance(table, dict):
        return {}, [f"{path}: [tool.smsnb] must be a table; ignored."]
    return table, []


def fingerprint(traits: dict, env) -> tuple:
    """What resolve() reads from %config and the environment: equal fingerprints, equal results.
    Much cheaper than resolving (it runs on every send). A variable added or removed changes
    the environment's length, which is how a new mistyped SINCH_* variable is noticed."""
    watched = tuple(env.get(var) for var in ENV) + tuple(Secret(env.get(var) or "") for var in SECRET_ENV)
    return tuple(traits.items()), watched, len(env)


def resolve(traits: dict, env, pyproject: dict, login: dict | None = None,
            problems: tuple[str, ...] = ()) -> Resolved:
    """Merge every source; ``traits`` holds only the settings set with %config (None = unset).
    ``problems`` are warnings found before (e.g. reading pyproject.toml)."""
    values, sources, warnings = dict(DEFAULTS), {k: "default" for k in DEFAULTS}, list(problems)
    for key, value in pyproject.items():
        if key in SECRET_NAMES or any(word in key.lower() for word in ("token", "secret", "password")):
            warnings.append(f"pyproject.toml [tool.smsnb] holds {key!r}: secrets are refused there (a file "
                            f"gets committed). Set SINCH_API_TOKEN / SINCH_KEY_SECRET, or use %sms login.")
            continue
        if key not in DEFAULTS:
            warnings.append(f"pyproject.toml [tool.smsnb]: unknown setting {key!r}.{_hint(key, DEFAULTS)}")
            continue
        coerced = _coerce(key, value, "pyproject.toml [tool.smsnb]", warnings)
        if coerced is not None:
            values[key], sources[key] = coerced, "pyproject.toml"
    for var, key in ENV.items():
        if env.get(var):
            coerced = _coerce(key, env[var], f"environment {var}", warnings)
            if coerced is not None:
                values[key], sources[key] = coerced, f"env {var}"
    known_env = set(ENV) | set(SECRET_ENV)
    for var in env:
        if var.startswith(("SINCH_", "SMSNB_")) and var not in known_env:
            warnings.append(f"environment {var} is not a setting smsnb reads.{_hint(var, known_env)}")
    for key, value in (traits or {}).items():
        if value is not None:
            coerced = _coerce(key, value, f"%config SmsMagic.{key}", warnings)
            if coerced is not None:
                values[key], sources[key] = coerced, "%config"
    secrets, secret_sources = {}, {}
    for var, key in SECRET_ENV.items():
        secret = Secret(env.get(var) or "")  # stripped, as every other setting
        if secret:
            secrets[key], secret_sources[key] = secret, f"env {var}"
    for key, value in (login or {}).items():
        if isinstance(value, Secret):
            if value:  # a blank one (an Enter at the prompt) sets nothing
                secrets[key], secret_sources[key] = value, "%sms login"
        elif value:
            values[key], sources[key] = value, "%sms login"
    if values["backend"] not in BACKENDS:
        warnings.append(f"backend {values['backend']!r} is not one of {', '.join(BACKENDS)}; using 'auto'.")
        values["backend"], sources["backend"] = "auto", "default"
    if values["region"] not in REGION_HOSTS:
        warnings.append(f"region {values['region']!r} is not one of {', '.join(REGION_HOSTS)}; using 'us'."
                        f"{_hint(values['region'], REGION_HOSTS)}")
        values["region"], sources["region"] = "us", "default"
    return Resolved(values, sources, secrets, secret_sources, warnings)
