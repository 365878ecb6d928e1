"""A schema's dump, compiled once from its declared fields: the same output as marshmallow's own
`dump` for the server's frozen result objects, about ten times faster.

marshmallow walks every field through generic machinery on each call (~110 µs for a result, more
than the rules engine and the rest of a request together). The shape still comes from the schema
alone: keys, data_keys and nesting are read from its fields, and `None` of a field that is not
required is left out (the schemas say the same with their `post_dump`). Field types here only
document; values are already of the type the schema names. tests/unit/test_dumping.py holds the two
dumps equal on every rule case.
"""

from collections.abc import Callable
from operator import attrgetter

from marshmallow import Schema, fields


def _value_dumper(field: fields.Field) -> Callable | None:
    """How one field's value is dumped: None where it is used as it is."""
    if isinstance(field, fields.Nested):
        return compile_dump(field.schema)
    if isinstance(field, fields.List):
        inner = _value_dumper(field.inner)
        if inner is None:
            return list
        return lambda items: [inner(item) for item in items]
    return None


def compile_dump(schema: Schema) -> Callable[[object], dict]:
    """obj -> dict, as schema.dump(obj) gives it for an object with every declared attribute."""
    plan = []
    for name, field in schema.dump_fields.items():
        get = attrgetter(field.attribute or name)
        plan.append((field.data_key or name, get, _value_dumper(field), field.required))

    def dump(obj) -> dict:
        out = {}
        for key, get, inner, required in plan:
            value = get(obj)
            if value is None:
                if required:
                    out[key] = None
                continue
            out[key] = value if inner is None else inner(value)
        return out

    return dump
