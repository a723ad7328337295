"""JSON Schema loading (from the package's ``sokhan.schemas`` data) and schema incidents."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from sokhan.checks.incidents import CLIP, Incident
from sokhan.checks.jsonfile import pointer

if TYPE_CHECKING:  # imported when first needed: ``sokhan process`` checks no schema
    from jsonschema import Draft202012Validator, FormatChecker

#: Version of the published record schemas. 2.0.0: a quotation's speaker is a list of zero
#: or one span, an unidentified speaker is null, every record has its split, and
#: sentences carry quotation tags.
SCHEMA_VERSION = "2.0.0"


@cache
def _schemas() -> dict[str, dict]:
    out = {}
    folder = resources.files("sokhan.schemas")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".schema.json"):
            out[entry.name.removesuffix(".schema.json")] = json.loads(
                entry.read_text(encoding="utf-8"))
    return out


def _is_integer(_checker, instance) -> bool:
    # JSON Schema counts 5.0 as an integer; Python cannot slice a text with it.
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validator_class() -> type[Draft202012Validator]:
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )


_DEFS = "urn:sokhan:schema:defs#/$defs/"


def _inline(node, defs: dict):
    """``node`` with every reference to the shared definitions replaced by its target.

    Resolving a ``$ref`` costs jsonschema a URL join per use, which made checking
    the published rows of a large article take most of the build; the inlined
    schema accepts exactly the same documents.
    """
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS) and ref[len(_DEFS):] in defs:
        target = _inline(defs[ref[len(_DEFS):]], defs)
        rest = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
        # beside other keywords a $ref is one more constraint, as allOf says
        return {**rest, "allOf": [target]} if rest else target
    return {k: _inline(v, defs) for k, v in node.items()}


@cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for ``schema/<name>.schema.json``.

    ``integer`` means a JSON number written without a fraction or exponent.
    """
    from jsonschema import FormatChecker
    from referencing import Registry, Resource

    schemas = _schemas()
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    schema = _inline(schemas[name], schemas["defs"]["$defs"])
    return _validator_class()(schema, registry=registry, format_checker=FormatChecker())



@cache
def _formats() -> FormatChecker:
    from jsonschema import FormatChecker

    return FormatChecker()


@cache
def _compiled(name: str) -> Callable[[object], object]:
    """``schema/<name>.schema.json`` compiled to Python by fastjsonschema (draft-07 code).

    The inlined schema uses only keywords draft-07 reads the same way (every shared
    ``$ref`` is already an ``allOf``), and formats are jsonschema's own checks. It
    differs from jsonschema in one place: it takes ``5.0`` for an integer, which
    :func:`_accepted` rules out by sending any float to jsonschema.
    """
    import fastjsonschema

    schemas = _schemas()
    by_id = {s["$id"]: s for s in schemas.values()}
    schema = {k: v for k, v in _inline(schemas[name], schemas["defs"]["$defs"]).items()
              if k != "$schema"}
    checker = _formats()
    formats = {f: (lambda value, f=f: checker.conforms(value, f)) for f in checker.checkers}
    return fastjsonschema.compile(schema, handlers={"urn": lambda uri: by_id[uri.split("#")[0]]},
                                  formats=formats, use_default=False)


def _has_float(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _accepted(instance, name: str) -> bool:
    """True only when ``instance`` is valid: the compiled schema's quick verdict.

    False means "ask jsonschema", which finds every error with its JSON pointer. A
    test checks on mutated documents that nothing accepted here is refused there.
    """
    if _has_float(instance):
        return False
    try:
        _compiled(name)(instance)
    except Exception:  # any doubt goes to the full check
        return False
    return True


def preview(value, limit: int = CLIP) -> str:
    """A short JSON rendering of a found value, for messages (never the whole file)."""
    if isinstance(value, dict):
        keys = ", ".join(json.dumps(k, ensure_ascii=False) for k in list(value)[:6])
        return "{" + keys + (", …" if len(value) > 6 else "") + ": …}" if value else "{}"
    if isinstance(value, list):
        return f"[… {len(value)} items]" if value else "[]"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _message(err) -> str:
    """One line saying what was found and what was expected."""
    found = preview(err.instance)
    if err.validator in ("oneOf", "anyOf") and err.context:
        # Say why the closest alternative failed, not just "none matched".
        inner = [e for e in err.context if e.validator != "type"] or list(err.context)
        err = min(inner, key=lambda e: (len(e.absolute_path), str(e.message)))
    limit = err.validator_value
    if err.validator in ("maxItems", "minItems") and isinstance(err.instance, list):
        most = "most" if err.validator == "maxItems" else "least"
        return f"found {len(err.instance)} items; expected at {most} {limit} (the limit)"
    if err.validator in ("maxLength", "minLength") and isinstance(err.instance, str):
        most = "most" if err.validator == "maxLength" else "least"
        return (f"found {found}, {len(err.instance)} characters; expected at {most} {limit} "
                "(the limit)")
    if err.validator == "pattern" and "description" in err.schema:
        return f"found {found}; expected {err.schema['description']}"
    return f"found {found}: {err.message}"


def schema_incidents(instance, name: str, path: str, check: str,
                     prefix: str = "") -> list[Incident]:
    """Every schema violation of ``instance`` as an incident with a JSON pointer.

    Valid documents, nearly all of them, are passed by the compiled schema in a
    fortieth of jsonschema's time (570 published rows of the seeds: 8 ms against
    313 ms); the others are checked by jsonschema for the incidents.
    """
    if _accepted(instance, name):
        return []
    out = []
    errors = sorted(validator(name).iter_errors(instance),
                    key=lambda e: (list(map(str, e.absolute_path)), str(e.message)))
    for err in errors:
        out.append(Incident(path, prefix + pointer(err.absolute_path), check, _message(err)))
    return out


