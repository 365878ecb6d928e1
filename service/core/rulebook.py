"""Load a rules directory into a checked Rulebook with a version and a content digest."""

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from marshmallow import ValidationError

from schemas.answers import answers_schema
from schemas.model import Definition, Derivation, OutcomeLevel, Rule
from schemas.questionnaire import load_questionnaire
from schemas.resources import Resource, ResourceSchema
from schemas.rulebook_files import Case, CaseSchema, RulebookSchema
from schemas.rulefile import FILE_SCHEMAS
from service.core.couple_rules import CoupleRules, is_couple_file, load_couple_rules
from service.core.rulecheck import Problem, RulebookError, cross_check
from service.core.yamlfile import LoadedYaml, ParseOnce, YamlFileError, load_yaml

RULEBOOK_FILE = "rulebook.yaml"
CASES_SUFFIX = ".cases.yaml"
_case_schema = CaseSchema()
_rulebook_schema = RulebookSchema()
_resource_schema = ResourceSchema()


@dataclass
class Entry:
    """One rule, outcome level or derivation: its typed definition, its file and the cases beside it."""

    spec: Definition
    path: Path
    cases: list[Case] = field(default_factory=list)
    cases_path: Path | None = None

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass
class Rulebook:
    directory: Path
    version: str
    digest: str
    notice: str
    resources: list[Resource]
    case_baseline: dict
    entries: dict[str, Entry]
    concerns: tuple[str, ...] = ()
    step_order: tuple[str, ...] = ()
    would_change_never_with: str | None = None  # a yes/no derivation that withholds what-would-change
    warnings: tuple = ()  # soft problems let through by strict=False
    couple: CoupleRules | None = None  # rules/couple/: couple mode's joint levels (None: no couple mode)

    @property
    def ref(self) -> dict:
        """How results, pages and reports name this rulebook: {version, digest}."""
        return {"version": self.version, "digest": self.digest}

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == kind]

    def rules(self) -> list[Rule]:
        return [e.spec for e in self.entries.values() if isinstance(e.spec, Rule)]

    def levels(self) -> list[OutcomeLevel]:
        """The outcome levels, by priority (lower first)."""
        return sorted(
            (e.spec for e in self.entries.values() if isinstance(e.spec, OutcomeLevel)), key=_priority
        )

    def derivations(self) -> dict[str, Derivation]:
        return {i: e.spec for i, e in self.entries.items() if isinstance(e.spec, Derivation)}


def _priority(level: OutcomeLevel) -> int:
    return level.priority


def default_rules_dir() -> Path:
    """CLOSENESS_RULES_DIR, else the rules shipped with the package."""
    configured = os.environ.get("CLOSENESS_RULES_DIR")
    if configured:
        return Path(configured)
    # Beside the service package (installed side by side), never through `import rules`: a folder
    # named rules/ where the command runs would be imported instead.
    return Path(__file__).resolve().parents[2] / "rules"


def _schema_problems(loaded: LoadedYaml, error: ValidationError, prefix=()) -> list[Problem]:
    out = []

    def walk(messages, path):
        if isinstance(messages, dict):
            for key, value in messages.items():
                walk(value, path if key in ("_schema", "_condition") else path + (key,))
        elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
            for message in messages:
                where = ".".join(str(p) for p in path) or "file"
                out.append(Problem(loaded.path, loaded.line(path), f"{where}: {message}"))
        else:
            for item in messages:
                walk(item, path)

    walk(error.messages, prefix)
    return out


def _load_entry(loaded: LoadedYaml) -> tuple[Entry | None, list[Problem]]:
    data, path = loaded.data, loaded.path
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "a rule file must be a mapping with a 'kind' key")]
    schema = FILE_SCHEMAS.get(data.get("kind"))
    if schema is None:
        kinds = ", ".join(FILE_SCHEMAS)
        return None, [Problem(path, loaded.line(("kind",)), f"kind: must be one of {kinds}")]
    try:
        spec = schema.load(data)
    except ValidationError as error:
        return None, _schema_problems(loaded, error)
    stem = path.name[: -len(".yaml")]
    if spec.id != stem:
        return None, [Problem(path, loaded.line(("id",)), f"id: must match the file name '{stem}'")]
    return Entry(spec, path), []


def _load_cases(entry: Entry, loaded: LoadedYaml, baseline: dict) -> list[Problem]:
    if not isinstance(loaded.data, list) or not loaded.data:
        return [Problem(loaded.path, 1, "a case file is a non-empty list of cases")]
    problems, names = [], set()
    for index, raw in enumerate(loaded.data):
        try:
            case = _case_schema.load(raw)
        except ValidationError as error:
            problems += _schema_problems(loaded, error, (index,))
            continue
        if case.name in names:
            problems.append(Problem(loaded.path, loaded.line((index, "name")), "name: duplicate case name"))
        names.add(case.name)
        try:
            answers = answers_schema.load({**baseline, **case.answers})
        except ValidationError as error:
            problems += _schema_problems(loaded, error, (index, "answers"))
            continue
        entry.cases.append(replace(case, answers=answers))
    return problems


def _missing_cases(entries: dict, unreadable: set) -> list[Problem]:
    """Every rule, level and derivation keeps cases beside it: one that fires and one that stays silent."""
    problems = []
    for entry in entries.values():
        stem = entry.path.name[: -len(".yaml")]
        if entry.cases_path is None:
            problems.append(
                Problem(
                    entry.path,
                    1,
                    f"no cases: add {stem}{CASES_SUFFIX} beside it, with fires_ and silent_ cases",
                    soft=True,
                )
            )
        elif entry.cases_path not in unreadable and entry.cases:
            kinds = {case.fires for case in entry.cases}
            for fires, name in ((True, "fires_"), (False, "silent_")):
                if fires not in kinds:
                    problems.append(
                        Problem(
                            entry.cases_path, 1, f"cases: add a {name} case (none {name[:-1]} yet)", soft=True
                        )
                    )
    return problems


def ruleset_digest(content: dict) -> str:
    """sha256 over canonical JSON: independent of file order, key order and YAML whitespace."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _load_header(directory: Path) -> tuple[dict | None, LoadedYaml | None, list[Problem]]:
    """rulebook.yaml: (its checked content, its lines, problems)."""
    problems: list[Problem] = []
    header = header_loaded = None
    try:
        loaded = header_loaded = load_yaml(directory / RULEBOOK_FILE)
        header = _rulebook_schema.load(loaded.data if loaded.data is not None else {})
        if header["questionnaire"] != load_questionnaire().id:
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line(("questionnaire",)),
                    "questionnaire: not the questionnaire this service asks",
                )
            )
    except FileNotFoundError:
        problems.append(
            Problem(directory / RULEBOOK_FILE, 1, "missing: every rules directory has a rulebook.yaml")
        )
    except YamlFileError as error:
        problems.append(Problem(error.path, error.line, error.message))
    except ValidationError as error:
        problems += _schema_problems(loaded, error)

    return header, header_loaded, problems


def _load_entries(paths: list[Path], load=load_yaml) -> tuple[dict, dict, set, list[Problem]]:
    """Rule, level and derivation files: (entries by id, their lines, files that could not be read,
    problems)."""
    problems: list[Problem] = []
    entries: dict[str, Entry] = {}
    lines: dict[str, LoadedYaml] = {}
    unreadable: set[Path] = set()  # rule files already reported; their case files are not orphans
    for path in paths:
        try:
            loaded = load(path)
        except YamlFileError as error:
            problems.append(Problem(error.path, error.line, error.message))
            unreadable.add(path)
            continue
        entry, found = _load_entry(loaded)
        problems += found
        if entry is None:
            unreadable.add(path)
            continue
        if entry.id in entries:
            first = entries[entry.id].path
            problems.append(
                Problem(path, loaded.line(("id",)), f"id: duplicate id '{entry.id}' (also in {first})")
            )
            continue
        entries[entry.id], lines[entry.id] = entry, loaded
    return entries, lines, unreadable, problems


def load_rulebook(directory: Path | str | None = None, strict: bool = True) -> Rulebook:
    """Load and check every file of a rules directory; raise RulebookError listing all problems.

    strict=False (a diff of a draft) lets gaps in completeness through as the rulebook's warnings.
    """
    directory = Path(directory) if directory is not None else default_rules_dir()
    if not directory.is_dir():
        raise RulebookError([Problem(directory, 1, "rules directory not found")])
    header, header_loaded, problems = _load_header(directory)
    files = sorted(p for p in directory.rglob("*.yaml") if p.name != RULEBOOK_FILE or p.parent != directory)
    load = ParseOnce()  # the couple check reads every rule file; loading reads them again
    couple_files = [p for p in files if is_couple_file(p, load)]
    files = [p for p in files if p not in couple_files]
    entries, lines, unreadable, found = _load_entries(
        [p for p in files if not p.name.endswith(CASES_SUFFIX)], load
    )
    problems += found
    for path in (p for p in files if p.name.endswith(CASES_SUFFIX)):
        stem = path.name[: -len(CASES_SUFFIX)]
        if path.with_name(stem + ".yaml") in unreadable:
            continue
        entry = entries.get(stem)
        if entry is None or entry.path.parent != path.parent:
            problems.append(Problem(path, 1, "orphan case file: no rule with this id beside it", soft=True))
            continue
        try:
            loaded = load_yaml(path)
        except YamlFileError as error:
            problems.append(Problem(error.path, error.line, error.message))
            continue
        entry.cases_path = path
        problems += _load_cases(entry, loaded, header["case_baseline"] if header else {})
    problems += _missing_cases(entries, unreadable)
    problems += cross_check(entries, lines, header, header_loaded)
    couple, found = load_couple_rules(
        couple_files,
        tuple(header["step_order"]) if header else (),
        header["case_baseline"] if header else {},
        load,
    )
    problems += found
    if not entries:
        problems.append(Problem(directory, 1, "no rule files found"))
    warnings = [] if strict else [p for p in problems if p.soft]
    problems = [p for p in problems if strict or not p.soft]
    if problems:
        raise RulebookError(problems)
    content = {
        "version": header["version"],
        "notice": header["notice"],
        "resources": _resource_schema.dump(header["resources"], many=True),
        "concerns": header["concerns"],
        "step_order": header["step_order"],
        "would_change_never_with": header["would_change_never_with"],
        "entries": {entry_id: entry.spec.source for entry_id, entry in entries.items()},
        **({"couple": couple.source} if couple else {}),
    }
    return Rulebook(
        directory=directory,
        version=header["version"],
        digest=ruleset_digest(content),
        notice=header["notice"],
        resources=header["resources"],
        case_baseline=header["case_baseline"],
        entries=dict(sorted(entries.items())),
        concerns=tuple(header["concerns"]),
        step_order=tuple(header["step_order"]),
        would_change_never_with=header["would_change_never_with"],
        warnings=tuple(warnings),
        couple=couple,
    )
