"""The grammar of %sms: one declaration of the arguments, and parsing into command objects.

The magic decorates itself with `SEND_ARGUMENTS` (so ``%sms?`` shows them); `parse` reads a
line and cell into a `Send` or a `Subcommand` without any shell, so it is testable alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from IPython.core.error import UsageError
from IPython.core.magic_arguments import MagicArgumentParser, argument
from IPython.utils._process_common import arg_split

USAGE = "%sms [options] TO [TO ...] -m BODY, or %%sms [options] TO [TO ...] with the body in the cell"
MAX_TIMEOUT = 3600  # seconds; a longer one is a typo (and overflows the socket layer)
SANDBOX_ACTIONS = ("status", "start", "stop", "triggers", "journal", "reset", "inbound")
INBOUND_USAGE = "%sms sandbox inbound FROM -m BODY"
# Each subcommand's grammar: (fewest words, most words, its usage line). magic.ROUTES runs them.
SUBCOMMAND_GRAMMAR = {
    "explain": (1, 1, "%sms explain CODE | BODY | NAME  (e.g. %sms explain missing_callback_url, "
                      "%sms explain '{\"code\": \"...\", \"text\": \"...\"}', %sms explain _)"),
    "errors": (0, 0, "%sms errors"),
    "config": (0, 0, "%sms config"),
    "login": (0, 6, "%sms login [--service-plan-id ID | --project ID --key-id ID] [--region R]"),
    "sandbox": (0, 4, f"%sms sandbox [{'|'.join(SANDBOX_ACTIONS[:-1])}] [N], or {INBOUND_USAGE}"),
    "history": (0, 1, "%sms history [N]"),
    "report": (0, 2, "%sms report [N | BATCH_ID] [--sandbox | --live]"),
    "help": (0, 0, "%sms help  (or %sms alone; %sms? for every option)"),
}
SUBCOMMANDS = tuple(SUBCOMMAND_GRAMMAR)
MAX_NUMBER = 999_999  # a row number or journal count; more is a typo (and int() refuses 4,301 digits)
MAX_BATCH_ID = 100  # Sinch's ids have 26 characters; a longer word is not one
MAX_QUOTED_LINE = 100_000  # characters of a line with quotes (an SMS body has 2000 at most)

SEND_ARGUMENTS: tuple[tuple[tuple, dict], ...] = (
    (("to",), dict(nargs="*", metavar="TO", help="recipient numbers, in international form (+46701234567)")),
    (("-m", "--message"), dict(dest="body", metavar="BODY", help="the message text (or put it in the cell)")),
    (("--from",), dict(dest="sender", metavar="SENDER",
                       help="sender: a number, short code or alphanumeric name")),
    (("--delivery-report",), dict(metavar="KIND",
                                  help="none, summary, full, per_recipient or per_recipient_final")),
    (("--callback-url",), dict(metavar="URL", help="where Sinch POSTs delivery reports")),
    (("--client-reference",), dict(metavar="REF", help="your reference, echoed in delivery reports")),
    (("--param",), dict(action="append", dest="params", metavar="NAME=VALUE",
                        help="the value of ${NAME} in the body: NAME=VALUE for every recipient (the "
                             "default), NAME@MSISDN=VALUE for one; repeatable (Sinch's 'parameters')")),
    (("--max-parts",), dict(metavar="N", help="send only if the body fits in N parts, an integer >= 1 "
                                              "(max_number_of_message_parts)")),
    (("--truncate",), dict(action="store_true", help="cut a body that needs more parts than --max-parts "
                                                     "to fit (truncate_concat)")),
    (("--send-at",), dict(metavar="TIME", help="when to send: ISO-8601 with a zone, e.g. "
                                               "2030-01-31T09:00:00Z (send_at)")),
    (("--expire-at",), dict(metavar="TIME", help="give up delivering after: ISO-8601 with a zone "
                                                 "(expire_at; Sinch's default is 3 days after send_at)")),
    (("--dry-run",), dict(action="store_true", help="count parts and encoding; send nothing")),
    (("--timeout",), dict(type=float, metavar="SECONDS",
                          help="the most this request may take in all: connect, send and the whole answer")),
    (("--json",), dict(action="store_true", dest="raw_json",  # argparse halves each %: four print as %%
                       help="%%%%sms only: the cell is the raw JSON request, sent byte for byte")),
    (("--sandbox",), dict(action="store_true", help="use the local sandbox, whatever is configured")),
    (("--live",), dict(action="store_true", help="use live Sinch (needs credentials)")),
)


def send_parser() -> MagicArgumentParser:
    parser = MagicArgumentParser(prog="%sms", usage=USAGE)
    for args, kwargs in SEND_ARGUMENTS:
        parser.add_argument(*args, **kwargs)
    return parser


_PARSER = None


def declare_arguments(func):
    """Decorate the magic with SEND_ARGUMENTS, as IPython's @argument would one by one."""
    for args, kwargs in reversed(SEND_ARGUMENTS):
        func = argument(*args, **kwargs)(func)
    return func


@dataclass(frozen=True)
class Send:
    to: tuple[str, ...]
    body: str | None
    sender: str | None = None
    delivery_report: str | None = None
    callback_url: str | None = None
    client_reference: str | None = None
    dry_run: bool = False
    timeout: float | None = None
    raw_json: str | None = None  # the cell of %%sms --json, exactly as written
    backend: str | None = None  # "sandbox" or "live" when forced
    params: tuple[tuple[str, str, str], ...] = ()  # (name, MSISDN or "default", value), as written
    max_parts: int | None = None
    truncate: bool = False
    send_at: str | None = None  # exactly as written (checked: ISO-8601 with a zone)
    expire_at: str | None = None

    def extra(self) -> dict:
        """The other Sinch fields these options set, named as Sinch names them."""
        fields: dict = {}
        for name, who, value in self.params:
            fields.setdefault("parameters", {}).setdefault(name, {})[who] = value
        optional = {"max_number_of_message_parts": self.max_parts, "truncate_concat": self.truncate or None,
                    "send_at": self.send_at, "expire_at": self.expire_at}
        return {**fields, **{k: v for k, v in optional.items() if v is not None}}


@dataclass(frozen=True)
class Subcommand:
    name: str
    args: tuple[str, ...] = ()
    number: int | None = None  # history's row N, or journal's count N, already checked


def usage_error(problem: str) -> UsageError:
    return UsageError(f"{one_line(problem)}. Usage: {USAGE} (%sms? for all options)")


def one_line(text: str, limit: int = 300) -> str:
    """``text`` (which may quote the user's words) on one readable line: control characters
    escaped, and cut short."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[:limit] + "…"


def split(line: str) -> list[str]:
    if not any(mark in line for mark in "'\"\\"):
        return line.split()  # without quotes or backslashes, POSIX splitting is exactly this
    if len(line) > MAX_QUOTED_LINE:  # shlex takes quadratic time: 1 MB would hang the kernel for seconds
        raise usage_error(f"The line has {len(line):,} characters and quotes; smsnb reads at most "
                          f"{MAX_QUOTED_LINE:,} on one line. Put a long body in the cell (%%sms), or an "
                          f"answer body in a variable and %sms explain NAME")
    try:
        return arg_split(line, posix=True, strict=True)  # posix: quotes group words and are removed
    except ValueError as error:  # an unclosed quote
        raise usage_error(f"Could not read the line ({error}); close every quote") from None


@lru_cache(maxsize=256)  # a pure function of its text, returning frozen objects: a re-run line is free
def parse(line: str, cell: str | None = None) -> Send | Subcommand:
    """Read ``%sms line`` or ``%%sms line`` + ``cell`` into a command; UsageError when it is wrong."""
    words = split(line or "")
    if (not words or words in (["-h"], ["--help"])) and cell is None:  # how do I use this?
        return Subcommand("help", ())
    if words and words[0] in SUBCOMMANDS:
        return _subcommand(words, cell)
    args = _send_arguments(words)
    backend = "sandbox" if args.sandbox else "live" if args.live else None
    options = dict(sender=args.sender, delivery_report=args.delivery_report, callback_url=args.callback_url,
                   client_reference=args.client_reference, dry_run=args.dry_run, timeout=args.timeout,
                   backend=backend, params=_params(args.params or ()), max_parts=_max_parts(args.max_parts),
                   truncate=args.truncate, send_at=_time(args.send_at, "--send-at"),
                   expire_at=_time(args.expire_at, "--expire-at"))
    if args.raw_json:
        return _raw_json_send(args, cell, options)
    body = _body(args, cell)
    if not args.to:
        raise usage_error("No recipient: give at least one number, e.g. +46701234567")
    unknown = [word for word in args.to if word.startswith("-")]
    if unknown:
        raise usage_error(f"Unknown option {unknown[0]}")
    return Send(to=tuple(args.to), body=body, **options)


def _send_arguments(words: list[str]):
    """The send's arguments, checked alone and together."""
    global _PARSER
    _PARSER = _PARSER or send_parser()
    try:
        args = _PARSER.parse_args(words)
    except UsageError as error:
        problem = str(error).rstrip(".").capitalize()
        if problem.startswith("Unrecognized arguments") and "-m" in words:
            problem += ' (put quotes around a body with spaces: -m "...")'
        raise usage_error(problem) from None
    if args.sandbox and args.live:
        raise usage_error("Choose one of --sandbox and --live")
    if args.timeout is not None and not 0 < args.timeout <= MAX_TIMEOUT:
        raise usage_error(f"--timeout must be more than 0 and at most {MAX_TIMEOUT} seconds")
    return args


def _raw_json_send(args, cell: str | None, options: dict) -> Send:
    """%%sms --json: the cell is the whole request, sent byte for byte."""
    if cell is None or not cell.strip():
        raise usage_error("--json takes the raw JSON request from the cell: use %%sms --json with a cell")
    fields = ("sender", "delivery_report", "callback_url", "client_reference", "params", "max_parts",
              "truncate", "send_at", "expire_at")
    if args.to or args.body is not None or any(options[k] not in (None, (), False) for k in fields):
        raise usage_error("With --json the cell is the whole request: put recipients and fields in the JSON")
    if args.dry_run:  # a dry run needs a request to count; raw JSON may not even be one
        raise usage_error("--dry-run takes recipients and a body, not --json: %sms --dry-run TO -m BODY")
    return Send(to=(), body=None, raw_json=cell, **{**options, "sender": None})


PARAM_FORM = "--param takes NAME=VALUE (every recipient) or NAME@MSISDN=VALUE (one recipient)"


def _is_name(word: str) -> bool:
    """A parameter's name as ${NAME} can hold it: no space, control character, @, =, $ or brace."""
    return bool(word) and all(c.isprintable() and not c.isspace() and c not in "@=${}" for c in word)


def _params(words) -> tuple[tuple[str, str, str], ...]:
    """--param NAME=VALUE and NAME@MSISDN=VALUE, as (name, MSISDN or "default", value)."""
    found: dict[tuple[str, str], str] = {}
    for word in words:
        head, equals, value = word.partition("=")
        name, at, who = head.partition("@")
        if not equals or not _is_name(name) or (at and not (who.strip() and who.isprintable())):
            raise usage_error(f"{PARAM_FORM}, not {shown(word)}")
        key = (name, who or "default")
        if key in found:
            given = name if key[1] == "default" else f"{name}@{key[1]}"
            raise usage_error(f"--param {shown(given)} is given twice: give each value once")
        found[key] = value
    return tuple((name, who, value) for (name, who), value in found.items())


def _max_parts(word: str | None) -> int | None:
    if word is None:
        return None
    if not (word.isascii() and word.isdigit() and len(word) <= len(str(MAX_NUMBER))) or int(word) < 1:
        raise usage_error(f"--max-parts takes a whole number from 1 to {MAX_NUMBER}, not {shown(word)}")
    return int(word)


def _time(word: str | None, option: str) -> str | None:
    """The time exactly as written, once it reads as ISO-8601 with a zone."""
    from ..knowledge.rules import parse_time

    if word is not None and parse_time(word) is None:
        raise usage_error(f"{option} takes an ISO-8601 time with a zone, e.g. 2030-01-31T09:00:00Z or "
                          f"2030-01-31T10:00:00+01:00, not {shown(word)}")
    return word


def _body(args, cell: str | None) -> str:
    """The body, from -m or the cell (trailing newlines dropped), never both."""
    if cell is None:
        if args.body is None:
            raise usage_error("No message body: add -m \"text\", or use %%sms with the body in the cell")
        return args.body
    if args.body is not None:
        raise usage_error("Give the body either with -m or in the cell, not both")
    body = cell.rstrip("\n")
    if not body.strip():  # spaces alone are a cell left blank, not a message
        raise usage_error("The cell is empty: write the message body in it")
    return body


def _subcommand(words: list[str], cell: str | None) -> Subcommand:
    name, rest = words[0], tuple(words[1:])
    if cell is not None:
        raise usage_error(f"%%sms {name} takes no cell; use %sms {name}")
    low, high, usage = SUBCOMMAND_GRAMMAR[name]
    if not low <= len(rest) <= high:
        raise UsageError(f"Wrong number of arguments for {name}. Usage: {usage}")
    if name == "sandbox" and rest and rest[0] not in SANDBOX_ACTIONS:
        raise UsageError(f"Unknown sandbox action {shown(rest[0])}. Usage: {usage}")
    if name == "sandbox" and rest[:1] == ("inbound",):
        inbound_message(rest)  # checked now: a wrong line sends nothing
        return Subcommand(name, rest)
    if name == "sandbox" and len(rest) > 2:
        raise UsageError(f"Wrong number of arguments for sandbox. Usage: {usage}")
    if name == "sandbox" and len(rest) == 2 and rest[0] != "journal":
        raise UsageError(f"Only 'journal' takes a number. Usage: {usage}")
    number = None
    if name == "history" and rest:
        number = _number(rest[0], "History takes a row number", usage)
    if name == "sandbox" and len(rest) == 2:
        number = _number(rest[1], "Journal takes a number of requests", usage)
    if name == "login":
        _login_options(rest, usage)
    if name == "report":
        number = report_target(rest, usage).row
    return Subcommand(name, rest, number)


def inbound_message(args: tuple[str, ...]) -> tuple[str, str]:
    """(FROM, BODY) of ``sandbox inbound FROM -m BODY`` (or ``-m BODY FROM``); the sandbox checks
    the number."""
    words = args[1:]
    flags = ("-m", "--message")
    if len(words) == 3 and words[1] in flags and words[0] not in flags:
        return words[0], words[2]
    if len(words) == 3 and words[0] in flags and words[2] not in flags:
        return words[2], words[1]
    raise UsageError(f"An inbound SMS takes the number it comes from and -m BODY. Usage: {INBOUND_USAGE}")


def _number(word: str, what: str, usage: str) -> int:
    # ASCII digits only: str.isdigit() also accepts '²' and '١', which int() then refuses or reads.
    if not (word.isascii() and word.isdigit() and len(word) <= len(str(MAX_NUMBER))):
        raise UsageError(f"{what} from 0 to {MAX_NUMBER}, not {shown(word)}. Usage: {usage}")
    return int(word)


def shown(word: str, limit: int = 40) -> str:
    """A word of the user's, quoted on one line and cut short: a usage error stays one line."""
    return repr(word if len(word) <= limit else word[:limit] + "…")


LOGIN_OPTIONS = {"--service-plan-id": "service_plan_id", "--project": "project_id", "--key-id": "key_id",
                 "--region": "region"}


def _login_options(rest: tuple[str, ...], usage: str) -> dict:
    if len(rest) % 2:
        raise UsageError(f"Each login option takes a value. Usage: {usage}")
    options = {}
    for flag, value in zip(rest[::2], rest[1::2], strict=True):
        if flag not in LOGIN_OPTIONS:
            raise UsageError(f"Unknown login option {shown(flag)}. Usage: {usage}")
        options[LOGIN_OPTIONS[flag]] = value
    if ("project_id" in options) != ("key_id" in options):
        raise UsageError(f"--project and --key-id go together. Usage: {usage}")
    return options


def login_options(sub: Subcommand) -> dict:
    return _login_options(sub.args, "")


@dataclass(frozen=True)
class ReportTarget:
    """What %sms report reports: a history row, a batch id (and where to look), or the last send."""

    row: int | None = None
    batch_id: str | None = None
    backend: str | None = None  # "sandbox" or "live" when forced; only with a batch id


def report_target(rest: tuple[str, ...], usage: str = SUBCOMMAND_GRAMMAR["report"][2]) -> ReportTarget:
    flags = [word for word in rest if word in ("--sandbox", "--live")]
    words = [word for word in rest if word not in flags]
    if len(flags) > 1:
        raise UsageError(f"Choose one of --sandbox and --live. Usage: {usage}")
    if len(words) > 1 or any(word.startswith("-") for word in words):
        raise UsageError(f"Report takes one row number or batch id, not {shown(' '.join(words))}. "
                         f"Usage: {usage}")
    backend = flags[0][2:] if flags else None
    word = words[0] if words else None
    if word is None or (word.isascii() and word.isdigit()):
        if backend:
            raise UsageError(f"--{backend} goes with a batch id: a history row reports from where it "
                             f"was sent. Usage: {usage}")
        row = None if word is None else _number(word, "Report takes a history row number", usage)
        return ReportTarget(row=row)
    if not (len(word) <= MAX_BATCH_ID and all(c.isascii() and (c.isalnum() or c in "-_") for c in word)):
        raise UsageError(f"Report takes a history row number or a batch id (letters and digits, as Sinch "
                         f"gave it), not {shown(word)}. Usage: {usage}")
    return ReportTarget(batch_id=word, backend=backend)
