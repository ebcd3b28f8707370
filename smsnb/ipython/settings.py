"""Where smsnb's settings come from, as a pure function.

Highest first: ``%config SmsMagic.x = ...``; ``%sms login`` (credentials only); environment
variables; a ``[tool.smsnb]`` table in ./pyproject.toml; the defaults. Secrets (the API token
and key secret) come only from the environment or ``%sms login``, never from a file.
"""
from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..sinch.secret import Secret
from ..sinch.paths import REGION_HOSTS

DEFAULTS = {
    "backend": "auto",  # "auto": live when credentials are set, else the sandbox
    "region": "us",
    "base_url": "",
    "service_plan_id": "",
    "project_id": "",
    "key_id": "",
    "default_country": "",
    "timeout": 30.0,
    "connect_timeout": 5.0,
    "raise_on_error": False,
}
ENV = {
    "SINCH_SERVICE_PLAN_ID": "service_plan_id",
    "SINCH_REGION": "region",
    "SINCH_PROJECT_ID": "project_id",
    "SINCH_KEY_ID": "key_id",
    "SMSNB_BASE_URL": "base_url",
    "SMSNB_DEFAULT_COUNTRY": "default_country",
}
SECRET_ENV = {"SINCH_API_TOKEN": "api_token", "SINCH_KEY_SECRET": "key_secret"}
SECRET_NAMES = ("api_token", "key_secret", "token", "secret", "password", "access_token")
BACKENDS = ("auto", "sandbox", "live")


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
            warnings.append(f"pyproject.toml [tool.smsnb] holds {key!r}: secrets are refused there (a file gets "
                            f"committed). Set SINCH_API_TOKEN / SINCH_KEY_SECRET, or use %sms login.")
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
