"""An outcome level's words for the rules that fired: its variants and additions, as its file declares."""

from schemas.model import LEVEL_TEXTS, OutcomeLevel


def level_texts(level: OutcomeLevel, fired, yielded: frozenset = frozenset()) -> dict[str, str | None]:
    """A level's words for these fired rules: the first variant that holds gives each text it has,
    then every addition that holds is appended. `yielded`: the levels that held and gave way."""
    texts = {key: getattr(level, key) for key in LEVEL_TEXTS}
    for key in LEVEL_TEXTS:
        for index, variant in enumerate(level.variants):
            value = getattr(variant, key)
            if variant.yielded_from is not None and variant.yielded_from not in yielded:
                continue
            if value and (variant.when is None or level.condition_name(("variants", index)) in fired):
                texts[key] = value
                break
    for index, addition in enumerate(level.additions):
        if level.condition_name(("additions", index)) in fired:
            for key in LEVEL_TEXTS:
                extra = getattr(addition, key)
                if extra and texts[key]:
                    texts[key] = f"{texts[key]} {extra}"
    return texts
