"""Validation stage: JSON Schema and cross-checks, reported as incidents.

Every check has a stable id (see :data:`sokhan.incidents.CHECKS`); all problems
are collected with ``iter_errors()`` and cross-checks before anything fails, so
one run shows everything that needs fixing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from sokhan.incidents import Incident
from sokhan.records import NUMERIC_TYPES, Document, Entity, Sentence

SCHEMA_VERSION = "1.0.0"
#: Types a quotation's speaker may have: people, organisations, nations and states.
SPEAKER_TYPES = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def schema_dir() -> Path:
    """The repository's ``schema/`` folder."""
    return Path(str(resources.files("sokhan"))).parents[1] / "schema"


@cache
def _schemas() -> dict[str, dict]:
    out = {}
    for path in sorted(schema_dir().glob("*.schema.json")):
        out[path.name.removesuffix(".schema.json")] = json.loads(path.read_text(encoding="utf-8"))
    return out


@cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for ``schema/<name>.schema.json``."""
    schemas = _schemas()
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    return Draft202012Validator(schemas[name], registry=registry, format_checker=FormatChecker())


def pointer(parts: Iterable) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts) or "/"


def schema_incidents(instance, name: str, path: str, check: str, prefix: str = "") -> list[Incident]:
    """Every schema violation of ``instance`` as an incident with a JSON pointer."""
    out = []
    for err in sorted(validator(name).iter_errors(instance), key=lambda e: list(map(str, e.path))):
        found = json.dumps(err.instance, ensure_ascii=False)
        if len(found) > 80:
            found = found[:77] + "..."
        out.append(Incident(path, prefix + pointer(err.absolute_path), check,
                            f"found {found}: {err.message}"))
    return out


def check_registry(registry: dict, path: str) -> tuple[dict[str, Entity], list[Incident]]:
    """Schema-check the entity registry and build its entities by id."""
    incidents = schema_incidents(registry, "registry", path, "registry-schema")
    if incidents:
        return {}, incidents
    entities: dict[str, Entity] = {}
    for k, e in enumerate(registry["entities"]):
        if e["id"] in entities:
            incidents.append(Incident(path, f"/entities/{k}/id", "duplicate-id",
                                      f"{e['id']!r} appears twice; expected unique ids"))
        entities[e["id"]] = Entity(e["id"], e["type"], e["name_fa"], e["name_en"],
                                   tuple(e["aliases"]), e["is_group"], tuple(e["members"]))
    for k, e in enumerate(registry["entities"]):
        for j, member in enumerate(e["members"]):
            if member not in entities:
                incidents.append(Incident(path, f"/entities/{k}/members/{j}", "registry-member",
                                          f"{member!r} is not in the registry"))
    return entities, incidents


def check_annotation(
    ann: dict, path: str, doc: Document | None, sentences: list[Sentence],
    entities: dict[str, Entity], expected_doc_id: str,
) -> list[Incident]:
    """Every problem of one annotation file: schema first, then cross-checks.

    Args:
        ann: the parsed annotation file.
        path: the file as shown in messages.
        doc: the annotated document, or None when no seed has that id.
        sentences: the document's sentences with tokens.
        entities: the registry by id.
        expected_doc_id: the doc id the file name gives.
    """
    incidents = schema_incidents(ann, "annotation", path, "annotation-schema")
    if incidents:
        return incidents
    if ann["doc_id"] != expected_doc_id:
        incidents.append(Incident(path, "/doc_id", "annotation-doc-id",
                                  f"found {ann['doc_id']!r}; expected {expected_doc_id!r} "
                                  "(the file name)"))
    if doc is None:
        return [*incidents, Incident(path, "/doc_id", "annotation-orphan",
                                     f"no seed article {expected_doc_id!r}; expected one of "
                                     "the manifest's doc ids")]
    spans = _SpanChecker(doc, sentences, path)
    incidents.extend(_duplicate_ids(ann, path))
    incidents.extend(_check_mentions(ann, spans, entities, path))
    incidents.extend(_check_quotes(ann, spans, entities, path))
    return incidents


def check_pass(ann: dict, path: str, doc: Document | None, expected_doc_id: str) -> list[Incident]:
    """Checks of one annotator's pass: schema, article, offsets and copied text.

    Passes are kept as the annotators left them, so token boundaries and
    registry links are checked only in the adjudicated gold files.
    """
    incidents = schema_incidents(ann, "annotation", path, "annotation-schema")
    if incidents:
        return incidents
    if doc is None:
        return [Incident(path, "/doc_id", "annotation-orphan",
                         f"no seed article {expected_doc_id!r}; expected one of the manifest's doc ids")]
    raw = doc.raw_text
    for where, span in _raw_spans(ann):
        start, end = span["start"], span["end"]
        if not 0 <= start < end <= len(raw):
            incidents.append(Incident(path, where, "span-range",
                                      f"offsets [{start}, {end}); expected 0 <= start < end <= {len(raw)}"))
        elif raw[start:end] != span["text"]:
            incidents.append(Incident(path, where + "/text", "span-text",
                                      f"copied text {span['text']!r} but the raw text at "
                                      f"[{start}, {end}) is {raw[start:end]!r}"))
    return incidents


def _raw_spans(ann: dict) -> Iterable[tuple[str, dict]]:
    for k, m in enumerate(ann["mentions"]):
        yield f"/mentions/{k}", m
    for k, q in enumerate(ann["quotes"]):
        yield f"/quotes/{k}/cue", q["cue"]
        for j, c in enumerate(q["content"]):
            yield f"/quotes/{k}/content/{j}", c
        if q["speaker"] is not None:
            yield f"/quotes/{k}/speaker", q["speaker"]


def _duplicate_ids(ann: dict, path: str) -> Iterable[Incident]:
    for layer in ("mentions", "quotes"):
        seen: dict[str, int] = {}
        for k, rec in enumerate(ann[layer]):
            if rec["id"] in seen:
                yield Incident(path, f"/{layer}/{k}/id", "duplicate-id",
                               f"{rec['id']!r} is also /{layer}/{seen[rec['id']]}; expected unique")
            seen.setdefault(rec["id"], k)


class _SpanChecker:
    """Checks raw spans against the document and the token boundaries."""

    def __init__(self, doc: Document, sentences: list[Sentence], path: str):
        self.doc, self.sentences, self.path = doc, sentences, path
        self.token_starts = {s.start + t.start for s in sentences for t in s.tokens}
        self.token_ends = {s.start + t.end for s in sentences for t in s.tokens}

    def check(self, span: dict, where: str) -> list[Incident]:
        raw = self.doc.raw_text
        start, end = span["start"], span["end"]
        if not 0 <= start < end <= len(raw):
            return [Incident(self.path, where, "span-range",
                             f"offsets [{start}, {end}); expected 0 <= start < end <= {len(raw)}")]
        if raw[start:end] != span["text"]:
            return [Incident(self.path, where + "/text", "span-text",
                             f"copied text {span['text']!r} but the raw text at "
                             f"[{start}, {end}) is {raw[start:end]!r}")]
        ns, ne = self.doc.alignment.raw_to_norm(start, end)
        if ns >= ne:
            return [Incident(self.path, where, "span-empty",
                             f"{span['text']!r} normalises to nothing; expected a token")]
        bad = [] if ns in self.token_starts else [f"starts inside a token at {ns}"]
        bad += [] if ne in self.token_ends else [f"ends inside a token at {ne}"]
        if bad:
            return [Incident(self.path, where, "span-token",
                             f"{span['text']!r} {' and '.join(bad)} of the normalised text "
                             f"{self._context(ns, ne)!r}; expected whole tokens")]
        return []

    def sentence_of(self, start: int, end: int) -> Sentence | None:
        ns, ne = self.doc.alignment.raw_to_norm(start, end)
        for s in self.sentences:
            if s.start <= ns and ne <= s.end:
                return s
        return None

    def _context(self, ns: int, ne: int) -> str:
        text = self.doc.text
        lo = max(text.rfind(" ", 0, ns), 0)
        hi = text.find(" ", ne)
        return text[lo : hi if hi >= 0 else len(text)].strip()


def _check_mentions(ann: dict, spans: _SpanChecker, entities: dict[str, Entity],
                    path: str) -> Iterable[Incident]:
    placed: list[tuple[int, int, int]] = []
    for k, m in enumerate(ann["mentions"]):
        where = f"/mentions/{k}"
        found = spans.check(m, where)
        yield from found
        if not found:
            if spans.sentence_of(m["start"], m["end"]) is None:
                yield Incident(path, where, "span-sentence",
                               f"{m['text']!r} crosses a sentence boundary; expected one sentence")
            placed.append((m["start"], m["end"], k))
        entity = m["entity"]
        if m["type"] in NUMERIC_TYPES:
            if entity is not None:
                yield Incident(path, where + "/entity", "mention-entity-numeric",
                               f"{m['type']} mention links to {entity!r}; expected null")
        elif entity is None:
            yield Incident(path, where + "/entity", "mention-entity-missing",
                           f"{m['type']} mention {m['text']!r} has no entity; expected a registry id")
        elif entity not in entities:
            yield Incident(path, where + "/entity", "unknown-entity",
                           f"{entity!r} is not in the registry")
        elif entities[entity].is_group:
            yield Incident(path, where + "/entity", "group-as-mention",
                           f"{entity!r} is a group; expected an individual entity")
        elif entities[entity].type != m["type"] and not _metonymy_ok(entities[entity].type, m["type"]):
            yield Incident(path, where + "/type", "mention-entity-type",
                           f"mention typed {m['type']} links to {entity!r} of type "
                           f"{entities[entity].type}; expected the same type")
    placed.sort()
    for (s1, e1, k1), (s2, _e2, k2) in zip(placed, placed[1:], strict=False):
        if s2 < e1:
            yield Incident(path, f"/mentions/{k2}", "mention-overlap",
                           f"[{s2}, {_e2}) overlaps /mentions/{k1} [{s1}, {e1}); "
                           "expected flat, non-overlapping spans")


def _metonymy_ok(entity_type: str, mention_type: str) -> bool:
    """Whether a mention may carry another type than its entity.

    The guidelines type a building by its role in the sentence: «کاخ کرملین» is
    FAC as a place and ORG as an actor, linked to one entity.
    """
    return {entity_type, mention_type} <= {"FAC", "ORG"}


def _check_quotes(ann: dict, spans: _SpanChecker, entities: dict[str, Entity],
                  path: str) -> Iterable[Incident]:
    ids = {q["id"] for q in ann["quotes"]}
    parents = {q["id"]: q["parent"] for q in ann["quotes"]}
    for k, q in enumerate(ann["quotes"]):
        where = f"/quotes/{k}"
        yield from spans.check(q["cue"], where + "/cue")
        last_end = -1
        for j, c in enumerate(q["content"]):
            yield from spans.check(c, f"{where}/content/{j}")
            if c["start"] < last_end:
                yield Incident(path, f"{where}/content/{j}", "content-order",
                               f"starts at {c['start']} before the previous span ends at "
                               f"{last_end}; expected ordered, disjoint spans")
            last_end = c["end"]
        if q["speaker"] is not None:
            yield from spans.check(q["speaker"], where + "/speaker")
        if (q["speaker"] is None) != (q["speaker_kind"] == "none"):
            yield Incident(path, where + "/speaker_kind", "speaker-kind",
                           f"speaker_kind {q['speaker_kind']!r} with "
                           f"{'no' if q['speaker'] is None else 'a'} speaker span; expected "
                           "'none' exactly when there is no span")
        speaker = q["speaker_entity"]
        if speaker == "unknown":
            if q["speaker_kind"] == "pronoun":
                yield Incident(path, where + "/speaker_entity", "speaker-unresolved",
                               f"{q['speaker']['text']!r} has no entity; expected the "
                               "registry id the pronoun refers to")
        elif speaker not in entities:
            yield Incident(path, where + "/speaker_entity", "unknown-entity",
                           f"{speaker!r} is not in the registry")
        elif not entities[speaker].is_group and entities[speaker].type not in SPEAKER_TYPES:
            yield Incident(path, where + "/speaker_entity", "speaker-type",
                           f"{speaker!r} is {entities[speaker].type}; expected a person, "
                           "organisation, nation or group")
        addressee = q["addressee_entity"]
        if addressee is not None and addressee not in entities:
            yield Incident(path, where + "/addressee_entity", "unknown-entity",
                           f"{addressee!r} is not in the registry")
        parent = q["parent"]
        if parent is not None and parent not in ids:
            yield Incident(path, where + "/parent", "quote-parent-missing",
                           f"parent {parent!r} is not a quotation of this file")
        elif parent is not None and _in_cycle(q["id"], parents):
            yield Incident(path, where + "/parent", "quote-parent-cycle",
                           f"{q['id']!r} is its own ancestor through {parent!r}; expected a tree")


def _in_cycle(start: str, parents: dict[str, str | None]) -> bool:
    seen, node = set(), start
    while node is not None and node in parents:
        if node in seen:
            return True
        seen.add(node)
        node = parents[node]
        if node == start:
            return True
    return False
