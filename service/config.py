"""Settings: defaults, then CLOSENESS_* environment variables, then a test mapping."""

import os
from pathlib import Path

from marshmallow import ValidationError, fields, validate

from schemas.base import BaseSchema
from service.exceptions import ClosenessError
from service.jsonio import JsonInputError, parse_json
from service.rulebook import default_rules_dir

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
    # Practices that go through the answers first: the form only posts the result to its parent.
    "FORM_HIDE_RESULT": False,
    # The decision log: off by default. SQLite embedded; a PostgreSQL URL for several instances.
    "DECISION_LOG": False,
    "DECISION_LOG_URL": "sqlite:///closeness-decisions.sqlite3",
    "DECISION_LOG_ANSWERS": False,  # answers are stored only when this is also on
    "API_KEY": None,  # for GET /v1/decisions; without one those endpoints stay closed
}

# environment variable -> (setting, parser)
ENVIRONMENT = {
    "CLOSENESS_RULES_DIR": ("RULES_DIR", str),
    "CLOSENESS_RESOURCES_FILE": ("RESOURCES_FILE", str),
    "CLOSENESS_MAX_BODY_BYTES": ("MAX_CONTENT_LENGTH", int),
    "CLOSENESS_CORS_ORIGINS": ("CORS_ORIGINS", lambda v: [o.strip() for o in v.split(",") if o.strip()]),
    "CLOSENESS_LOG_LEVEL": ("LOG_LEVEL", str.upper),
    "CLOSENESS_FHIR_BASE": ("FHIR_BASE", str),
    "CLOSENESS_ARTICLE_BASE_URL": ("ARTICLE_BASE_URL", str),
    "CLOSENESS_FRAME_ANCESTORS": (
        "FRAME_ANCESTORS",
        lambda v: [o.strip() for o in v.split(",") if o.strip()],
    ),
    "CLOSENESS_FORM_HIDE_RESULT": ("FORM_HIDE_RESULT", lambda v: v.lower() in ("1", "true", "yes")),
    "CLOSENESS_DECISION_LOG": ("DECISION_LOG", lambda v: v.lower() in ("1", "true", "yes")),
    "CLOSENESS_DECISION_LOG_URL": ("DECISION_LOG_URL", str),
    "CLOSENESS_DECISION_LOG_ANSWERS": ("DECISION_LOG_ANSWERS", lambda v: v.lower() in ("1", "true", "yes")),
    "CLOSENESS_API_KEY": ("API_KEY", str),
}


class ConfigError(ClosenessError):
    """A setting that cannot be used."""


def settings_from_env(environ=os.environ) -> dict:
    """Settings given as CLOSENESS_* environment variables."""
    settings = {}
    for variable, (name, parse) in ENVIRONMENT.items():
        if environ.get(variable):
            try:
                settings[name] = parse(environ[variable])
            except ValueError:
                raise ConfigError(f"{variable} has an invalid value") from None
    return settings


class ResourceSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(required=True, validate=validate.Length(min=1))
    contact = fields.String()
    url = fields.URL()


_resources_schema = ResourceSchema(many=True)


def rules_dir(explicit: str | Path | None = None) -> Path:
    """An explicit directory, else CLOSENESS_RULES_DIR, else the packaged rules."""
    return Path(explicit) if explicit else default_rules_dir()


def load_resources(path: str | Path | None) -> list | None:
    """Safety resources from a JSON file, or None to use the rulebook's."""
    if not path:
        return None
    try:
        return _resources_schema.load(parse_json(Path(path).read_bytes()))
    except OSError as error:
        raise ConfigError(f"resources file {path}: {error.strerror}") from None
    except (JsonInputError, ValidationError) as error:
        raise ConfigError(f"resources file {path}: {error}") from None
