"""ResourceSchema: one support resource (a helpline, a crisis line, a counselor), the one definition.

Used for the rulebook's default resources and for a deployment's CLOSENESS_RESOURCES_FILE. `for`
names what the entry serves: safety concerns, declined topics ("declined:<topic>"), base safety
questions answered yes or "I'd rather not say" ("answer:<question id>"), the recommendations of
non-urgent results (the calm list), and "mood" (a mood item answered yes).
"""

import re
from dataclasses import dataclass

from marshmallow import Schema, fields, post_dump, post_load, validate

from schemas.dumping import compile_dump

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_text = {"validate": validate.Length(min=1, max=500)}
CONTACTS = ("phone", "text", "chat", "url", "hours")


@dataclass(frozen=True, slots=True)
class Resource:
    """One support resource as loaded: `for_` is the file's `for`."""

    name: str
    description: str
    for_: tuple[str, ...]
    phone: str | None = None
    text: str | None = None
    chat: str | None = None
    url: str | None = None
    hours: str | None = None
    checked: str | None = None

    def contact_text(self) -> str:
        """How to reach it, for plain-text places (cards, OperationOutcomes): " (phone; url; hours)"."""
        parts = [value for value in (getattr(self, key) for key in CONTACTS) if value]
        return f" ({'; '.join(parts)})" if parts else ""


class ResourceSchema(Schema):
    MEMO = True  # loaded once, shared by many results (schemas/dumping.py)

    name = fields.String(required=True, **_text)
    description = fields.String(required=True, **_text)
    phone = fields.String(**_text)
    text = fields.String(**_text)
    chat = fields.URL(schemes={"https"})
    url = fields.URL(schemes={"https", "http"})
    hours = fields.String(**_text)
    checked = fields.String(validate=validate.Regexp(DATE, error="checked is a date, YYYY-MM-DD"))
    for_ = fields.List(
        fields.String(validate=validate.Length(min=1)),
        required=True,
        data_key="for",
        validate=validate.Length(min=1, error="for names at least one use"),
    )

    @post_load
    def _resource(self, data: dict, **_) -> Resource:
        return Resource(**{**data, "for_": tuple(data["for_"])})

    @post_dump
    def _present(self, data: dict, **_) -> dict:
        """What an entry does not have is left out, as in its file."""
        return {key: value for key, value in data.items() if value is not None}


_dump_resource = compile_dump(ResourceSchema())


def dump_resources(resources) -> list[dict]:
    """Resources as JSON-ready mappings, as their file writes them."""
    return [_dump_resource(resource) for resource in resources]


def resource_targets(concerns, topics, recommendations, safety_questions=()) -> frozenset:
    """Every value `for` may name."""
    return frozenset(
        [
            *concerns,
            *(f"declined:{topic}" for topic in topics),
            *(f"answer:{question}" for question in safety_questions),
            *recommendations,
            "mood",
        ]
    )


# A phone number inside a resource's phone or text line ("112 in many countries, 911 in the US",
# "(212) 555-1234", "+44 (0)20 7946 0000"): digits, maybe a leading + or (, with spaces, dots, dashes
# and brackets between groups (not slashes: "24/7"); at least three digits; an extension ("ext. 204")
# is not dialled.
# service/api/static/form.js reads numbers the same way.
PHONE_NUMBER = re.compile(r"\+?\(?\d[\d ().-]*\d")
EXTENSION = re.compile(r"\b(ext\.?|x)\s*$", re.I)


def dial_numbers(text: str) -> list[str]:
    """The numbers a phone can dial in a resource's phone or text line, as they appear ("0800 123")."""
    text = text or ""
    found = []
    for match in PHONE_NUMBER.finditer(text):
        if EXTENSION.search(text[max(0, match.start() - 5) : match.start()]):
            continue
        number = match.group(0).strip()
        if sum(c.isdigit() for c in number) >= 3:
            found.append(number)
    return found


def dial_uri(number: str, scheme: str = "tel") -> str:
    """A tel: or sms: URI for a number as written (RFC 3966 keeps only digits and a leading +; an
    international number drops the trunk "(0)")."""
    if number.startswith("+"):
        return f"{scheme}:+" + "".join(c for c in number.replace("(0)", "") if c.isdigit())
    return f"{scheme}:" + "".join(c for c in number if c.isdigit())


def unknown_targets(resources: list[Resource], targets: frozenset) -> list[tuple[int, str]]:
    """(entry index, value) for every `for` value that names nothing this rulebook knows."""
    return [(i, value) for i, entry in enumerate(resources) for value in entry.for_ if value not in targets]
