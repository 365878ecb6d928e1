"""The rulebook as a document an auditor can read: decision order, every rule as sentences, its cases.

Built once as a list of blocks and written as Markdown or HTML, so both say exactly the same.
"""

import json
from dataclasses import dataclass
from html import escape

from schemas.model import LEVEL_TEXTS, ConcernEffect, Rule
from schemas.questionnaire import article_sections
from schemas.rulebook_files import Case
from service.audit.couple_report import couple_blocks
from service.audit.sentences import BASIS_WORDS, RECOMMENDATION_WORDS, condition_sentence, effect_sentence
from service.core.rulebook import Rulebook


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | bullets | rule
    content: object
    level: int = 0
    anchor: str | None = None


def _source(section: str, article_base: str | None) -> Link:
    title = article_sections()[section]["title"]
    return Link(title, f"{article_base}#{section}" if article_base else None)


def _basis(entry) -> str:
    return BASIS_WORDS[entry.basis]


def _case_line(case: Case, baseline: dict) -> str:
    changed = ", ".join(
        f"{key} = {json.dumps(value)}" for key, value in case.answers.items() if baseline.get(key) != value
    )
    verb = "fires" if case.fires else "stays silent"
    return f"{case.name}: {verb} when {changed or 'nothing is changed'} (from the calm baseline)"


def rulebook_blocks(rulebook: Rulebook, article_base: str | None = None) -> list[Block]:
    """The whole rulebook as blocks: how a recommendation is decided, the levels, the derived values,
    then every rule by what it does."""
    return [
        *_intro_blocks(rulebook),
        *_level_blocks(rulebook, article_base),
        *_derived_blocks(rulebook, article_base),
        *_rule_blocks(rulebook, article_base),
        *couple_blocks(rulebook, Block, _source, article_base),
    ]


def _intro_blocks(rulebook: Rulebook) -> list[Block]:
    entries = rulebook.entries
    blocks = [
        Block("heading", "Closeness rulebook", 1),
        Block(
            "para",
            [
                f"Version {rulebook.version}, digest {rulebook.digest}. Generated from the rule files; "
                "every condition below is written out from the rules' own data."
            ],
        ),
        Block("heading", "How a recommendation is decided", 2, "decision-order"),
        Block(
            "para",
            [
                "Every rule whose condition holds for the answers fires. Safety concerns come first: "
                f"an urgent one ({', '.join(rulebook.concerns[:4])}) decides the result on its own, even "
                "when other answers are missing or wrong. Among the outcome levels that fired rules point "
                "to, the one with the lowest priority number wins, unless it gives way (then it is listed "
                "under also consider); when none did, the fallback level applies. The winning level's "
                "own reason comes first, then safety concerns, its rules, the steps and findings. "
                f"Concerns, in order: {', '.join(rulebook.concerns)}. Steps, in order: "
                f"{', '.join(rulebook.step_order)}."
            ],
        ),
    ]
    order = []
    for level in rulebook.levels():
        notes = [f"recommendation: {RECOMMENDATION_WORDS[level.recommendation]}"]
        notes += ["urgent: title, summary and support of the first urgent concern"] if level.urgent else []
        notes += [
            {
                "all": "with every step that applies (or the fallback step)",
                "on_your_own": "with only the steps a person can take on their own",
                "none": "no steps",
            }[level.steps]
        ]
        notes += (
            [f"gives way when {condition_sentence(level.yields_when, entries)}"]
            + ([f"and then {level.yields_to} holds"] if level.yields_to else [])
            if level.yields_when is not None
            else []
        )
        notes += ["the fallback: applies when no other level's rule fired"] if level.fallback else []
        order.append(
            [
                f"Priority {level.priority}: ",
                Link(level.title, f"#{level.id}"),
                " (" + "; ".join(notes) + ")",
            ]
        )
    blocks.append(Block("bullets", order))
    return blocks


def _level_blocks(rulebook: Rulebook, article_base: str | None) -> list[Block]:
    entries, rules = rulebook.entries, rulebook.rules()
    blocks = [Block("heading", "Outcome levels", 2)]
    for level in rulebook.levels():
        fired_by = [r for r in rules if getattr(r.effect, "outcome", None) == level.id]
        blocks.append(Block("heading", f"{level.title} ({level.id})", 3, level.id))
        blocks.append(Block("para", [level.explanation]))
        items = []
        if level.headline:
            items.append(["Title shown to the person: ", level.headline])
        if level.summary:
            items.append(["Shown to the person: ", level.summary])
        if level.also_consider_text:
            items.append(["When listed under also consider: ", level.also_consider_text])
        if level.no_steps_when is not None:
            items.append(["No steps when: ", condition_sentence(level.no_steps_when, entries)])
        if level.no_steps_with_concerns:
            items.append(["No steps with the concerns: ", ", ".join(level.no_steps_with_concerns)])
        if level.steps_on_your_own_when is not None:
            items.append(
                ["Only on-your-own steps when: ", condition_sentence(level.steps_on_your_own_when, entries)]
            )
        for kind, lead in (("variants", "Instead, when"), ("additions", "Added, when")):
            for text in getattr(level, kind):
                when = [condition_sentence(text.when, entries)] if text.when is not None else []
                when += [f"{text.yielded_from} gave way to this level"] if text.yielded_from else []
                words = "; ".join(f"{key}: {getattr(text, key)}" for key in LEVEL_TEXTS if getattr(text, key))
                items.append([f"{lead} {' and '.join(when)}: ", words])
        items += [
            ["Shown to clinicians: ", level.clinician_summary],
            ["Source: ", _source(level.section, article_base)],
            ["Basis: ", _basis(level)],
        ]
        if fired_by:
            items.append(
                [
                    "Chosen when any of these fires: ",
                    *_joined([Link(r.title, f"#{r.id}") for r in fired_by]),
                ]
            )
        blocks.append(Block("bullets", items))
    return blocks


def _derived_blocks(rulebook: Rulebook, article_base: str | None) -> list[Block]:
    entries = rulebook.entries
    blocks = [Block("heading", "Derived values", 2)]
    for derived in rulebook.derivations().values():
        if derived.counts is not None:
            counted = "".join(f"\n  - {condition_sentence(c, entries, 1)}" for c in derived.counts)
            definition = "how many of these hold:" + counted
        else:
            definition = condition_sentence(derived.when, entries)
        blocks.append(Block("heading", f"{derived.title} ({derived.id})", 3, derived.id))
        blocks.append(
            Block(
                "rule",
                {
                    "Means": definition,
                    "Why": derived.explanation,
                    "Source": _source(derived.section, article_base),
                    "Basis": _basis(derived),
                },
            )
        )
    return blocks


def _rule_blocks(rulebook: Rulebook, article_base: str | None) -> list[Block]:
    entries, baseline, blocks = rulebook.entries, rulebook.case_baseline, []
    groups = [
        ("Safety concerns", "concern"),
        ("Rules toward an outcome", "outcome"),
        ("Steps", "step"),
        ("Findings", "finding"),
    ]
    for title, kind in groups:
        blocks.append(Block("heading", title, 2))
        for entry in (e for e in rulebook.of_kind("rule") if e.spec.effect.kind == kind):
            rule = entry.spec
            blocks.append(Block("heading", f"{rule.title} ({rule.id})", 3, rule.id))
            blocks.append(
                Block(
                    "rule",
                    {
                        "When": condition_sentence(rule.when, entries),
                        "Then it": effect_sentence(rule, entries),
                        "Why": rule.explanation,
                        "Source": _source(rule.section, article_base),
                        "Basis": _basis(rule),
                        **_concern_texts(rule),
                        "Cases": "\n".join(f"  - {_case_line(case, baseline)}" for case in entry.cases)
                        or "none",
                    },
                )
            )
    return blocks


def _concern_texts(rule: Rule) -> dict:
    effect = rule.effect
    if not isinstance(effect, ConcernEffect):
        return {}
    texts = _clinician_texts(effect)
    if not effect.headline:
        return texts
    texts.update({"Title shown": effect.headline, "Summary shown": effect.summary})
    for other, text in effect.summary_with:
        texts[f"Summary shown with {other}"] = text
    if effect.hedged is not None:
        texts["When it holds only by a skipped or declined follow-up"] = (
            f"{effect.hedged.title}: {effect.hedged.explanation}"
        )
        texts["Title shown then"] = effect.hedged.headline
        texts["Summary shown then"] = effect.hedged.summary
        for other, text in effect.hedged.summary_with:
            texts[f"Summary shown then with {other}"] = text
    return texts


def _clinician_texts(effect: ConcernEffect) -> dict:
    """What clinicians read of a concern (the CDS card), and where the web form shows its support."""
    clinician = effect.clinician
    if clinician is None:
        return {}
    texts = {
        "For clinicians": f"{clinician.words}. {clinician.follow_up}",
        "Follow-up timing": clinician.acuity.replace("_", " "),
    }
    if clinician.basis:
        texts["Named on the card when yes"] = "; ".join(words for _, words in clinician.basis)
    if effect.form_topic:
        texts["The form shows its support on a yes about"] = effect.form_topic.replace("_", " ")
    return texts


def _joined(links: list) -> list:
    out = []
    for index, link in enumerate(links):
        out += ([", "] if index else []) + [link]
    return out


def _md_inline(parts) -> str:
    if isinstance(parts, (str, Link)):
        parts = [parts]
    return "".join(
        f"[{p.text}]({p.url})" if isinstance(p, Link) and p.url else p.text if isinstance(p, Link) else p
        for p in parts
    )


def to_markdown(blocks: list[Block]) -> str:
    lines = []
    for block in blocks:
        if block.kind == "heading":
            lines += ["#" * block.level + " " + block.content, ""]
        elif block.kind == "para":
            lines += [_md_inline(block.content), ""]
        elif block.kind == "bullets":
            lines += [f"- {_md_inline(item)}" for item in block.content] + [""]
        else:
            for label, value in block.content.items():
                text = _md_inline(value)
                lines.append(f"- **{label}**" + (":\n" + text if text.startswith("  - ") else f": {text}"))
            lines.append("")
    return "\n".join(lines)


def _html_inline(parts) -> str:
    if isinstance(parts, (str, Link)):
        parts = [parts]
    out = []
    for part in parts:
        if isinstance(part, Link):
            out.append(
                f'<a href="{escape(part.url)}">{escape(part.text)}</a>' if part.url else escape(part.text)
            )
        else:
            out.append(escape(part))
    return "".join(out)


def _html_nested(text: str) -> str:
    """A sentence with indented '- ' lines (as condition_sentence writes them) as nested HTML lists,
    each inner list inside the item it belongs to."""
    lines = text.split("\n")
    lead = "" if lines[0].lstrip().startswith("- ") else lines.pop(0)
    root: list = []  # [(text, children)]
    stack = [(0, root)]
    for line in lines:
        level = (len(line) - len(line.lstrip())) // 2 + 1
        while stack[-1][0] >= level and len(stack) > 1:
            stack.pop()
        node = (line.strip()[2:], [])
        stack[-1][1].append(node)
        stack.append((level, node[1]))

    def render(nodes) -> str:
        return "<ul>" + "".join(f"<li>{escape(t)}{render(c) if c else ''}</li>" for t, c in nodes) + "</ul>"

    return escape(lead) + (render(root) if root else "")


def to_html(blocks: list[Block]) -> str:
    body = []
    for block in blocks:
        if block.kind == "heading":
            anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
            body.append(f"<h{block.level}{anchor}>{escape(block.content)}</h{block.level}>")
        elif block.kind == "para":
            body.append(f"<p>{_html_inline(block.content)}</p>")
        elif block.kind == "bullets":
            body.append("<ul>" + "".join(f"<li>{_html_inline(i)}</li>" for i in block.content) + "</ul>")
        else:
            rows = []
            for label, value in block.content.items():
                cell = _html_inline(value) if isinstance(value, Link) else _html_nested(value)
                rows.append(f"<dt>{escape(label)}</dt><dd>{cell}</dd>")
            body.append("<dl>" + "".join(rows) + "</dl>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Closeness rulebook</title>"
        "<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:50rem;margin:auto;padding:1rem;"
        "overflow-wrap:anywhere}dt{font-weight:700}dd{margin:0 0 .5rem 1rem}h3{margin-top:2rem}"
        "ul{padding-left:1.2rem}</style></head><body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body></html>\n"
    )
