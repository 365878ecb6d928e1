"""Questionnaire v2 as a FHIR Questionnaire resource (R4, or R5 on request)."""

from schemas.questionnaire import Question, load_questionnaire

GROUP_PREFIX = "section-"  # group linkIds must not collide with question ids ("signs" is both)
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
DESCRIPTION = (
    "Self-reflection on emotional closeness in a relationship, with a safety screen asked first. "
    "The safety items are modelled on public screeners (the structure of the NIMH ASQ; the themes of "
    "HITS, HARK and coercive-control screening) but are not validated instruments: follow up a positive "
    "or declined answer with your own validated assessment. Closeness helps people reflect; it does "
    "not diagnose."
)
# Safety questions are choice items with these codes; a QuestionnaireResponse maps them back.
SAFETY_CODES = (("yes", True, "Yes"), ("no", False, "No"), ("declined", "declined", "I'd rather not say"))
VERSIONS = {"4.0": "R4", "4.0.1": "R4", "5.0": "R5", "5.0.0": "R5"}


def canonical_url(base: str) -> str:
    return f"{base.rstrip('/')}/Questionnaire/{load_questionnaire().id}"


def code_system(base: str) -> str:
    """The code system of the answer codes (the questionnaire's own values)."""
    return f"{base.rstrip('/')}/CodeSystem/{load_questionnaire().id}-answers"


def _question_item(question: Question, release: str, base: str) -> dict:
    item = {"linkId": question.id, "text": question.text, "required": question.required}
    if question.type == "integer":
        scale = "; ".join(f"{value} = {label.lower()}" for value, label in sorted(question.labels.items()))
        item["text"] = f"{question.text} ({scale})"
        item["type"] = "integer"
        item["extension"] = [
            {"url": MIN_VALUE, "valueInteger": question.minimum},
            {"url": MAX_VALUE, "valueInteger": question.maximum},
        ]
        item["answerOption"] = [
            {"valueInteger": value} for value in range(question.minimum, question.maximum + 1)
        ]
    elif question.type == "boolean":
        item["type"] = "boolean"
    elif question.type == "safety":
        item["type"] = "choice" if release == "R4" else "coding"
        if release == "R5":
            item["answerConstraint"] = "optionsOnly"
        system = code_system(base)
        item["answerOption"] = [
            {"valueCoding": {"system": system, "code": code, "display": display}}
            for code, _, display in SAFETY_CODES
        ]
        if question.follow_up_of:
            # Asked after a trigger's yes, and after its "I'd rather not say" too (as the ASQ asks its
            # acuity question after a refusal).
            item["enableWhen"] = [
                {"question": trigger, "operator": "=", "answerCoding": {"system": system, "code": code}}
                for trigger in question.follow_up_of
                for code in ("yes", "declined")
            ]
            item["enableBehavior"] = "any"
    else:
        item["type"] = "choice" if release == "R4" else "coding"
        if release == "R5":
            item["answerConstraint"] = "optionsOnly"
        item["repeats"] = question.type == "multi_choice"
        system = code_system(base)
        item["answerOption"] = [
            {"valueCoding": {"system": system, "code": option.value, "display": option.label}}
            for option in question.options
        ]
    return item


def questionnaire_resource(base: str, release: str = "R4") -> dict:
    """The FHIR Questionnaire for questionnaire v2, one group per section, safety first."""
    questionnaire = load_questionnaire()
    groups = []
    for group in questionnaire.groups:
        groups.append(
            {
                "linkId": GROUP_PREFIX + group.id,
                "type": "group",
                "text": group.title,
                "item": [
                    _question_item(q, release, base) for q in questionnaire.questions if q.group == group.id
                ],
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire.id,
        "url": canonical_url(base),
        "version": questionnaire.version,
        "name": "ClosenessV2",
        "title": questionnaire.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": DESCRIPTION,
        "item": groups,
    }
