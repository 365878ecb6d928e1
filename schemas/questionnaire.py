"""Questionnaire v2 and the article's section index, loaded once from the package's data files."""

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent
QUESTIONNAIRE_FILE = "questionnaire_v2.yaml"
DECLINED = "declined"  # "I'd rather not say": an answer every safety question takes
# Questionnaires that were replaced; answers naming them get a clear message instead of a guess.
RETIRED = ("closeness-v1",)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    section: str | None = None
    phrase: str | None = None  # the option inside a second-person sentence ("being really listened to")


@dataclass(frozen=True)
class Question:
    id: str
    group: str
    text: str
    type: str
    required: bool
    section: str
    basis: str = "article"
    topic: str | None = None  # base safety questions: the support topic (partner, suicide, self_harm)
    follow_up_of: tuple[str, ...] = ()  # follow-ups: asked when one of these is answered yes
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    labels: dict = field(default_factory=dict)
    default: object = None
    because: object = None  # {answer: text}, or for multi_choice a template with {items}
    change: "Change | None" = None  # how this answer may vary for what-would-change (None: locked)

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed values of a choice or multi_choice question."""
        return tuple(option.value for option in self.options)

    @property
    def is_safety(self) -> bool:
        return self.type == "safety"

    @property
    def is_follow_up(self) -> bool:
        return bool(self.follow_up_of)

    def because_text(self, answer) -> str | None:
        """The second-person sentence for this answer (multi_choice: the chosen items), or None."""
        if self.because is None:
            return None
        if self.type == "multi_choice":
            phrases = [o.phrase for o in self.options if o.value in answer]
            if not phrases:
                return None
            items = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
            return self.because.format(items=items)
        return self.because.get(answer)


@dataclass(frozen=True)
class Change:
    """How an answer may be varied when looking for what a suggestion depends on, and the words for
    each change: `to` the values it may take ("any" for a scale: any other value; for a list: the
    removal of one chosen item, never one in `keep`); `text` per new value, or for a list a template
    with {label}."""

    to: object  # "any", "remove" or a tuple of values
    text: object  # {value: text} or a template
    keep: tuple[str, ...] = ()

    def words(self, new_value=None, item_label: str | None = None) -> str:
        if self.to == "remove":
            return self.text.format(label=item_label)
        return self.text[new_value]


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    section: str
    intro: str | None = None
    basis: str = "article"


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    intro: tuple[dict, ...]
    groups: tuple[Group, ...]
    questions: tuple[Question, ...]

    index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.index.update({q.id: q for q in self.questions})

    def question(self, question_id: str) -> Question | None:
        return self.index.get(question_id)

    @cached_property  # computed once: the questionnaire never changes
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @cached_property  # computed once: the questionnaire never changes
    def safety_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.is_safety)

    @cached_property  # computed once: the questionnaire never changes
    def base_safety_questions(self) -> tuple[Question, ...]:
        """The safety questions everyone is asked (not the follow-ups)."""
        return tuple(q for q in self.questions if q.is_safety and not q.is_follow_up)

    @cached_property  # computed once: the questionnaire never changes
    def follow_ups(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.is_follow_up)

    @cached_property  # computed once: the questionnaire never changes
    def changeable(self) -> tuple[Question, ...]:
        """The answers what-would-change may vary, in questionnaire order; every other one is locked."""
        return tuple(q for q in self.questions if q.change is not None)

    @cached_property  # computed once: the questionnaire never changes
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.topic for q in self.base_safety_questions))


def _because(raw: dict, kind: str):
    because = raw.get("because")
    if because is None or kind == "multi_choice":
        return because
    if kind == "integer":
        return {int(k): v for k, v in because.items()}
    return dict(because)


def _change(raw: dict) -> Change | None:
    change = raw.get("change")
    if change is None:
        return None
    to = change["to"] if isinstance(change["to"], str) else tuple(change["to"])
    text = change["text"]
    if isinstance(text, dict):
        text = {int(k) if raw["type"] == "integer" else k: v for k, v in text.items()}
    return Change(to=to, text=text, keep=tuple(change.get("keep", ())))


def _question(raw: dict, scales: dict) -> Question:
    labels = {int(k): v for k, v in scales.get(raw.get("scale"), {}).items()}
    return Question(
        id=raw["id"],
        group=raw["group"],
        text=raw["text"],
        type=raw["type"],
        required=raw["required"],
        section=raw["section"],
        basis=raw.get("basis", "article"),
        topic=raw.get("topic"),
        follow_up_of=tuple(raw.get("follow_up_of", ())),
        options=tuple(Option(**o) for o in raw.get("options", ())),
        minimum=min(labels) if labels else None,
        maximum=max(labels) if labels else None,
        labels=labels,
        default=raw.get("default"),
        because=_because(raw, raw["type"]),
        change=_change(raw),
    )


@cache
def load_questionnaire() -> Questionnaire:
    """Questionnaire v2 from its YAML file."""
    # libyaml's loader where PyYAML has it (8x faster; the same data: tests/unit/test_questionnaire.py)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load((DATA_DIR / QUESTIONNAIRE_FILE).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    scales = raw.get("scales", {})
    return Questionnaire(
        id=raw["id"],
        version=str(raw["version"]),
        title=raw["title"],
        intro=tuple(raw["intro"]),
        groups=tuple(Group(**g) for g in raw["groups"]),
        questions=tuple(_question(q, scales) for q in raw["questions"]),
    )


@cache
def article_sections() -> dict[str, dict]:
    """The article's sections by id (a copy of shared/article/sections.json)."""
    entries = json.loads((DATA_DIR / "article_sections.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in entries}
