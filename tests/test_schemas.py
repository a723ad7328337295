"""The compiled quick pass never accepts what jsonschema refuses.

``schema_incidents`` trusts the compiled schema (fastjsonschema) when it accepts a
document and asks jsonschema otherwise, so the one property that matters is: accepted
by the quick pass implies valid for jsonschema. Tried on a table of known differences
between the two libraries and on documents mutated at random.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import ANNOTATIONS, SEEDS
from sokhan.checks import schemas

ANNOTATION = json.loads((ANNOTATIONS / "000_706e7e5b40e8e13d.json").read_text(encoding="utf-8"))
REGISTRY = json.loads((ANNOTATIONS / "entities.json").read_text(encoding="utf-8"))
MANIFEST = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))


def _full_check_refuses(instance, name: str) -> bool:
    return any(True for _ in schemas.validator(name).iter_errors(instance))


def _set(doc, path: tuple, value):
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize(("name", "doc"), [
    # an offset written as 5.0: fastjsonschema takes it for an integer, jsonschema does not
    ("annotation", _set(ANNOTATION, ("mentions", 0, "start"), 5.0)),
    # an offset written as true: both refuse a boolean
    ("annotation", _set(ANNOTATION, ("mentions", 0, "start"), True)),
    # a negative offset
    ("annotation", _set(ANNOTATION, ("mentions", 0, "start"), -1)),
    # an unknown entity type
    ("annotation", _set(ANNOTATION, ("mentions", 0, "type"), "PLANET")),
    # a property no schema names
    ("annotation", _set(ANNOTATION, ("mentions", 0, "colour"), "red")),
    # a date of the right shape that is no date: jsonschema's format check says so
    ("seed-manifest", _set(MANIFEST, ("seeds", 0, "event_date"), "2026-02-30")),
    # a registry entry without its id
    ("registry", {**REGISTRY, "entities": [{k: v for k, v in REGISTRY["entities"][0].items()
                                            if k != "id"}]}),
])
def test_known_differences_go_to_the_full_check(name, doc):
    assert _full_check_refuses(doc, name)
    assert not schemas._accepted(doc, name)
    assert schemas.schema_incidents(doc, name, "x", "annotation-schema")


@pytest.mark.parametrize(("name", "doc"), [
    ("annotation", ANNOTATION), ("registry", REGISTRY), ("seed-manifest", MANIFEST)])
def test_valid_documents_take_the_quick_pass(name, doc):
    assert schemas._accepted(doc, name)
    assert not _full_check_refuses(doc, name)


def test_published_rows_take_the_quick_pass(assembled):
    names = {"sentences": "sentence", "documents": "document", "mentions": "mention",
             "quotes": "quote", "entities": "entity"}
    for config, splits in assembled.rows.items():
        for rows in splits.values():
            assert all(schemas._accepted(r, names[config]) for r in rows), config


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats(allow_nan=True)
    | st.sampled_from([0.0, 5.0, -0.0]) | st.text(max_size=8)
    | st.sampled_from(["PERSON", "GPE", "ORG", "direct", "2026-01-01", "2026-13-01", "e1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6)


def _near(old) -> st.SearchStrategy:
    """Values close to ``old``: where the two libraries could disagree."""
    if isinstance(old, bool):
        return st.sampled_from([int(old), float(old), str(old).lower(), None])
    if isinstance(old, int):
        return st.sampled_from([float(old), old + 0.5, bool(old % 2), -old - 1, str(old),
                                10**20])
    if isinstance(old, str):
        return st.sampled_from(["", old + "x", " " + old, old.upper(), old[:1], old * 40])
    if isinstance(old, list):
        return st.sampled_from([[], old + old, old[:1], [None]])
    if isinstance(old, dict):
        return st.sampled_from([{}, {**old, "": 1}])
    return _JSON


def _paths(doc, prefix=()):
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


_DOCS = {"annotation": ANNOTATION, "registry": REGISTRY, "seed-manifest": MANIFEST}


@pytest.mark.fuzz
@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(_DOCS)), st.data())
def test_a_mutated_document_accepted_quickly_is_valid(name, data):
    doc = copy.deepcopy(_DOCS[name])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:  # everything was deleted
            break
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = data.draw(_near(parent[path[-1]]) | _JSON)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=6))] = data.draw(_JSON)
        else:
            parent.append(data.draw(_JSON))
    if schemas._accepted(doc, name):
        assert not _full_check_refuses(doc, name), doc
