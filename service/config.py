"""Settings shared by the CLI and the web app: rules directory and safety resources."""

import os
from pathlib import Path

from marshmallow import ValidationError, fields, validate

from schemas.base import BaseSchema
from service.exceptions import ClosenessError
from service.jsonin import JsonInputError, parse_json
from service.rulebook import default_rules_dir


class ConfigError(ClosenessError):
    """A setting that cannot be used."""


class ResourceSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(required=True, validate=validate.Length(min=1))
    contact = fields.String()
    url = fields.URL()


_resources_schema = ResourceSchema(many=True)


def rules_dir(explicit: str | Path | None = None) -> Path:
    """An explicit directory, else CLOSENESS_RULES_DIR, else the packaged rules."""
    return Path(explicit) if explicit else default_rules_dir()


def load_resources(path: str | Path | None = None) -> list | None:
    """Safety resources from a JSON file (CLOSENESS_RESOURCES_FILE), or None for the rulebook's."""
    path = path or os.environ.get("CLOSENESS_RESOURCES_FILE")
    if not path:
        return None
    try:
        return _resources_schema.load(parse_json(Path(path).read_bytes()))
    except OSError as error:
        raise ConfigError(f"resources file {path}: {error.strerror}") from None
    except (JsonInputError, ValidationError) as error:
        raise ConfigError(f"resources file {path}: {error}") from None
