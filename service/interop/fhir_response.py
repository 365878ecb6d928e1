"""A FHIR QuestionnaireResponse for questionnaire v2 read into answers, or an OperationOutcome."""

from fhir.resources.questionnaireresponse import QuestionnaireResponse as ResponseR5
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as ResponseR4
from pydantic import ValidationError as ModelError

from schemas.questionnaire import RETIRED, load_questionnaire
from schemas.resources import Resource
from service.core.exceptions import AnswersInvalid, ClosenessError
from service.core.intake import V1_ONLY_KEY, retired_message
from service.interop.fhir_questionnaire import GROUP_PREFIX, SAFETY_CODES, code_system

VALUE_KEY = {
    "integer": "valueInteger",
    "boolean": "valueBoolean",
    "choice": "valueCoding",
    "multi_choice": "valueCoding",
    "safety": "valueCoding",
}
SAFETY_VALUES = {code: value for code, value, _ in SAFETY_CODES}
RESPONSE = "_response"  # the key of problems that belong to the response, not to one item


class FhirInvalid(ClosenessError):
    """A FHIR resource that cannot be used; issues name the linkId, never an answer's value."""

    def __init__(self, issues: list[tuple[str, str | None, str]], status: int = 422, support=None):
        super().__init__("invalid FHIR input")
        self.issues, self.status, self.support = issues, status, support or []


def _support_text(resource: Resource) -> str:
    return f"Support: {resource.name}. {resource.description}{resource.contact_text()}"


def operation_outcome(issues: list[tuple[str, str | None, str]], support=None) -> dict:
    """An OperationOutcome with one error issue per (code, linkId, message); support as information."""
    out = []
    for code, link_id, message in issues:
        issue = {"severity": "error", "code": code, "diagnostics": message, "details": {"text": message}}
        if link_id:
            issue["expression"] = [f"QuestionnaireResponse.item.where(linkId='{link_id}')"]
        out.append(issue)
    for resource in support or []:
        text = _support_text(resource)
        out.append(
            {
                "severity": "information",
                "code": "informational",
                "diagnostics": text,
                "details": {"text": text},
            }
        )
    return {"resourceType": "OperationOutcome", "issue": out}


def _model_issues(error: ModelError) -> list[tuple[str, str | None, str]]:
    # pydantic's messages quote the input; only the location and the kind of problem are passed on.
    issues = []
    for problem in error.errors()[:20]:
        where = ".".join(str(part) for part in problem["loc"])
        issues.append(
            ("structure", None, f"Not a valid QuestionnaireResponse at {where} ({problem['type']}).")
        )
    return issues


MAX_DEPTH = 40  # JSON nesting; this Questionnaire's responses need about 10


def _too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Nested deeper than limit (checked without recursion: the FHIR models recurse and would overflow)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _model_problems(resource: dict) -> list[tuple[str, str | None, str]]:
    """Why the resource is neither an R4 (R4B model) nor an R5 QuestionnaireResponse; empty when it is one.

    Only nesting too deep to check is refused at once; other problems go with the answers, so that an
    urgent safety answer still decides (they are warnings then).
    """
    too_deep = FhirInvalid([("structure", None, "The QuestionnaireResponse is nested too deeply.")])
    if _too_deep(resource):
        raise too_deep
    try:
        ResponseR4.model_validate(resource)
        return []
    except RecursionError:
        raise too_deep from None
    except ModelError as r4_error:
        try:
            ResponseR5.model_validate(resource)
            return []
        except RecursionError:
            raise too_deep from None
        except ModelError:
            return _model_issues(r4_error)


class ResponseReader:
    """Reads QuestionnaireResponses for one published Questionnaire."""

    def __init__(self, base: str):
        self.questions = {q.id: q for q in load_questionnaire().questions}
        self.groups = {GROUP_PREFIX + g.id for g in load_questionnaire().groups}
        self.system = code_system(base)
        self.questionnaire_ref = f"Questionnaire/{load_questionnaire().id}"

    def read(self, resource) -> tuple[dict, list[tuple[str, str | None, str]]]:
        """The well-formed answers in the response (not yet validated) and the problems with the rest.

        Only a resource that is no QuestionnaireResponse at all raises FhirInvalid here: the problems
        go with the answers to the evaluator, so that an urgent safety concern still decides.
        """
        if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
            message = "Send a FHIR QuestionnaireResponse (resourceType QuestionnaireResponse)."
            raise FhirInvalid([("invalid", None, message)])
        issues = _model_problems(resource)
        reference = resource.get("questionnaire")
        # Matched by its ending, so the canonical URL of any deployment (or a relative reference) works.
        canonical = reference.split("|")[0] if isinstance(reference, str) else ""
        if reference is not None and not canonical.endswith(self.questionnaire_ref):
            retired = next((qid for qid in RETIRED if canonical.endswith(f"Questionnaire/{qid}")), None)
            if retired:
                issues.append(("invalid", None, retired_message(retired)))
            else:
                issues.append(("invalid", None, f"This service answers {self.questionnaire_ref} only."))
        found: dict[str, list] = {}  # linkId -> the usable values among its answers
        self._walk(resource.get("item") or [], found, issues)
        answers = {}
        for link_id, question in self.questions.items():
            values = found.get(link_id)
            if values:
                answers[link_id] = values if question.type == "multi_choice" else values[0]
            elif values is not None and question.type == "multi_choice":
                answers[link_id] = []
        return answers, issues

    def _walk(self, items, found: dict, issues: list) -> None:
        # The model check may have failed: every level is checked for its shape before it is read.
        if not isinstance(items, list):
            issues.append(("structure", None, "'item' is a list of items."))
            return
        for item in items:
            if not isinstance(item, dict):
                issues.append(("structure", None, "Every item is an object with a linkId."))
                continue
            link_id = item.get("linkId")
            if not isinstance(link_id, str):
                issues.append(("structure", None, "Every item has a linkId (a string)."))
            elif link_id in self.groups:
                if item.get("answer"):
                    issues.append(("structure", link_id, f"'{link_id}' is a group and takes no answer."))
                self._walk(item.get("item") or [], found, issues)
            elif link_id in self.questions:
                if link_id in found:
                    issues.append(("duplicate", link_id, f"'{link_id}' appears more than once."))
                    continue
                answers = item.get("answer")
                if answers and not (isinstance(answers, list) and all(isinstance(a, dict) for a in answers)):
                    issues.append(("structure", link_id, f"'{link_id}': 'answer' is a list of objects."))
                elif answers:  # an item without answers counts as unanswered
                    found[link_id] = self._values(self.questions[link_id], answers, issues)
                if item.get("item"):
                    issues.append(("structure", link_id, f"'{link_id}' takes no nested items."))
            elif link_id == V1_ONLY_KEY:
                issues.append(("not-found", None, retired_message("closeness-v1", f"'{link_id}' belongs to")))
            else:
                issues.append(
                    ("not-found", None, f"Unknown linkId '{link_id}': not an item of this Questionnaire.")
                )

    def _values(self, question, answers: list, issues: list) -> list:
        link_id, key = question.id, VALUE_KEY[question.type]
        if len(answers) > 1 and question.type != "multi_choice":
            issues.append(("invalid", link_id, f"'{link_id}' takes one answer."))
            return []
        values = []
        for answer in answers:
            others = [k for k in answer if k.startswith("value") and k != key]
            raw = answer.get(key)
            if others or raw is None:
                got = f" (got {others[0]})" if others else ""
                issues.append(("value", link_id, f"'{link_id}': answer with {key}{got}."))
                continue
            if question.type == "integer" and type(raw) is not int:
                issues.append(("value", link_id, f"'{link_id}' takes a whole number."))
            elif question.type == "boolean" and type(raw) is not bool:
                issues.append(("value", link_id, f"'{link_id}' takes true or false."))
            elif key == "valueCoding":
                system, code = (raw.get("system"), raw.get("code")) if isinstance(raw, dict) else (None, None)
                codes = tuple(SAFETY_VALUES) if question.type == "safety" else question.values
                if system not in (None, self.system) or code not in codes:
                    issues.append(
                        ("code-invalid", link_id, f"'{link_id}' takes one of the codes {', '.join(codes)}.")
                    )
                else:
                    values.append(SAFETY_VALUES[code] if question.type == "safety" else code)
                continue
            else:
                values.append(raw)
        return values


def problems_by_item(issues) -> dict[str, list[str]]:
    """Reader issues keyed as answer problems are: by linkId, or RESPONSE for the response itself."""
    problems: dict[str, list[str]] = {}
    for _, link_id, message in issues:
        problems.setdefault(link_id or RESPONSE, []).append(message)
    return problems


def answers_invalid_issues(error: AnswersInvalid, known: list) -> list[tuple[str, str | None, str]]:
    """The reader's own issues, then validation messages (per question id) not already among them."""
    seen = {link_id or RESPONSE for _, link_id, _ in known}
    issues = list(known)
    for field, texts in error.messages.items():
        for text in texts:
            if field in seen:  # the reader already said what is wrong with this item
                continue
            code = "required" if text == "This question needs an answer." else "value"
            issues.append((code, None if field.startswith("_") else field, f"'{field}': {text}"))
    return issues
