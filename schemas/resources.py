"""ResourceSchema: one support resource (a helpline, a crisis line, a counselor), the one definition.

Used for the rulebook's default resources and for a deployment's CLOSENESS_RESOURCES_FILE. `for`
names what the entry serves: safety concerns, declined topics ("declined:<topic>"), base safety
questions answered yes or "I'd rather not say" ("answer:<question id>"), the recommendations of
non-urgent results (the calm list), and "mood" (a mood item answered yes).
"""

import re

from marshmallow import Schema, fields, validate

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_text = {"validate": validate.Length(min=1, max=500)}

ResourceSchema = Schema.from_dict(
    {
        "name": fields.String(required=True, **_text),
        "description": fields.String(required=True, **_text),
        "phone": fields.String(**_text),
        "text": fields.String(**_text),
        "chat": fields.URL(schemes={"https"}),
        "url": fields.URL(schemes={"https", "http"}),
        "hours": fields.String(**_text),
        "checked": fields.String(validate=validate.Regexp(DATE, error="checked is a date, YYYY-MM-DD")),
        "for": fields.List(
            fields.String(validate=validate.Length(min=1)),
            required=True,
            validate=validate.Length(min=1, error="for names at least one use"),
        ),
    },
    name="ResourceSchema",
)


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


def unknown_targets(resources: list, targets: frozenset) -> list[tuple[int, str]]:
    """(entry index, value) for every `for` value that names nothing this rulebook knows."""
    return [(i, value) for i, entry in enumerate(resources) for value in entry["for"] if value not in targets]


def contact_text(resource: dict) -> str:
    """How to reach a resource, for plain-text places (cards, OperationOutcomes): " (phone; url; hours)"."""
    parts = [resource[key] for key in ("phone", "text", "chat", "url", "hours") if resource.get(key)]
    return f" ({'; '.join(parts)})" if parts else ""
