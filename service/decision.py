"""Turn the rules that fired into a recommendation: priorities, fallbacks, steps and reasons."""

from dataclasses import dataclass
from functools import lru_cache

from marshmallow import ValidationError

from schemas.answers import accept_plainly_valid, answers_schema
from schemas.questionnaire import article_sections
from service.conditions import referenced_questions
from service.engine import RuleEngine
from service.exceptions import AnswersInvalid
from service.rulebook import Entry, Rulebook


@dataclass(frozen=True)
class _Rule:
    """What resolution needs of one rule, computed once per rulebook."""

    id: str
    kind: str  # outcome | step | finding
    target: str | None  # the outcome level or the step (section id)
    fallback: bool
    rank: tuple  # where its reason goes: outcomes by level priority, then steps, then findings
    reads: tuple[str, ...]
    reason: dict  # the reason without its answers


def _reason_base(entry: Entry) -> dict:
    return {
        "rule": entry.id,
        "title": entry["title"],
        "explanation": entry["explanation"],
        "section": entry["section"],
    }


class Resolver:
    """Resolves fired rule ids into a result, by what the rulebook declares."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        entries = rulebook.entries
        self.levels = sorted(rulebook.of_kind("outcome"), key=lambda e: e["priority"])
        self.fallback_level = next(e for e in self.levels if e["fallback"])
        self.level_reason = {level.id: _reason_base(level) for level in self.levels}
        section_rank = {section: index for index, section in enumerate(article_sections())}
        self.rules: dict[str, _Rule] = {}
        for entry in rulebook.of_kind("rule"):
            effect = entry["effect"]
            kind = effect["kind"]
            target = effect.get("outcome") or effect.get("step")
            if kind == "outcome":
                rank = (0, entries[target]["priority"], entry.id)
            elif kind == "step":
                rank = (1, section_rank[target], entry.id)
            else:
                rank = (2, 0, entry.id)
            self.rules[entry.id] = _Rule(
                entry.id,
                kind,
                target,
                bool(effect.get("fallback")),
                rank,
                tuple(referenced_questions(entry["when"], entries)),
                _reason_base(entry),
            )
        # The step each step rule gives; fallback steps are kept apart (used only when nothing else is).
        self.steps: dict[str, dict] = {}
        self.fallback_steps: dict[str, dict] = {}
        for entry in rulebook.of_kind("rule"):
            effect = entry["effect"]
            if effect["kind"] == "step":
                catalog = self.fallback_steps if effect.get("fallback") else self.steps
                catalog.setdefault(
                    effect["step"],
                    {
                        "id": effect["step"],
                        "title": effect["title"],
                        "advice": effect["advice"],
                        "section": effect["step"],
                    },
                )

    def resolve(self, fired: list[str], answers: dict, resources: list) -> dict:
        winner, also, steps, chosen, winning_reads = self._structure(frozenset(fired))
        reasons = [{**self.level_reason[winner.id], "answers": {q: answers[q] for q in winning_reads}}]
        reasons += [{**rule.reason, "answers": {q: answers[q] for q in rule.reads}} for rule in chosen]
        urgent = winner["urgent"]
        return {
            "recommendation": winner["recommendation"],
            "urgent": urgent,
            "summary": winner["summary"],
            "reasons": reasons,
            "steps": [dict(step) for step in steps],
            "also_consider": list(also),
            "notice": self.rulebook.notice,
            "resources": list(resources) if urgent else [],
            "ruleset": {"version": self.rulebook.version, "digest": self.rulebook.digest},
        }

    @lru_cache(maxsize=8192)  # noqa: B019 - one Resolver per rulebook, kept for the process's life
    def _structure(self, fired: frozenset) -> tuple:
        """What depends only on which rules fired: winner, also_consider, steps, reasons' rules."""
        rules = [self.rules[rule_id] for rule_id in fired]
        held = {rule.target for rule in rules if rule.kind == "outcome"}
        held_levels = [level for level in self.levels if level.id in held and not level["fallback"]]
        winner = held_levels[0] if held_levels else self.fallback_level

        also: list[str] = []
        if winner["also_consider"]:
            for level in held_levels[1:]:
                recommendation = level["recommendation"]
                if recommendation != winner["recommendation"] and recommendation not in also:
                    also.append(recommendation)
        counted = {winner.id} | {level.id for level in held_levels if level["recommendation"] in also}

        step_rules: list[_Rule] = []
        if winner["steps"]:
            step_rules = [r for r in rules if r.kind == "step" and not r.fallback]
            if not step_rules:
                step_rules = [r for r in rules if r.kind == "step"]
        chosen = [r for r in rules if (r.kind == "outcome" and r.target in counted) or r.kind == "finding"]
        chosen = sorted(chosen + step_rules, key=lambda r: r.rank)

        steps, winning_reads = [], {}
        for rule in chosen:
            if rule.kind == "step" and (not steps or steps[-1]["id"] != rule.target):
                steps.append((self.fallback_steps if rule.fallback else self.steps)[rule.target])
            elif rule.kind == "outcome" and rule.target == winner.id:
                winning_reads.update(dict.fromkeys(rule.reads))
        return winner, tuple(also), tuple(steps), tuple(chosen), tuple(winning_reads)


class Evaluator:
    """Answers in, explained recommendation out: validation, the engine, then resolution."""

    def __init__(self, rulebook: Rulebook, resources: list | None = None):
        self.rulebook = rulebook
        self.engine = RuleEngine(rulebook)
        self.resolver = Resolver(rulebook)
        self.resources = rulebook.resources if resources is None else resources

    def validate(self, raw) -> dict:
        """Checked answers with defaults filled in, or AnswersInvalid."""
        answers = accept_plainly_valid(raw)
        if answers is not None:
            return answers
        try:
            return answers_schema.load(raw)
        except ValidationError as error:
            raise AnswersInvalid(error.messages) from None

    def evaluate(self, raw) -> dict:
        """Evaluate answers against the rules."""
        return self.evaluate_answers(self.validate(raw))

    def evaluate_answers(self, answers: dict) -> dict:
        """Evaluate answers that have already been validated."""
        return self.resolver.resolve(self.engine.fired_rules(answers), answers, self.resources)
