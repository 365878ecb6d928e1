"""Every text the product shows, gathered from the files it comes from, for the content tests."""

import json
import re

from schemas.model import LEVEL_TEXTS
from schemas.questionnaire import load_questionnaire
from service.api.form import LABELS_DIR
from service.core.rulebook import load_rulebook
from service.interop.cds_cards import DECLINED_FOLLOW_UP, LOW_MOOD_FOLLOW_UP

RULE_TEXTS = ("title", "explanation", "summary", "headline", "also_consider_text")
EFFECT_TEXTS = ("title", "advice", "headline", "summary")


def person_texts() -> dict[str, str]:
    """Texts a person reads (questions, results, support, the form's words), by where they come from."""
    texts: dict[str, str] = {}
    questionnaire = load_questionnaire()
    texts["questionnaire.title"] = questionnaire.title
    for paragraph in questionnaire.intro:
        texts[f"intro.{paragraph['id']}"] = paragraph["text"]
    for group in questionnaire.groups:
        texts[f"group.{group.id}.title"] = group.title
        if group.intro:
            texts[f"group.{group.id}.intro"] = group.intro
    for question in questionnaire.questions:
        texts[f"question.{question.id}"] = question.text
        for option in question.options:
            texts[f"option.{question.id}.{option.value}"] = option.label
        if question.type == "multi_choice":
            for option in question.options:
                texts[f"because.{question.id}.{option.value}"] = question.because_text([option.value])
        elif question.because:
            for answer, text in question.because.items():
                texts[f"because.{question.id}.{answer}"] = text
        if question.change is not None:  # what a suggestion depends on (would_change)
            if question.change.to == "remove":
                for option in question.options:
                    if option.value not in question.change.keep:
                        texts[f"change.{question.id}.{option.value}"] = question.change.words(
                            item_label=option.label
                        )
            else:
                for value, text in question.change.text.items():
                    texts[f"change.{question.id}.{value}"] = text
    rulebook = load_rulebook()
    texts["notice"] = rulebook.notice
    for index, resource in enumerate(rulebook.resources):
        texts[f"resource.{index}.name"] = resource.name
        texts[f"resource.{index}.description"] = resource.description
    for entry in rulebook.entries.values():
        if entry.kind == "derived":
            continue
        for key in RULE_TEXTS:
            if getattr(entry.spec, key, None):
                texts[f"{entry.id}.{key}"] = getattr(entry.spec, key)
        effect = getattr(entry.spec, "effect", None)
        for key in EFFECT_TEXTS:
            if getattr(effect, key, None):
                texts[f"{entry.id}.effect.{key}"] = getattr(effect, key)
        for other, text in getattr(effect, "summary_with", ()):
            texts[f"{entry.id}.effect.summary_with.{other}"] = text
        hedged = getattr(effect, "hedged", None)
        if hedged is not None:
            for key in ("title", "explanation", "headline", "summary"):
                if getattr(hedged, key):
                    texts[f"{entry.id}.effect.hedged.{key}"] = getattr(hedged, key)
            for other, text in hedged.summary_with:
                texts[f"{entry.id}.effect.hedged.summary_with.{other}"] = text
        for kind in ("variants", "additions"):
            for index, variant in enumerate(getattr(entry.spec, kind, ())):
                for key in LEVEL_TEXTS:
                    if getattr(variant, key):
                        texts[f"{entry.id}.{kind}.{index}.{key}"] = getattr(variant, key)
    for path in LABELS_DIR.glob("*.json"):
        labels = json.loads(path.read_text(encoding="utf-8"))
        for key, value in labels.items():
            values = value.items() if isinstance(value, dict) else [(None, value)]
            for sub, text in values:
                texts[f"label.{path.stem}.{key}" + (f".{sub}" if sub else "")] = text
    return texts


def rule_texts() -> dict[str, str]:
    """Every rule, level and derivation's own title and explanation: auditors read them on /rules."""
    texts = {}
    for entry in load_rulebook().entries.values():
        texts[f"{entry.id}.title"] = entry.spec.title
        texts[f"{entry.id}.explanation"] = entry.spec.explanation
    return texts


def clinician_texts() -> dict[str, str]:
    rulebook = load_rulebook()
    texts = {f"{level.id}.clinician_summary": level.clinician_summary for level in rulebook.levels()}
    for rule in rulebook.rules():
        clinician = getattr(rule.effect, "clinician", None)
        if clinician is not None:
            texts[f"{rule.id}.clinician.words"] = clinician.words
            texts[f"{rule.id}.clinician.follow_up"] = clinician.follow_up
    texts.update({f"cds.declined.{k}": v for k, v in DECLINED_FOLLOW_UP.items()})
    texts["cds.low_mood"] = LOW_MOOD_FOLLOW_UP
    return texts


def couple_texts() -> dict[str, str]:
    """What the practice's joint view says (rules/couple/): every level's words, the notice, the limits."""
    couple = load_rulebook().couple
    texts = {"couple.notice": couple.words.notice}
    texts.update({f"couple.limit.{i}": text for i, text in enumerate(couple.words.limits)})
    texts.update({f"couple.gap.{k}": text for k, text in couple.words.gap_words.items()})
    for level in couple.levels:
        for field in ("title", "text", "explanation"):
            texts[f"couple.{level.id}.{field}"] = getattr(level, field)
    return texts


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "").replace("'", ""))
