"""Questionnaire v1 and the article's section index, loaded once from the package's data files."""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent
QUESTION_TYPES = ("integer", "boolean", "choice", "multi_choice")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    section: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    group: str
    text: str
    type: str
    required: bool
    section: str
    also_cites: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    labels: dict = field(default_factory=dict)
    default: object = None

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed values of a choice or multi_choice question."""
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    section: str
    intro: str | None = None


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    groups: tuple[Group, ...]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)


def _question(raw: dict, scales: dict) -> Question:
    labels = {int(k): v for k, v in scales.get(raw.get("scale"), {}).items()}
    return Question(
        id=raw["id"],
        group=raw["group"],
        text=raw["text"],
        type=raw["type"],
        required=raw["required"],
        section=raw["section"],
        also_cites=tuple(raw.get("also_cites", ())),
        options=tuple(Option(**o) for o in raw.get("options", ())),
        minimum=min(labels) if labels else None,
        maximum=max(labels) if labels else None,
        labels=labels,
        default=raw.get("default"),
    )


@cache
def load_questionnaire() -> Questionnaire:
    """Questionnaire v1 from its YAML file."""
    raw = yaml.safe_load((DATA_DIR / "questionnaire_v1.yaml").read_text(encoding="utf-8"))
    scales = raw.get("scales", {})
    return Questionnaire(
        id=raw["id"],
        version=str(raw["version"]),
        title=raw["title"],
        groups=tuple(Group(**g) for g in raw["groups"]),
        questions=tuple(_question(q, scales) for q in raw["questions"]),
    )


@cache
def article_sections() -> dict[str, dict]:
    """The article's sections by id (a copy of shared/article/sections.json)."""
    entries = json.loads((DATA_DIR / "article_sections.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in entries}
