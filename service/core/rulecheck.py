"""Checks across the rulebook's files, and the problems they report (each with file and line)."""

from dataclasses import dataclass
from pathlib import Path

from schemas.conditions import nearest
from schemas.model import ConcernEffect, Derivation, OutcomeEffect, OutcomeLevel, Rule, StepEffect
from schemas.questionnaire import article_sections, load_questionnaire
from schemas.resources import resource_targets, unknown_targets
from schemas.rulefile import RECOMMENDATIONS
from service.core.conditions import condition_references, referenced_answers
from service.core.exceptions import ClosenessError


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    # A gap in completeness (missing cases, an orphan case file, a header listing a removed rule):
    # refused by `rules check` and at startup, but a rules diff of a draft can still compare.
    soft: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RulebookError(ClosenessError):
    """A rules directory that cannot be used; carries every problem found, each with file and line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


SAFETY_SECTION = "seek-professional-help-if-needed"


def cross_check(entries: dict, lines: dict, header: dict | None = None, header_lines=None) -> list[Problem]:
    """Problems between files: citations and their basis, references, levels, concerns, steps, cycles."""
    sections = article_sections()
    problems = []

    def problem(entry, key_path, message):
        problems.append(Problem(entry.path, lines[entry.id].line(key_path), message))

    for entry in entries.values():
        spec = entry.spec
        if spec.section not in sections:
            problem(
                entry,
                ("section",),
                f"section: {nearest(spec.section, sections)} is not a section id of the article",
            )
        for key_path, node in spec.conditions:
            for ref_kind, ref, ref_node in condition_references(node):
                target = entries.get(ref)
                wanted = "counts" if ref_kind == "count" else "when"
                if target is None or not _derivation_of(target.spec, wanted):
                    kind = "a counting" if ref_kind == "count" else "a yes/no"
                    derivations = [e.id for e in entries.values() if _derivation_of(e.spec, wanted)]
                    problem(
                        entry,
                        key_path,
                        f"{ref_kind}: {nearest(ref, derivations)} is not {kind} derivation in this rulebook",
                    )
                elif ref_kind == "count" and ref_node.at_least > len(target.spec.counts):
                    size = len(target.spec.counts)
                    problem(entry, key_path, f"at_least: '{ref}' counts only {size} conditions")
        outcome = _outcome_of(spec)
        if outcome is not None:
            target = entries.get(outcome)
            if target is None or target.kind != "outcome":
                levels = [e.id for e in entries.values() if e.kind == "outcome"]
                problem(
                    entry,
                    ("effect", "outcome"),
                    f"effect.outcome: {nearest(outcome, levels)} is not an outcome level here",
                )
        step = spec.effect if isinstance(spec, Rule) and isinstance(spec.effect, StepEffect) else None
        if step is not None and step.section not in sections:
            problem(
                entry,
                ("effect", "section"),
                f"effect.section: {nearest(step.section, sections)} is not a section id of the article",
            )
    problems += _basis_problems(entries, lines)
    problems += _clinician_problems(entries, lines)
    if header is not None:
        problems += _header_problems(entries, lines, header, header_lines)
    outcomes = [e for e in entries.values() if e.kind == "outcome"]
    priorities: dict[int, str] = {}
    for entry in outcomes:
        if entry.spec.priority in priorities:
            problem(entry, ("priority",), f"priority: already used by '{priorities[entry.spec.priority]}'")
        priorities[entry.spec.priority] = entry.id
    fallbacks = [e for e in outcomes if e.spec.fallback]
    if outcomes and len(fallbacks) != 1:
        problem(outcomes[0], ("fallback",), "exactly one outcome level must be the fallback")
    return problems + _cycles(entries, lines)


def _derivation_of(spec, wanted: str) -> bool:
    """Whether spec is a derivation defined by `wanted` (counts: a counting one; when: a yes/no one)."""
    return isinstance(spec, Derivation) and getattr(spec, wanted) is not None


def _outcome_of(spec) -> str | None:
    """The outcome level a rule's effect names, if any."""
    if isinstance(spec, Rule) and isinstance(spec.effect, OutcomeEffect | ConcernEffect):
        return spec.effect.outcome
    return None


def _cited_by_what_it_reads(entry, entries) -> set[str]:
    """Sections an article-based entry may cite: what it gives, and the questions and options it reads."""
    spec = entry.spec
    allowed = set()
    if isinstance(spec, OutcomeLevel):
        allowed.add(spec.section)
    if _outcome_of(spec) in entries:
        allowed.add(entries[_outcome_of(spec)].spec.section)
    if isinstance(spec, Rule) and isinstance(spec.effect, StepEffect):
        allowed.add(spec.effect.section)
    questionnaire = load_questionnaire()
    for node in spec.reading:
        try:
            read = referenced_answers(node, entries)
        except (KeyError, AttributeError, TypeError):  # a broken reference, reported on its own
            continue
        for question_id, values in read:
            question = questionnaire.question(question_id)
            if question is None:
                continue
            allowed.add(question.section)
            allowed.update(o.section for o in question.options if o.value in values and o.section)
    return allowed


def _basis_problems(entries, lines) -> list[Problem]:
    problems = []
    for entry in entries.values():
        line = lines[entry.id].line(("section",))
        section = entry.spec.section
        if entry.spec.basis == "safety-guidance":
            if section != SAFETY_SECTION:
                problems.append(
                    Problem(
                        entry.path,
                        line,
                        f"section: safety guidance does not come from the article; cite {SAFETY_SECTION}, "
                        f"not '{section}'",
                    )
                )
            continue
        allowed = _cited_by_what_it_reads(entry, entries)
        if section not in allowed:
            choices = ", ".join(sorted(allowed)) or "none"
            problems.append(
                Problem(
                    entry.path,
                    line,
                    f"section: '{section}' is neither the section of what this gives nor of a "
                    f"question or option it reads (those are: {choices})",
                )
            )
    return problems


def _clinician_problems(entries, lines) -> list[Problem]:
    """A concern's clinician words name real safety questions; the web form's support topics are the
    safety questions' topics, each given by at least one concern (form_topic)."""
    questionnaire = load_questionnaire()
    safety = {q.id for q in questionnaire.base_safety_questions} | {q.id for q in questionnaire.follow_ups}
    topics = {q.topic for q in questionnaire.base_safety_questions}
    problems, served = [], set()
    for entry in entries.values():
        effect = getattr(entry.spec, "effect", None)
        if not isinstance(effect, ConcernEffect):
            continue
        for question, _ in effect.clinician.basis if effect.clinician else ():
            if question not in safety:
                problems.append(
                    Problem(
                        entry.path,
                        lines[entry.id].line(("effect", "clinician", "basis", question)),
                        f"effect.clinician.basis: '{question}' is not a safety question",
                    )
                )
        if effect.form_topic is not None:
            served.add(effect.form_topic)
            if effect.form_topic not in topics:
                problems.append(
                    Problem(
                        entry.path,
                        lines[entry.id].line(("effect", "form_topic")),
                        f"effect.form_topic: '{effect.form_topic}' is not a topic of the safety questions "
                        f"({', '.join(sorted(topics))})",
                    )
                )
    concern_entries = [
        e for e in entries.values() if isinstance(getattr(e.spec, "effect", None), ConcernEffect)
    ]
    if concern_entries:
        for topic in sorted(topics - served):
            first = concern_entries[0]
            problems.append(
                Problem(
                    first.path,
                    lines[first.id].line(("effect",)),
                    f"no concern gives the form's support for the topic '{topic}' (effect.form_topic)",
                    soft=True,
                )
            )
    return problems


def _header_problems(entries, lines, header, header_lines) -> list[Problem]:
    """The header's concerns, step order and resources against the rules that use them."""
    problems = []
    rules = [e for e in entries.values() if e.kind == "rule"]
    concerns = header["concerns"]

    def at_header(key_path, message, soft=False):
        problems.append(Problem(header_lines.path, header_lines.line(key_path), message, soft))

    def at(entry, key_path, message):
        problems.append(Problem(entry.path, lines[entry.id].line(key_path), message))

    by_concern: dict[str, list] = {}
    for entry in rules:
        effect = entry.spec.effect
        if isinstance(effect, ConcernEffect):
            by_concern.setdefault(effect.concern, []).append(entry)
            if effect.concern not in concerns:
                at(
                    entry,
                    ("effect", "concern"),
                    f"effect.concern: '{effect.concern}' is not listed in concerns",
                )
            for other in (*effect.unless, *(name for name, _ in effect.summary_with)):
                if other not in concerns:
                    at(entry, ("effect",), f"effect: '{other}' is not a concern listed in rulebook.yaml")
            target = entries.get(effect.outcome)
            if target is not None and target.kind == "outcome" and target.spec.urgent != effect.urgent:
                at(
                    entry,
                    ("effect", "outcome"),
                    "effect.outcome: an urgent concern gives the urgent level, "
                    "a noted one a level that is not urgent",
                )
        elif isinstance(effect, OutcomeEffect):
            target = entries.get(effect.outcome)
            if target is not None and target.kind == "outcome" and target.spec.urgent:
                at(entry, ("effect", "outcome"), "effect.outcome: only concerns lead to the urgent level")
    for index, concern in enumerate(concerns):
        if len(by_concern.get(concern, [])) != 1:
            message = f"concerns: '{concern}' needs exactly one rule with that concern"
            at_header(("concerns", index), message, soft=True)
    steps = {e.spec.effect.step for e in rules if isinstance(e.spec.effect, StepEffect)}
    order = header["step_order"]
    for index, step in enumerate(order):
        if step not in steps or order.index(step) != index:
            at_header(
                ("step_order", index), f"step_order: '{step}' is not a step given once by a rule", soft=True
            )
    for step in sorted(steps - set(order)):
        at_header(("step_order",), f"step_order: the step '{step}' is missing")
    levels = {e.id: e.spec for e in entries.values() if isinstance(e.spec, OutcomeLevel)}
    for entry in (e for e in entries.values() if isinstance(e.spec, OutcomeLevel)):
        level = entry.spec
        if level.yields_to is not None and (level.yields_to not in levels or level.yields_to == level.id):
            at(entry, ("yields_to",), f"yields_to: {nearest(level.yields_to, levels)} is not another level")
        elif level.yields_to is not None and level.yields_when is None:
            at(entry, ("yields_to",), "yields_to needs yields_when (when this level gives way)")
        for index, text in enumerate(level.variants):
            source = levels.get(text.yielded_from)
            if text.yielded_from is not None and (source is None or source.yields_to != level.id):
                at(
                    entry,
                    ("variants", index, "yielded_from"),
                    f"variants: '{text.yielded_from}' is not a level that gives way to this one (yields_to)",
                )
        for index, concern in enumerate(entry.spec.no_steps_with_concerns):
            if concern not in concerns:
                at(
                    entry,
                    ("no_steps_with_concerns", index),
                    f"no_steps_with_concerns: '{concern}' is not a concern",
                )
    return (
        problems
        + _resource_problems(header, header_lines)
        + _withheld_problems(entries, header, header_lines)
    )


def _withheld_problems(entries, header, header_lines) -> list[Problem]:
    """would_change_never_with names a yes/no derivation."""
    withheld = header.get("would_change_never_with")
    if withheld is None or (withheld in entries and _derivation_of(entries[withheld].spec, "when")):
        return []
    line = header_lines.line(("would_change_never_with",))
    return [
        Problem(header_lines.path, line, f"would_change_never_with: '{withheld}' is not a yes/no derivation")
    ]


def _resource_problems(header, header_lines) -> list[Problem]:
    """Every `for` of the default resources names a concern, topic, answer or outcome of this rulebook."""
    targets = resource_targets(
        header["concerns"],
        load_questionnaire().topics,
        RECOMMENDATIONS,
        [q.id for q in load_questionnaire().base_safety_questions],
    )
    return [
        Problem(
            header_lines.path,
            header_lines.line(("resources", index, "for")),
            f"resources.for: '{value}' names no concern, topic or outcome",
        )
        for index, value in unknown_targets(header["resources"], targets)
    ]


def _cycles(entries, lines) -> list[Problem]:
    def refs(entry):
        return {
            ref for node in entry.spec.reading for _, ref, _ in condition_references(node) if ref in entries
        }

    problems, done = [], set()

    def visit(entry_id, trail):
        if entry_id in trail:
            entry = entries[entry_id]
            chain = " -> ".join(trail[trail.index(entry_id) :] + [entry_id])
            problems.append(
                Problem(entry.path, lines[entry_id].line(("when",)), f"circular derivation: {chain}")
            )
            return
        if entry_id in done:
            return
        for ref in sorted(refs(entries[entry_id])):
            visit(ref, trail + [entry_id])
        done.add(entry_id)

    for entry_id in sorted(entries):
        visit(entry_id, [])
    return problems
