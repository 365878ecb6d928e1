"""Turn the rules that fired into a recommendation: priorities, fallbacks, steps and reasons."""

from marshmallow import ValidationError

from schemas.answers import answers_schema
from schemas.questionnaire import article_sections
from service.conditions import referenced_questions
from service.engine import RuleEngine
from service.exceptions import AnswersInvalid
from service.rulebook import Entry, Rulebook


class Resolver:
    """Resolves fired rule ids into a result, by what the rulebook declares."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        entries = rulebook.entries
        self.levels = sorted(rulebook.of_kind("outcome"), key=lambda e: e["priority"])
        self.fallback_level = next(e for e in self.levels if e["fallback"])
        self.reads = {e.id: referenced_questions(e["when"], entries) for e in rulebook.of_kind("rule")}
        order = list(article_sections())
        self.section_rank = {section: index for index, section in enumerate(order)}

    def _reason(self, entry: Entry, answers: dict, reads: list[str]) -> dict:
        return {
            "rule": entry.id,
            "title": entry["title"],
            "explanation": entry["explanation"],
            "section": entry["section"],
            "answers": {question: answers[question] for question in reads},
        }

    def resolve(self, fired: list[str], answers: dict, resources: list) -> dict:
        entries = self.rulebook.entries
        rules = [entries[rule_id] for rule_id in sorted(fired)]
        by_kind = {"outcome": [], "step": [], "finding": []}
        for rule in rules:
            by_kind[rule["effect"]["kind"]].append(rule)
        held = {entries[r["effect"]["outcome"]].id for r in by_kind["outcome"]}
        held_levels = [level for level in self.levels if level.id in held and not level["fallback"]]
        winner = held_levels[0] if held_levels else self.fallback_level

        also: list[str] = []
        if winner["also_consider"]:
            for level in held_levels[1:]:
                if level["recommendation"] not in also + [winner["recommendation"]]:
                    also.append(level["recommendation"])
        counted_levels = {winner.id} | {level.id for level in held_levels if level["recommendation"] in also}

        step_rules = []
        if winner["steps"]:
            regular = [r for r in by_kind["step"] if not r["effect"].get("fallback")]
            step_rules = regular or [r for r in by_kind["step"] if r["effect"].get("fallback")]
        steps: dict[str, dict] = {}
        for rule in step_rules:
            effect = rule["effect"]
            steps.setdefault(
                effect["step"],
                {
                    "id": effect["step"],
                    "title": effect["title"],
                    "advice": effect["advice"],
                    "section": effect["step"],
                },
            )
        ordered_steps = sorted(steps.values(), key=lambda s: self.section_rank[s["id"]])
        step_order = {step["id"]: index for index, step in enumerate(ordered_steps)}

        level_rank = {level.id: level["priority"] for level in self.levels}
        outcome_rules = sorted(
            (r for r in by_kind["outcome"] if r["effect"]["outcome"] in counted_levels),
            key=lambda r: (level_rank[r["effect"]["outcome"]], r.id),
        )
        step_rules.sort(key=lambda r: (step_order[r["effect"]["step"]], r.id))
        winning_reads = [
            q for r in outcome_rules if r["effect"]["outcome"] == winner.id for q in self.reads[r.id]
        ]
        reasons = [self._reason(winner, answers, list(dict.fromkeys(winning_reads)))]
        reasons += [
            self._reason(r, answers, self.reads[r.id])
            for r in outcome_rules + step_rules + by_kind["finding"]
        ]

        urgent = winner["urgent"]
        return {
            "recommendation": winner["recommendation"],
            "urgent": urgent,
            "summary": winner["summary"],
            "reasons": reasons,
            "steps": ordered_steps,
            "also_consider": also,
            "notice": self.rulebook.notice,
            "resources": list(resources) if urgent else [],
            "ruleset": {"version": self.rulebook.version, "digest": self.rulebook.digest},
        }


class Evaluator:
    """Answers in, explained recommendation out: validation, the engine, then resolution."""

    def __init__(self, rulebook: Rulebook, resources: list | None = None):
        self.rulebook = rulebook
        self.engine = RuleEngine(rulebook)
        self.resolver = Resolver(rulebook)
        self.resources = rulebook.resources if resources is None else resources

    def validate(self, raw) -> dict:
        """Checked answers with defaults filled in, or AnswersInvalid."""
        try:
            return answers_schema.load(raw)
        except ValidationError as error:
            raise AnswersInvalid(error.messages) from None

    def evaluate(self, raw) -> dict:
        """Evaluate answers against the rules."""
        answers = self.validate(raw)
        return self.resolver.resolve(self.engine.fired_rules(answers), answers, self.resources)
