"""The couple rules (rules/couple/): loaded, checked, and written as a durable_rules ruleset over one
fact per pair, which holds each partner's values under a prefix (`a_self_willing`, `b_self_willing`,
`a_result_recommendation`, `a_history_withdrew`)."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError

from schemas.answers import answers_schema
from schemas.couple_rules import (
    ROLES,
    Both,
    CoupleCase,
    CoupleCaseSchema,
    Either,
    Fact,
    JointLevel,
    JointLevelSchema,
    JointWords,
    JointWordsSchema,
)
from schemas.model import All, Always, Answer, Any
from schemas.questionnaire import article_sections, load_questionnaire
from service.core.conditions import FACT_MARKER, answer_to_durable
from service.core.rulecheck import Problem
from service.core.yamlfile import LoadedYaml, YamlFileError, load_yaml

KINDS = ("joint_level", "joint_words")
WORDS_FILE = "joint-words.yaml"
CASES_SUFFIX = ".cases.yaml"
PAIR_ALWAYS = {FACT_MARKER: "pair"}
_level_schema, _words_schema, _case_schema = JointLevelSchema(), JointWordsSchema(), CoupleCaseSchema()


@dataclass(frozen=True)
class CoupleRules:
    """The joint levels by priority (the gate first), the joint view's words, and each level's cases."""

    levels: tuple[JointLevel, ...]
    words: JointWords
    cases: dict  # level file id -> tuple[CoupleCase, ...]

    @property
    def source(self) -> dict:
        """What the rulebook digest and `rules diff` carry of the couple rules."""
        return {
            "words": self.words.source,
            "levels": {level.id: level.source for level in self.levels},
        }

    def level(self, name: str) -> JointLevel:
        return next(level for level in self.levels if level.level == name)

    @property
    def gate(self) -> JointLevel:
        return next(level for level in self.levels if level.gate)


def field_name(role: str, node: Answer | Fact) -> str:
    """A partner value's property in the pair fact."""
    if isinstance(node, Answer):
        return f"{role}_{node.question}"
    return f"{role}_{node.namespace}_{node.name}"


def _partner_durable(node, role: str) -> dict:
    match node:
        case Answer():
            return answer_to_durable(Answer(field_name(role, node), node.operator, node.value))
        case Fact(operator="is"):
            return {field_name(role, node): node.value}
        case Fact(operator="is_not"):
            return {"$neq": {field_name(role, node): node.value}}
        case Fact(operator="in"):
            return _either([{field_name(role, node): value} for value in node.values])
        case All(items=items):
            return _both([_partner_durable(item, role) for item in items])
        case Any(items=items):
            return _either([_partner_durable(item, role) for item in items])
    raise TypeError(f"not a partner condition: {node!r}")


def pair_durable(node) -> dict:
    """A pair condition as a durable_rules expression over the pair fact."""
    match node:
        case Always():
            return PAIR_ALWAYS
        case Both(partner=partner):
            return _both([_partner_durable(partner, role) for role in ROLES])
        case Either(partner=partner):
            return _either([_partner_durable(partner, role) for role in ROLES])
        case All(items=items):
            return _both([pair_durable(item) for item in items])
        case Any(items=items):
            return _either([pair_durable(item) for item in items])
    raise TypeError(f"not a pair condition: {node!r}")


def _either(parts: list) -> dict:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _both(parts: list) -> dict:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def couple_ruleset(couple: CoupleRules) -> dict:
    """One durable_rules rule per joint level, run by its level name; the last level always holds."""
    return {
        level.level: {"all": [{"m": pair_durable(level.when)}], "run": level.level} for level in couple.levels
    }


def partner_reads(node) -> set[str]:
    """The answer question ids a partner or pair condition reads."""
    match node:
        case Answer(question=question):
            return {question}
        case Both(partner=partner) | Either(partner=partner):
            return partner_reads(partner)
        case All(items=items) | Any(items=items):
            return set().union(*(partner_reads(item) for item in items))
    return set()


def is_couple_file(path: Path, load: Callable[[Path], LoadedYaml] = load_yaml) -> bool:
    """Whether a rule file (or the rule file beside a case file) is a couple rule: by its kind, so a
    flat folder (a Kubernetes ConfigMap) loads like rules/ with its couple/ subfolder."""
    if path.name.endswith(CASES_SUFFIX):
        path = path.with_name(path.name[: -len(CASES_SUFFIX)] + ".yaml")
    try:
        data = load(path).data
    except (YamlFileError, OSError):
        return False
    return isinstance(data, dict) and data.get("kind") in KINDS


def load_couple_rules(
    paths: list[Path], step_order: tuple, baseline: dict, load: Callable[[Path], LoadedYaml] = load_yaml
) -> tuple[CoupleRules | None, list]:
    """The couple rule files among a rules directory's files: (the couple rules, or None when there are
    none; problems)."""
    paths = [p for p in paths if not p.name.endswith(CASES_SUFFIX)]
    if not paths:
        return None, []
    folder = paths[0].parent
    problems: list[Problem] = []
    words, levels, cases = None, [], {}
    for path in paths:
        try:
            loaded = load(path)
            spec = (_words_schema if loaded.data.get("kind") == "joint_words" else _level_schema).load(
                loaded.data
            )
        except YamlFileError as error:
            problems.append(Problem(error.path, error.line, error.message))
            continue
        except ValidationError as error:
            problems.append(Problem(path, 1, f"{_first(error.messages)}"))
            continue
        if isinstance(spec, JointWords):
            words = spec
            continue
        if spec.id != path.name[: -len(".yaml")]:
            problems.append(Problem(path, loaded.line(("id",)), "id: must match the file name"))
            continue
        levels.append(spec)
        cases[spec.id], found = _load_cases(path.with_name(spec.id + CASES_SUFFIX), baseline)
        problems += found
    levels.sort(key=lambda level: level.priority)
    problems += _check(folder, levels, words, step_order)
    if problems:
        return None, problems
    return CoupleRules(tuple(levels), words, {key: tuple(value) for key, value in cases.items()}), []


def _first(messages) -> str:
    """The first message of a nested marshmallow error, with its key path."""
    path = []
    while isinstance(messages, dict):
        key, messages = next(iter(messages.items()))
        if key not in ("_schema", "_condition"):
            path.append(str(key))
    while isinstance(messages, list) and messages and not isinstance(messages[0], str):
        messages = messages[0]
        if isinstance(messages, dict):
            return ".".join(path) + "." + _first(messages)
    text = messages[0] if isinstance(messages, list) and messages else str(messages)
    return f"{'.'.join(path) or 'file'}: {text}"


def _load_cases(path: Path, baseline: dict) -> tuple[list[CoupleCase], list[Problem]]:
    if not path.exists():
        return [], [
            Problem(path.with_name(path.name.replace(CASES_SUFFIX, ".yaml")), 1, f"no cases: add {path.name}")
        ]
    try:
        loaded = load_yaml(path)
    except YamlFileError as error:
        return [], [Problem(error.path, error.line, error.message)]
    if not isinstance(loaded.data, list) or not loaded.data:
        return [], [Problem(path, 1, "a case file is a non-empty list of cases")]
    found, problems = [], []
    for index, raw in enumerate(loaded.data):
        try:
            case = _case_schema.load(raw)
            for role in ROLES:
                answers_schema.load({**baseline, **getattr(case, role)})
        except ValidationError as error:
            problems.append(Problem(path, loaded.line((index,)), f"case {index}: {_first(error.messages)}"))
            continue
        found.append(case)
    return found, problems


def _check(folder: Path, levels: list[JointLevel], words: JointWords | None, step_order: tuple) -> list:
    problems = []
    if words is None:
        problems.append(
            Problem(folder / WORDS_FILE, 1, "missing: the joint view's words (kind: joint_words)")
        )
    elif words.gap_step not in step_order:
        problems.append(Problem(folder / WORDS_FILE, 1, "gap_step: not a step of the rulebook's step_order"))
    elif set(words.gap_words) != set(load_questionnaire().question("partner_willing").values):
        problems.append(
            Problem(folder / WORDS_FILE, 1, "gap_words: give words for each partner_willing value")
        )
    if not levels:
        return problems + [Problem(folder, 1, "no joint levels found")]
    gates = [level for level in levels if level.gate]
    if len(gates) != 1 or levels[0] is not gates[0]:
        problems.append(Problem(folder, 1, "exactly one level is the gate (gate: true), and it comes first"))
    if gates and gates[0].steps:
        problems.append(Problem(folder, 1, "the gate gives no joint steps (steps: false)"))
    if not isinstance(levels[-1].when, Always):
        problems.append(Problem(folder, 1, "the last joint level (highest priority) holds always"))
    for attribute in ("priority", "level"):
        values = [getattr(level, attribute) for level in levels]
        if len(set(values)) != len(values):
            problems.append(Problem(folder, 1, f"two joint levels share a {attribute}"))
    for level in levels:
        if level.section not in article_sections():
            problems.append(Problem(folder / f"{level.id}.yaml", 1, "section: not a section of the article"))
    return problems


def partner_holds(node, role: str, fact: dict) -> bool:
    """Whether a partner condition holds for one role of a pair fact (coverage; the engine decides)."""
    from service.core.explain import held

    match node:
        case Answer():
            return held(Answer(field_name(role, node), node.operator, node.value), fact, {})[0]
        case Fact():
            value = fact.get(field_name(role, node))
            return (value in node.values) if node.operator != "is_not" else value != node.value
        case All(items=items):
            return all(partner_holds(item, role, fact) for item in items)
        case Any(items=items):
            return any(partner_holds(item, role, fact) for item in items)
    raise TypeError(f"not a partner condition: {node!r}")
