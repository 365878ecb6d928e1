"""Settings: defaults, then CLOSENESS_* environment variables, then a test mapping.

The one place the environment is read for settings: the app, the CLI, gunicorn's config and the
metrics all take theirs from `settings()`. README, "Configuration", documents every variable.
"""

import os
import re
from pathlib import Path

from marshmallow import ValidationError

from schemas.questionnaire import load_questionnaire
from schemas.resources import Resource, ResourceSchema, resource_targets, unknown_targets
from schemas.rulefile import RECOMMENDATIONS
from service.core.exceptions import ClosenessError
from service.core.json_input import JsonInputError, parse_json
from service.core.rulebook import default_rules_dir

DATA_DIR = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "closeness"

DEFAULTS = {
    "RULES_DIR": None,  # None: CLOSENESS_RULES_DIR or the packaged rules
    "RESOURCES_FILE": None,  # None: the rulebook's neutral default resources
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "CORS_ORIGINS": [],
    "LOG_LEVEL": "INFO",
    # The base of this deployment's FHIR canonical URLs; set it to the address you publish.
    "FHIR_BASE": "https://closeness.invalid/fhir",
    # Where article sections are linked from (CDS Hooks cards, the form); <base>#<section id>.
    "ARTICLE_BASE_URL": None,
    # Origins (besides this one) that may embed /form in a frame and receive its result.
    "FRAME_ANCESTORS": [],
    # Practices that go through the answers first: the form shows a thank-you instead of a result that
    # is not urgent (an urgent result and its support are always shown) and posts it to its parent.
    "FORM_HIDE_RESULT": False,
    # The form's tab title: neutral on purpose, since a title can be seen over a shoulder or in history.
    "FORM_TITLE": "Questionnaire",
    # Where the form's quick-exit button goes (replacing the page, so Back does not return).
    "QUICK_EXIT_URL": "https://www.google.com/search?q=weather",
    # A practice that receives the answers: its name, and when it reads them (plain text).
    "PRACTICE_NAME": None,
    "PRACTICE_RESPONSE_TIME": None,
    # The decision log: off by default. SQLite embedded; a PostgreSQL URL for several instances.
    "DECISION_LOG": False,
    # The database of the decision log and of couple mode's pairs (CLOSENESS_DATABASE_URL, or its old
    # name CLOSENESS_DECISION_LOG_URL). An absolute place outside the source tree, whatever folder a
    # command runs in.
    "DATABASE_URL": f"sqlite:///{DATA_DIR / 'decisions.sqlite3'}",
    # Couple mode's key ring (CLOSENESS_DATA_KEY): without one, the /v1/couples routes answer 503.
    "DATA_KEY": None,
    "COUPLE_INVITE_DAYS": 14,  # an invite expires this many days after it is issued
    "COUPLE_RETENTION_DAYS": 30,  # a pair is erased this many days after it was created
    # What the invite form tells a partner about what the practice does with one partner's answers.
    "COUPLE_SHARING_NOTE": ("They will not share your answers with your partner without your consent."),
    "DECISION_LOG_ANSWERS": False,  # answers are stored only when this is also on
    "DECISION_LOG_RETENTION_DAYS": None,  # records older than this are deleted by the service
    # Where decisions wait for the database (one subfolder per database URL); None: under DATA_DIR.
    "DECISION_SPOOL_DIR": None,
    "DECISION_SPOOL_MAX_MB": 256,  # a full spool drops decisions (counted, and on /readyz)
    # /readyz answers 503 while the decision log's database is unreachable (default: 200 "degraded",
    # since decisions still go to the spool and reach the database later).
    "READY_REQUIRES_DATABASE": False,
    "ALERT_WEBHOOK_URL": None,  # urgent decisions pushed here, signed; off when unset
    "ALERT_SECRET": None,  # HMAC-SHA256 key for the alerts (required with the URL)
    "ALERT_NOTED": False,  # also alert on noted concerns
    "ALERT_RETRY_BASE": 1.0,  # seconds before the first retry; doubled each time
    "API_KEY": None,  # for GET /v1/decisions; without one those endpoints stay closed
    # `closeness serve` and gunicorn
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKERS": None,  # None: one per CPU
    "WORKER_CLASS": "sync",
    "THREADS": 1,
    "TIMEOUT": 30,
    "MAX_REQUESTS": 200_000,
    # Set by the gunicorn master: the rules directory it loads, checks and runs the cases of (at start and
    # on HUP); its workers take that rulebook from the master's memory.
    "RULES_SOURCE": None,
    # Set by the gunicorn master when the decision log's database did not answer at start: the
    # workers bring its tables up to date at their first contact.
    "DECISION_LOG_MIGRATE": None,
}


def _https_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
        raise ValueError("not an http(s) URL, such as https://example.org/path")
    return value


def _one_of(value: str, choices: tuple) -> str:
    if value not in choices:
        raise ValueError(f"not one of {', '.join(choices)}")
    return value


def _flag(value: str) -> bool:
    """A yes/no setting: a value that is neither is refused, never read as "no"."""
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a yes/no value; use true or false")


def _whole(value: str, low: int = 1, high: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError("not a whole number") from None
    if number < low or (high is not None and number > high):
        raise ValueError(f"use a whole number from {low}" + (f" to {high}" if high is not None else " up"))
    return number


def _positive_int(value: str) -> int:
    return _whole(value)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    return _one_of(value.strip().upper(), LOG_LEVELS)


ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^[0-9A-Fa-f:]{2,39}$")


def _origins(value: str) -> list[str]:
    """Comma-separated origins: scheme, host and port only (https://clinic.example:8443)."""
    origins = [o.strip() for o in value.split(",") if o.strip()]
    if not all(ORIGIN.match(origin) for origin in origins):
        raise ValueError("list origins such as https://clinic.example, comma-separated, without paths")
    return origins


def _text(value: str, longest: int = 200) -> str:
    """Words shown to people or in headers: printable, one line, not too long."""
    if len(value) > longest or not value.isprintable():
        raise ValueError(f"use one line of at most {longest} printable characters")
    return value


def _host(value: str) -> str:
    if not HOST.match(value):
        raise ValueError("use an IP address or a host name, such as 127.0.0.1")
    return value


def _secret(value: str) -> str:
    if len(value) < 16:
        raise ValueError("use at least 16 characters, e.g. from Python's secrets.token_urlsafe()")
    return value


def _api_keys(value: str) -> str:
    if any(not key.strip() or any(c.isspace() for c in key.strip()) for key in value.split(",")):
        raise ValueError("list keys without spaces, comma-separated")
    return value


def _absolute_path(value: str) -> str:
    if not Path(value).is_absolute():
        raise ValueError("use an absolute path")
    return value


def _key_ring(value: str) -> str:
    """CLOSENESS_DATA_KEY: checked here (a malformed key stops the start), parsed by the store."""
    from service.core.sealing import parse_key_ring  # cryptography loads only where a key is set

    parse_key_ring(value)
    return value


def _database_url(value: str) -> str:
    """A decision-log URL this service has a driver for: SQLite, or PostgreSQL with psycopg."""
    if not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
    return value


# environment variable -> (setting, parser)
ENVIRONMENT = {
    "CLOSENESS_RULES_DIR": ("RULES_DIR", str),
    "CLOSENESS_RESOURCES_FILE": ("RESOURCES_FILE", str),
    "CLOSENESS_MAX_BODY_BYTES": ("MAX_CONTENT_LENGTH", lambda v: _whole(v, 1024, 16 << 20)),
    "CLOSENESS_CORS_ORIGINS": ("CORS_ORIGINS", _origins),
    "CLOSENESS_LOG_LEVEL": ("LOG_LEVEL", _log_level),
    "CLOSENESS_FHIR_BASE": ("FHIR_BASE", _https_url),
    "CLOSENESS_ARTICLE_BASE_URL": ("ARTICLE_BASE_URL", _https_url),
    "CLOSENESS_FRAME_ANCESTORS": ("FRAME_ANCESTORS", _origins),
    "CLOSENESS_FORM_HIDE_RESULT": ("FORM_HIDE_RESULT", _flag),
    "CLOSENESS_FORM_TITLE": ("FORM_TITLE", _text),
    "CLOSENESS_QUICK_EXIT_URL": ("QUICK_EXIT_URL", _https_url),
    "CLOSENESS_PRACTICE_NAME": ("PRACTICE_NAME", _text),
    "CLOSENESS_PRACTICE_RESPONSE_TIME": ("PRACTICE_RESPONSE_TIME", _text),
    "CLOSENESS_DECISION_LOG": ("DECISION_LOG", _flag),
    "CLOSENESS_DECISION_LOG_URL": ("DATABASE_URL", _database_url),  # the old name, read first
    "CLOSENESS_DATABASE_URL": ("DATABASE_URL", _database_url),
    "CLOSENESS_DATA_KEY": ("DATA_KEY", _key_ring),
    "CLOSENESS_COUPLE_INVITE_DAYS": ("COUPLE_INVITE_DAYS", lambda v: _whole(v, 1, 365)),
    "CLOSENESS_COUPLE_RETENTION_DAYS": ("COUPLE_RETENTION_DAYS", lambda v: _whole(v, 1, 3650)),
    "CLOSENESS_COUPLE_SHARING_NOTE": ("COUPLE_SHARING_NOTE", lambda v: _text(v, 300)),
    "CLOSENESS_DECISION_LOG_ANSWERS": ("DECISION_LOG_ANSWERS", _flag),
    "CLOSENESS_API_KEY": ("API_KEY", _api_keys),
    "CLOSENESS_ALERT_WEBHOOK_URL": ("ALERT_WEBHOOK_URL", _https_url),
    "CLOSENESS_ALERT_SECRET": ("ALERT_SECRET", _secret),
    "CLOSENESS_ALERT_NOTED": ("ALERT_NOTED", _flag),
    "CLOSENESS_DECISION_LOG_RETENTION_DAYS": ("DECISION_LOG_RETENTION_DAYS", _positive_int),
    "CLOSENESS_DECISION_SPOOL_DIR": ("DECISION_SPOOL_DIR", _absolute_path),
    "CLOSENESS_DECISION_SPOOL_MAX_MB": ("DECISION_SPOOL_MAX_MB", _positive_int),
    "CLOSENESS_READY_REQUIRES_DATABASE": (
        "READY_REQUIRES_DATABASE",
        _flag,
    ),
    "CLOSENESS_HOST": ("HOST", _host),
    "CLOSENESS_PORT": ("PORT", lambda v: _whole(v, 1, 65535)),
    "CLOSENESS_WORKERS": ("WORKERS", _positive_int),
    "CLOSENESS_WORKER_CLASS": ("WORKER_CLASS", lambda v: _one_of(v, ("sync", "gthread"))),
    "CLOSENESS_THREADS": ("THREADS", _positive_int),
    "CLOSENESS_TIMEOUT": ("TIMEOUT", _positive_int),
    "CLOSENESS_MAX_REQUESTS": ("MAX_REQUESTS", _positive_int),
    "CLOSENESS_RULES_SOURCE": ("RULES_SOURCE", str),
    "CLOSENESS_DECISION_LOG_MIGRATE": ("DECISION_LOG_MIGRATE", lambda v: _one_of(v, ("pending",))),
}


MALLOC_VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def preflight(config: dict, environ=os.environ) -> None:
    """What `closeness serve` checks before gunicorn binds, beyond each setting on its own: settings
    that need each other, folders it must be able to create, and the variables of its environment."""
    if config["ALERT_WEBHOOK_URL"] and not config["ALERT_SECRET"]:
        raise ConfigError("CLOSENESS_ALERT_WEBHOOK_URL needs CLOSENESS_ALERT_SECRET to sign the alerts")
    for variable in MALLOC_VARIABLES:
        value = environ.get(variable)
        if value and not (value.isdigit() and int(value) < 1 << 40):
            raise ConfigError(f"{variable} has an invalid value (use a whole number of bytes, 0 or more)")
    for variable in ("PROMETHEUS_MULTIPROC_DIR", "XDG_DATA_HOME"):
        value = environ.get(variable)
        if value and not Path(value).is_absolute():
            raise ConfigError(f"{variable} has an invalid value (use an absolute path)")
    if config["DECISION_LOG"]:
        folders = [("CLOSENESS_DECISION_SPOOL_DIR", spool_base(config))]
        if config["DATABASE_URL"].startswith("sqlite:///"):
            path = Path(config["DATABASE_URL"].removeprefix("sqlite:///"))
            folders.append(("CLOSENESS_DECISION_LOG_URL", path.parent))
        for variable, folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as error:
                raise ConfigError(f"{variable}: cannot use the folder {folder} ({error.strerror})") from None


def startup_warnings(config: dict) -> list[str]:
    """What a deployment should change before real use, said once at start (by gunicorn's master)."""
    warnings = []
    if not config["RESOURCES_FILE"]:
        warnings.append(
            "support resources: using the rulebook's defaults, which name no local service; "
            "set CLOSENESS_RESOURCES_FILE to your local crisis, abuse and counseling services"
        )
    if (config["FORM_HIDE_RESULT"] or config["PRACTICE_NAME"]) and not config["ALERT_WEBHOOK_URL"]:
        # Intake mode relies on the practice seeing urgent results in time.
        warnings.append(
            "intake mode without urgent alerts: the practice is not told of urgent results at once; "
            "set CLOSENESS_ALERT_WEBHOOK_URL and CLOSENESS_ALERT_SECRET"
        )
    return warnings


def spool_base(config: dict) -> Path:
    """The folder that holds the decision spools."""
    return Path(config["DECISION_SPOOL_DIR"] or DATA_DIR / "spool")


class ConfigError(ClosenessError):
    """A setting that cannot be used."""


def settings(environ=os.environ) -> dict:
    """Every setting: the defaults, with what the environment sets over them."""
    return {**DEFAULTS, **settings_from_env(environ)}


def settings_from_env(environ=os.environ) -> dict:
    """Settings given as CLOSENESS_* environment variables."""
    old, new = environ.get("CLOSENESS_DECISION_LOG_URL"), environ.get("CLOSENESS_DATABASE_URL")
    if old and new and old != new:
        raise ConfigError(
            "CLOSENESS_DATABASE_URL and its old name CLOSENESS_DECISION_LOG_URL name different databases; "
            "keep one"
        )
    settings = {}
    for variable, (name, parse) in ENVIRONMENT.items():
        if environ.get(variable):
            try:
                settings[name] = parse(environ[variable])
            except ValueError as error:
                raise ConfigError(f"{variable} has an invalid value ({error})") from None
    return settings


_resources_schema = ResourceSchema(many=True)


def rules_dir(explicit: str | Path | None = None) -> Path:
    """An explicit directory, else CLOSENESS_RULES_DIR, else the packaged rules."""
    return Path(explicit) if explicit else default_rules_dir()


def load_resources(path: str | Path | None, concerns=(), defaults=()) -> list[Resource] | None:
    """Support resources from a JSON file, or None to use the rulebook's defaults.

    concerns: the rulebook's concern ids. Every concern, declined topic and recommendation must be
    served by at least one entry, so that no result can go out without support; so must every
    answer the rulebook's default resources serve on their own (answer:partner_harmed_me: a sexual
    violence service).
    """
    if not path:
        return None
    try:
        resources = _resources_schema.load(parse_json(Path(path).read_bytes()))
    except OSError as error:
        raise ConfigError(f"resources file {path}: {error.strerror}") from None
    except (JsonInputError, ValidationError) as error:
        raise ConfigError(f"resources file {path}: {error}") from None
    if concerns:
        targets = resource_targets(
            concerns,
            load_questionnaire().topics,
            RECOMMENDATIONS,
            [q.id for q in load_questionnaire().base_safety_questions],
        )
        unknown = unknown_targets(resources, targets)
        if unknown:
            index, value = unknown[0]
            raise ConfigError(
                f"resources file {path}: entry {index}: 'for' names '{value}', which is unknown"
            )
        served = {value for entry in resources for value in entry.for_}
        answers = {t for t in targets if t.startswith("answer:")}
        required = answers & {value for entry in defaults for value in entry.for_}
        unserved = sorted(targets - served - {"mood"} - (answers - required))
        if unserved:
            raise ConfigError(f"resources file {path}: nothing serves {', '.join(unserved)}")
    return resources
