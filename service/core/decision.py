"""Turn the rules that fired into a result: concerns, the winning level, steps, reasons, resources.

Python only resolves here, by what the rulebook declares: which concern is urgent and which others
it overrides (`unless`), level priorities and when a level gives way (`yields_when`), which steps
a level gives (`steps`, `no_steps_when`, `no_steps_with_concerns`), the step order, and which
resources serve which concern, declined topic or outcome.
"""

from dataclasses import dataclass
from functools import lru_cache

from schemas.model import (
    ConcernEffect,
    Derived,
    FindingEffect,
    OutcomeEffect,
    OutcomeLevel,
    Rule,
    StepEffect,
)
from schemas.questionnaire import load_questionnaire
from schemas.resources import Resource
from service.core.counterfactuals import would_change
from service.core.engine import RuleEngine
from service.core.exceptions import AnswersInvalid
from service.core.explain import because, because_key, because_reads, held
from service.core.intake import Intake, read_answers, retired_message
from service.core.levels import level_texts
from service.core.result import (
    AlsoConsider,
    Because,
    QuestionnaireRef,
    Reason,
    Result,
    RulesetRef,
    Safety,
    Step,
    WouldChange,
)
from service.core.rulebook import Rulebook
from service.core.structure import Levels, Structure

MOOD_QUESTIONS = ("feeling_down", "lost_interest")


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def _id(rule: Rule) -> str:
    return rule.id


def _reason(
    entry: Rule | OutcomeLevel, title: str | None = None, explanation: str | None = None, because=()
) -> Reason:
    return Reason(
        entry.id, title or entry.title, explanation or entry.explanation, entry.section, entry.basis, because
    )


def _step(effect: StepEffect) -> Step:
    return Step(effect.step, effect.title, effect.advice, effect.section)


class Resolver:
    """Resolves fired rule ids into a result, by what the rulebook declares."""

    def __init__(self, rulebook: Rulebook, resources: list):
        self.rulebook = rulebook
        self.resources = resources
        self.levels = rulebook.levels()
        self.fallback_level = next(level for level in self.levels if level.fallback)
        self.step_rank = {step: index for index, step in enumerate(rulebook.step_order)}
        self.rules: dict[str, Rule] = {rule.id: rule for rule in rulebook.rules()}
        self.concern_rules: dict[str, Rule] = {
            rule.effect.concern: rule
            for rule in self.rules.values()
            if isinstance(rule.effect, ConcernEffect)
        }
        self.topics = {q.id: q.topic for q in load_questionnaire().base_safety_questions}
        self.answer_tags = {q: f"answer:{q}" for q in self.topics}  # in the questionnaire's order
        self.clinician_words = {c: rule.effect.clinician for c, rule in self.concern_rules.items()}
        # Each safety topic's concerns (form_topic), in the rulebook's order: the web form's support.
        self.form_topics: dict[str, tuple[str, ...]] = {
            topic: tuple(
                c
                for c in rulebook.concerns
                if c in self.concern_rules and self.concern_rules[c].effect.form_topic == topic
            )
            for topic in dict.fromkeys(self.topics.values())
        }
        # What `because` depends on, for each rule (see `reason`).
        self.reads = {rule_id: because_reads(rule, rulebook.entries) for rule_id, rule in self.rules.items()}
        self._reason_cache: dict[tuple, Reason] = {}
        # Each outcome rule as the level it leads to: what levels_part reads of it.
        self.outcome_marks = {
            rule_id: ("outcome", rule.effect.outcome)
            for rule_id, rule in self.rules.items()
            if isinstance(rule.effect, OutcomeEffect)
        }
        self.step_and_finding_ids = frozenset(
            rule_id
            for rule_id, rule in self.rules.items()
            if isinstance(rule.effect, StepEffect | FindingEffect)
        )
        self.step_items = {
            rule_id: _step(rule.effect)
            for rule_id, rule in self.rules.items()
            if isinstance(rule.effect, StepEffect)
        }
        self.questionnaire_ref = QuestionnaireRef(load_questionnaire().id, load_questionnaire().version)
        self.ruleset_ref = RulesetRef(rulebook.version, rulebook.digest)

    def concerns(self, fired) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(urgent, noted) concern ids, in the rulebook's order; `unless` drops overridden ones."""
        raw = {
            rule.effect.concern
            for rule in (self.rules.get(r) for r in fired)
            if rule is not None and isinstance(rule.effect, ConcernEffect)
        }
        active = [
            c
            for c in self.rulebook.concerns
            if c in raw and not raw & set(self.concern_rules[c].effect.unless)
        ]
        urgent = tuple(c for c in active if self.concern_rules[c].effect.urgent)
        return urgent, tuple(c for c in active if not self.concern_rules[c].effect.urgent)

    @lru_cache(maxsize=1024)  # noqa: B019 - one Resolver per rulebook; the common keys fill it early
    def levels_part(self, key: frozenset) -> Levels:
        """What depends on the concern rules and level conditions that fired and the levels outcome rules
        led to (never on steps, findings or which outcome rules: few keys, mostly resolved once)."""
        urgent, noted = self.concerns(key)
        active = set(urgent) | set(noted)
        held = {mark[1] for mark in key if type(mark) is tuple}  # ("outcome", level id)
        for rule in (self.rules[r] for r in key if r in self.rules):
            match rule.effect:
                case ConcernEffect(concern=concern, outcome=outcome) if concern in active and outcome:
                    held.add(outcome)
        # A level that gives way (yields_when) makes the level it names (yields_to) hold.
        yielded = frozenset(
            level.id
            for level in self.levels
            if level.id in held and level.condition_name(("yields_when",)) in key
        )
        held |= {level.yields_to for level in self.levels if level.id in yielded and level.yields_to}
        held_levels = [level for level in self.levels if level.id in held and not level.fallback]
        winner = next((level for level in held_levels if level.id not in yielded), self.fallback_level)
        also: list[OutcomeLevel] = []
        if not winner.urgent:
            for level in held_levels:
                if level is winner or level.urgent or level.recommendation == winner.recommendation:
                    continue
                if all(other.recommendation != level.recommendation for other in also):
                    also.append(level)
        texts = level_texts(winner, key, yielded)
        also_items = []
        for level in also:
            also_texts = level_texts(level, key, yielded)
            also_items.append(
                AlsoConsider(level.recommendation, also_texts["headline"], also_texts["also_consider_text"])
            )
        return Levels(
            winner,
            urgent,
            noted,
            tuple(also),
            tuple(self.concern_rules[c] for c in (*urgent, *noted)),
            texts,
            _reason(winner, explanation=texts["explanation"]),
            tuple(also_items),
            self._step_mode(winner, key, noted),
        )

    def _step_mode(self, winner: OutcomeLevel, fired: frozenset, noted: tuple) -> str:
        """Which of the fired steps the winner gives: none, own (on-your-own ones) or all."""
        if winner.steps == "none":
            return "none"
        if winner.steps == "all" and winner.condition_name(("steps_on_your_own_when",)) in fired:
            return "own"
        if winner.steps == "on_your_own":
            withheld = winner.condition_name(("no_steps_when",)) in fired or set(noted) & set(
                winner.no_steps_with_concerns
            )
            return "none" if withheld else "own"
        return "all"

    def structure(self, fired: frozenset) -> Structure:
        key, toward, chosen_steps, findings = [], [], [], []  # toward: outcome rules, with their levels
        marks, step_or_finding = self.outcome_marks, self.step_and_finding_ids
        for rule_id in fired:  # one pass: each fired rule to the part it belongs to
            if rule_id in step_or_finding:
                rule = self.rules[rule_id]
                (chosen_steps if isinstance(rule.effect, StepEffect) else findings).append(rule)
            else:
                key.append(marks.get(rule_id, rule_id))
                toward += [rule_id] if rule_id in marks else ()
        part = self.levels_part(frozenset(key))
        if part.step_mode == "none" and part.winner.urgent:
            chosen_steps, findings = [], []
        steps = self._steps(part.step_mode, chosen_steps)
        if part.winner.urgent:
            reported = part.concern_rules
        else:  # the rules toward the winning level come after the concerns
            winner = ("outcome", part.winner.id)
            own = sorted((self.rules[r] for r in toward if marks[r] == winner), key=_id)
            reported = (*part.concern_rules, *own, *steps, *sorted(findings, key=_id))
        return Structure(part, tuple(steps), tuple(reported), tuple(self.step_items[r.id] for r in steps))

    def _steps(self, mode: str, step_rules: list[Rule]) -> list[Rule]:
        if mode == "none":
            return []
        if mode == "own":
            chosen = [r for r in step_rules if r.effect.on_your_own and not r.effect.fallback]
        else:
            chosen = [r for r in step_rules if not r.effect.fallback] or [
                r for r in step_rules if r.effect.fallback
            ]
        chosen.sort(key=lambda r: (self.step_rank[r.effect.step], r.id))
        unique: dict[str, Rule] = {}
        for rule in chosen:
            unique.setdefault(rule.effect.step, rule)
        return list(unique.values())

    def _texts(self, structure: Structure, hedged: set) -> tuple[str, str]:
        """The result's title and summary: the first urgent concern's (its hedged words when it holds
        only by a skipped or declined follow-up; an explicitly answered follow-up concern goes before a
        hedged one), else the winning level's."""
        if not structure.levels.urgent:
            return structure.levels.texts["headline"], structure.levels.texts["summary"]
        first = structure.levels.urgent[0]
        if first in hedged:
            # An explicit yes to another follow-up concern is never softened by this one's skipped
            # follow-up: that concern's words lead (they name this one's help too).
            explicit = [
                c for c in structure.levels.urgent if self.concern_rules[c].effect.hedged and c not in hedged
            ]
            first = explicit[0] if explicit else first
        effect = self.concern_rules[first].effect
        words = effect.hedged if first in hedged else effect
        summary = words.summary
        for other, text in words.summary_with:
            if other in structure.levels.urgent:
                summary = text
                break
        return words.headline, summary

    def hedged(self, structure: Structure, answers: dict) -> set:
        """Concerns that hold only because a follow-up was skipped or declined (counted as yes): their
        condition does not hold on the answers as given."""
        out = set()
        for concern in (*structure.levels.urgent, *structure.levels.noted):
            rule = self.concern_rules[concern]
            if rule.effect.hedged is not None and not held(rule.when, answers, self.rulebook.entries)[0]:
                out.add(concern)
        return out

    @lru_cache(maxsize=64)  # noqa: B019 - a concern's rule, hedged or not: a few dozen keys at most
    def _concern_reason(self, rule_id: str, is_hedged: bool) -> Reason:
        rule = self.rules[rule_id]
        words = rule.effect.hedged if is_hedged else None
        return _reason(rule, words.title, words.explanation) if words else _reason(rule)

    @lru_cache(maxsize=1024)  # noqa: B019 - keys are drawn from small fixed sets
    def select_resources(self, tags: tuple[str, ...], calm: tuple[str, ...]) -> tuple[Resource, ...]:
        """Entries serving the tags, in the tags' order; then the calm list, in file order: at most
        three for the outcome and one for mood (a doctor), so never more than four."""
        chosen: list = []
        for tag in tags:
            chosen += [entry for entry in self.resources if tag in entry.for_ and entry not in chosen]
        outcome = [t for t in calm if t != "mood"]
        calm_list = [e for e in self.resources if set(outcome) & set(e.for_)][:3]
        if "mood" in calm:
            calm_list += [e for e in self.resources if "mood" in e.for_ and e not in calm_list][:1]
        return tuple(chosen + [e for e in calm_list if e not in chosen])

    def safety_tags(self, urgent, noted, declined, answers: dict) -> tuple[str, ...]:
        """What support is chosen by: concerns, declined topics, then each base safety question
        answered yes or "I'd rather not say" (answer:<id>), in the questionnaire's order."""
        tag = self.answer_tags
        if not declined:  # the usual case
            return (*urgent, *noted, *[tag[q] for q in tag if answers.get(q) is True])
        topics = dict.fromkeys(self.topics[q] for q in declined)
        return (
            *urgent,
            *noted,
            *[f"declined:{topic}" for topic in topics],
            *[tag[q] for q in tag if answers.get(q) is True or q in declined],
        )

    def reason(self, rule: Rule, answers: dict) -> Reason:
        """A rule's reason with what this person said that made it hold: cached by the answers the rule
        reads, a multiple choice by the chosen options its conditions name (a bounded dict: at most 2,048
        entries, each a rule and a few answers from small fixed sets; the first ones, the common ones)."""
        key = because_key(rule.id, self.reads[rule.id], answers)
        cached = self._reason_cache.get(key)
        if cached is None:
            found = because(self.rules[rule.id], answers, self.rulebook.entries)
            cached = _reason(
                rule, because=tuple(Because(b["question"], _frozen(b["answer"]), b["text"]) for b in found)
            )
            if len(self._reason_cache) < 2048:
                self._reason_cache[key] = cached
        return cached

    def resolve(self, fired: list[str], intake: Intake) -> Result:
        structure = self.structure(frozenset(fired))
        answers = intake.answers
        winner = structure.levels.winner
        hedged = self.hedged(structure, answers) if structure.levels.urgent else set()
        title, summary = self._texts(structure, hedged)
        reasons = [structure.levels.level_reason]
        reasons += [
            self._concern_reason(rule.id, rule.effect.concern in hedged)
            if isinstance(rule.effect, ConcernEffect)
            else self.reason(rule, answers)
            for rule in structure.reported
        ]
        calm: tuple[str, ...] = ()
        if not structure.levels.urgent:
            mood = any(answers.get(q) is True for q in MOOD_QUESTIONS)
            calm = (winner.recommendation, "mood") if mood else (winner.recommendation,)
        tags = self.safety_tags(structure.levels.urgent, structure.levels.noted, intake.declined, answers)
        return Result(
            recommendation=winner.recommendation,
            urgent=bool(structure.levels.urgent),
            safety=Safety(structure.levels.urgent, structure.levels.noted, intake.declined),
            title=title,
            summary=summary,
            reasons=tuple(reasons),
            steps=structure.step_items,
            also_consider=structure.levels.also_items,
            notice=self.rulebook.notice,
            resources=self.select_resources(tags, calm),
            warnings=intake.warnings if structure.levels.urgent else (),
            questionnaire=self.questionnaire_ref,
            ruleset=self.ruleset_ref,
            level=winner,
            on_your_own=structure.levels.on_your_own,
        )


@dataclass(frozen=True)
class Assessment:
    result: Result
    answers: dict  # the valid answers it was decided on (for the decision log, with consent)
    fired: tuple = ()  # every rule (and level condition) the engine fired, for impact analysis


class Evaluator:
    """Answers in, explained recommendation out: validation, the engine, then resolution."""

    def __init__(self, rulebook: Rulebook, resources: list | None = None):
        self.rulebook = rulebook
        self.engine = RuleEngine(rulebook)
        self.resources = rulebook.resources if resources is None else resources
        self.resolver = Resolver(rulebook, self.resources)

    def decide(self, raw, problems: dict | None = None) -> Assessment:
        """Evaluate raw answers; an urgent concern decides even when other answers are wrong.

        problems: what a reader found wrong before validation (FHIR items), per question id.
        """
        intake = read_answers(raw, problems)
        fired = self.engine.fired_rules(intake.facts)
        if intake.valid:
            return Assessment(self.resolver.resolve(fired, intake), intake.answers, tuple(fired))
        urgent, noted = self.resolver.concerns(fired)
        if urgent:
            return Assessment(self.resolver.resolve(fired, intake), intake.answers, tuple(fired))
        raise AnswersInvalid(
            intake.errors, self._safety_resources(intake, noted), retired_message(intake.retired)
        )

    def would_change(self, assessment: Assessment) -> tuple[WouldChange, ...] | None:
        """What the suggestion depends on (shared/spec/what-would-change.md); None where the contract
        withholds it (a safety concern, a declined safety question, a hold-back signal)."""
        result = assessment.result
        if result.safety:
            return None
        facts = read_answers(assessment.answers).facts
        never = self.rulebook.would_change_never_with
        if never and held(Derived(never), facts, self.rulebook.entries)[0]:
            return None
        if result.recommendation == "rebuild":
            return ()

        def decide(changed: dict) -> tuple[str, str]:
            structure = self.resolver.structure(frozenset(self.engine.fired_rules({**facts, **changed})))
            return structure.levels.winner.recommendation, structure.levels.texts["headline"]

        return would_change(assessment.answers, result.recommendation, decide)

    def _safety_resources(self, intake: Intake, noted) -> tuple[Resource, ...] | None:
        """Support for a 422 whose answers showed a safety answer of yes or "I'd rather not say"."""
        tags = self.resolver.safety_tags((), noted, intake.declined, intake.answers)
        if intake.retired_safety_yes:  # v1's self-harm question answered yes: the suicide topic's support
            tags += ("declined:suicide",)
        return self.resolver.select_resources(tags, ()) if tags else None
