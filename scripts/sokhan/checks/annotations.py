"""Annotation file checks: schema, article, offsets, tokens, registry links, quotation trees.

Every check has a stable id (see :data:`sokhan.checks.incidents.CHECKS`); all
problems are collected before anything fails, so one run shows everything that
needs fixing.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable

from sokhan.checks.incidents import Incident, clip
from sokhan.checks.registry import parse_entity
from sokhan.checks.schemas import schema_incidents
from sokhan.checks.unicode import describe, string_incidents
from sokhan.records import (
    NUMERIC_TYPES,
    UNKNOWN_SPEAKER,
    AnnotationFile,
    Document,
    Draft,
    Entity,
    MentionAnnotation,
    QuoteAnnotation,
    RawSpan,
    Sentence,
)

#: Types a quotation's speaker may have: people, organisations, nations and states.
SPEAKER_TYPES = frozenset({"PERSON", "ORG", "NORP", "GPE"})


def _raw(span: dict) -> RawSpan:
    return RawSpan(span["start"], span["end"], span["text"])


def parse_annotation(value: dict) -> AnnotationFile:
    """A schema-valid annotation file as typed records (the only place that reads its keys)."""
    draft = value.get("draft")
    return AnnotationFile(
        doc_id=value["doc_id"],
        annotator=value["annotator"],
        mentions=tuple(MentionAnnotation(m["id"], _raw(m), m["type"], m["entity"])
                       for m in value["mentions"]),
        quotes=tuple(
            QuoteAnnotation(
                id=q["id"], form=q["form"], cue=_raw(q["cue"]),
                content=tuple(_raw(c) for c in q["content"]),
                speaker=_raw(q["speaker"]) if q["speaker"] is not None else None,
                speaker_kind=q["speaker_kind"], speaker_entity=q["speaker_entity"],
                addressee_entity=q["addressee_entity"], parent=q["parent"],
            )
            for q in value["quotes"]
        ),
        draft=Draft(draft["tool"], draft["version"], draft["status"],
                    tuple(parse_entity(e) for e in draft["proposed_entities"]))
        if draft is not None else None,
    )


def _structure(value: object, path: str, doc: Document | None,
               expected_doc_id: str) -> tuple[AnnotationFile | None, list[Incident]]:
    """Schema and string checks, then parsing, then the checks of the file's article."""
    incidents = schema_incidents(value, "annotation", path, "annotation-schema")
    if incidents:
        return None, incidents
    incidents = string_incidents(value, path)
    if incidents:
        return None, incidents
    assert isinstance(value, dict)  # the schema says so
    ann = parse_annotation(value)
    if ann.doc_id != expected_doc_id:
        incidents.append(Incident(path, "/doc_id", "annotation-doc-id",
                                  f"found {ann.doc_id!r}; expected {expected_doc_id!r} "
                                  "(the file name)"))
    if doc is None:
        incidents.append(Incident(path, "/doc_id", "annotation-orphan",
                                  f"no seed article {clip(expected_doc_id)}; expected one of "
                                  "the manifest's doc ids"))
    return ann, incidents


def check_annotation(
    value: object, path: str, doc: Document | None, sentences: list[Sentence],
    entities: dict[str, Entity] | None, expected_doc_id: str,
) -> tuple[AnnotationFile | None, list[Incident]]:
    """Every problem of one gold annotation file: schema first, then cross-checks.

    Args:
        value: the parsed JSON of the file.
        path: the file as shown in messages.
        doc: the annotated document, or None when no seed has that id.
        sentences: the document's sentences with tokens.
        entities: the registry by id, or None when the registry is unusable.
        expected_doc_id: the doc id the file name gives.

    Returns:
        The parsed file (None when it fails its schema) and every incident.
    """
    ann, incidents = _structure(value, path, doc, expected_doc_id)
    if ann is None:
        return None, incidents
    if not incidents and ann.draft is not None:
        # a machine draft is never published as gold, whatever its status says
        draft = ann.draft
        incidents.append(Incident(path, "/draft", "annotation-draft",
                                  f"a draft by {clip(draft.tool)} {clip(draft.version)} "
                                  f"with status {draft.status!r}; expected a gold file: "
                                  "review the draft, set its status to 'reviewed' and run "
                                  "`sokhan accept`"))
    if doc is None or any(i.check not in ("annotation-doc-id", "annotation-draft")
                          for i in incidents):
        return ann, incidents
    spans = _SpanChecker(doc, sentences, path)
    incidents.extend(_duplicate_ids(ann, path))
    incidents.extend(_check_mentions(ann, spans, entities, path))
    incidents.extend(_check_quotes(ann, spans, entities, path))
    return ann, incidents


def check_pass(value: object, path: str, doc: Document | None,
               expected_doc_id: str) -> tuple[AnnotationFile | None, list[Incident]]:
    """Checks of one annotator's pass: schema, article, offsets and copied text.

    Passes are kept as the annotators left them, so token boundaries and
    registry links are checked only in the adjudicated gold files.
    """
    ann, incidents = _structure(value, path, doc, expected_doc_id)
    if ann is None or doc is None or any(i.check != "annotation-doc-id" for i in incidents):
        return ann, incidents
    for where, span in _raw_spans(ann):
        incidents.extend(raw_span_problems(doc.raw_text, span, where, path))
    return ann, incidents


def raw_span_problems(raw: str, span: RawSpan, where: str, path: str) -> list[Incident]:
    """``span-range`` or ``span-text``: offsets inside the raw text, copied text equal to it."""
    start, end = span.start, span.end
    if not 0 <= start < end <= len(raw):
        return [Incident(path, where, "span-range",
                         f"offsets [{start}, {end}); expected 0 <= start < end <= {len(raw)} "
                         "(the raw article's length)")]
    split = grapheme_split(raw, start, end)
    if split:
        return [Incident(path, where, "span-grapheme", split)]
    found = raw[start:end]
    if found != span.text:
        hint = ""
        if unicodedata.normalize("NFC", found) == unicodedata.normalize("NFC", span.text):
            hint = " (the same letters in another Unicode normal form: copy the text in NFC)"
        elif found.strip() == span.text.strip():
            hint = " (they differ in white space at the edges)"
        return [Incident(path, where + "/text", "span-text",
                         f"copied text {clip(span.text)} but the raw text at [{start}, {end}) "
                         f"(line {raw.count(chr(10), 0, start) + 1}) is {clip(found)}{hint}")]
    return []


def _joins_previous(char: str) -> bool:
    """Whether ``char`` belongs to the character before it (no grapheme boundary before it).

    Combining marks (Persian and Arabic diacritics, «ٔ» U+0654, shadda U+0651,
    and every other mark, categories Mn, Mc, Me), emoji skin-tone modifiers and
    the zero-width joiner extend the grapheme they follow (UAX #29, GB9/GB9a).
    """
    return (unicodedata.category(char)[0] == "M" or char == "\u200d"
            or "\U0001f3fb" <= char <= "\U0001f3ff")


def grapheme_split(raw: str, start: int, end: int) -> str | None:
    """Why the span ``[start, end)`` cuts a letter from its combining mark, or None."""
    for edge, at in (("start", start), ("end", end)):
        if 0 < at < len(raw) and _joins_previous(raw[at]):
            return (f"the span's {edge} at {at} falls between {raw[at - 1]!r} and "
                    f"{describe(raw[at])}, which belongs to it; expected a boundary between "
                    "whole characters (graphemes): move the "
                    f"{edge} {'after' if edge == 'end' else 'before'} the mark")
    return None


def _raw_spans(ann: AnnotationFile) -> Iterable[tuple[str, RawSpan]]:
    for k, m in enumerate(ann.mentions):
        yield f"/mentions/{k}", m.span
    for k, q in enumerate(ann.quotes):
        yield f"/quotes/{k}/cue", q.cue
        for j, c in enumerate(q.content):
            yield f"/quotes/{k}/content/{j}", c
        if q.speaker is not None:
            yield f"/quotes/{k}/speaker", q.speaker


def _duplicate_ids(ann: AnnotationFile, path: str) -> Iterable[Incident]:
    layers = {"mentions": [m.id for m in ann.mentions], "quotes": [q.id for q in ann.quotes]}
    for layer, ids in layers.items():
        seen: dict[str, int] = {}
        for k, rec_id in enumerate(ids):
            if rec_id in seen:
                yield Incident(path, f"/{layer}/{k}/id", "duplicate-id",
                               f"{rec_id!r} is also /{layer}/{seen[rec_id]}; expected unique")
            seen.setdefault(rec_id, k)


class _SpanChecker:
    """Checks raw spans against the document and the token boundaries."""

    def __init__(self, doc: Document, sentences: list[Sentence], path: str):
        self.doc, self.sentences, self.path = doc, sentences, path
        self.token_starts = {s.start + t.start for s in sentences for t in s.tokens}
        self.token_ends = {s.start + t.end for s in sentences for t in s.tokens}
        self.sentence_starts = [s.start for s in sentences]  # sorted: sentences are in order

    def check(self, span: RawSpan, where: str) -> list[Incident]:
        found = raw_span_problems(self.doc.raw_text, span, where, self.path)
        if found:
            return found
        ns, ne = self.doc.alignment.raw_to_norm(span.start, span.end)
        if ns >= ne:
            return [Incident(self.path, where, "span-empty",
                             f"{clip(span.text)} normalises to nothing; expected a token")]
        bad = [] if ns in self.token_starts else [f"starts inside a token at {ns}"]
        bad += [] if ne in self.token_ends else [f"ends inside a token at {ne}"]
        if bad:
            return [Incident(self.path, where, "span-token",
                             f"{clip(span.text)} {' and '.join(bad)} of the normalised text "
                             f"{clip(self._context(ns, ne))}; expected whole tokens")]
        return []

    def sentence_of(self, span: RawSpan) -> Sentence | None:
        """The sentence holding the span, found by bisection (files may hold thousands)."""
        ns, ne = self.doc.alignment.raw_to_norm(span.start, span.end)
        k = bisect_right(self.sentence_starts, ns) - 1
        if k >= 0 and ns >= self.sentences[k].start and ne <= self.sentences[k].end:
            return self.sentences[k]
        return None

    def _context(self, ns: int, ne: int) -> str:
        # the words around the span, looked for within a bounded window
        text, window = self.doc.text, 40
        lo = text.rfind(" ", max(ns - window, 0), ns)
        hi = text.find(" ", ne, ne + window)
        return text[max(lo, ns - window, 0) : hi if hi >= 0 else min(ne + window, len(text))
                    ].strip()


def _check_mentions(ann: AnnotationFile, spans: _SpanChecker, entities: dict[str, Entity] | None,
                    path: str) -> Iterable[Incident]:
    placed: list[tuple[int, int, int]] = []
    for k, m in enumerate(ann.mentions):
        where = f"/mentions/{k}"
        found = spans.check(m.span, where)
        yield from found
        if not found:
            if spans.sentence_of(m.span) is None:
                yield Incident(path, where, "span-sentence",
                               f"{clip(m.span.text)} crosses a sentence boundary; expected one "
                               "sentence")
            placed.append((m.span.start, m.span.end, k))
        entity = m.entity
        if m.type in NUMERIC_TYPES:
            if entity is not None:
                yield Incident(path, where + "/entity", "mention-entity-numeric",
                               f"{m.type} mention links to {entity!r}; expected null")
        elif entity is None:
            yield Incident(path, where + "/entity", "mention-entity-missing",
                           f"{m.type} mention {clip(m.span.text)} has no entity; expected a "
                           "registry id")
        elif entities is None:
            pass
        elif entity not in entities:
            yield Incident(path, where + "/entity", "unknown-entity",
                           f"{entity!r} is not in the registry")
        elif entities[entity].is_group:
            yield Incident(path, where + "/entity", "group-as-mention",
                           f"{entity!r} is a group; expected an individual entity")
        elif (entities[entity].type != m.type
              and not _metonymy_ok(entities[entity].type, m.type)):
            yield Incident(path, where + "/type", "mention-entity-type",
                           f"mention typed {m.type} links to {entity!r} of type "
                           f"{entities[entity].type}; expected the same type")
    placed.sort()
    # Compare each mention with the furthest-reaching one before it, not only its
    # neighbour: [0, 9) overlaps [5, 6) even when [1, 2) sorts between them.
    reach: tuple[int, int, int] | None = None
    for s2, e2, k2 in placed:
        if reach is not None and s2 < reach[1]:
            yield Incident(path, f"/mentions/{k2}", "mention-overlap",
                           f"[{s2}, {e2}) overlaps /mentions/{reach[2]} [{reach[0]}, {reach[1]}); "
                           "expected flat, non-overlapping spans")
        if reach is None or e2 > reach[1]:
            reach = (s2, e2, k2)


def _metonymy_ok(entity_type: str, mention_type: str) -> bool:
    """Whether a mention may carry another type than its entity.

    The guidelines type a building by its role in the sentence: «کاخ کرملین» is
    FAC as a place and ORG as an actor, linked to one entity.
    """
    return {entity_type, mention_type} <= {"FAC", "ORG"}


def _check_quotes(ann: AnnotationFile, spans: _SpanChecker, entities: dict[str, Entity] | None,
                  path: str) -> Iterable[Incident]:
    ids = {q.id for q in ann.quotes}
    cyclic = _cycles({q.id: q.parent for q in ann.quotes})
    for k, q in enumerate(ann.quotes):
        where = f"/quotes/{k}"
        yield from spans.check(q.cue, where + "/cue")
        last_end = -1
        for j, c in enumerate(q.content):
            yield from spans.check(c, f"{where}/content/{j}")
            if c.start < last_end:
                yield Incident(path, f"{where}/content/{j}", "content-order",
                               f"starts at {c.start} before the previous span ends at "
                               f"{last_end}; expected ordered, disjoint spans")
            last_end = max(last_end, c.end)
        if q.speaker is not None:
            yield from spans.check(q.speaker, where + "/speaker")
        if (q.speaker is None) != (q.speaker_kind == "none"):
            yield Incident(path, where + "/speaker_kind", "speaker-kind",
                           f"speaker_kind {q.speaker_kind!r} with "
                           f"{'no' if q.speaker is None else 'a'} speaker span; expected "
                           "'none' exactly when there is no span")
        speaker, addressee = q.speaker_entity, q.addressee_entity
        if speaker == UNKNOWN_SPEAKER:
            if q.speaker_kind == "pronoun":
                said = clip(q.speaker.text) if q.speaker else "the pronoun"
                yield Incident(path, where + "/speaker_entity", "speaker-unresolved",
                               f"{said} has no entity; expected the registry id the pronoun "
                               "refers to")
        elif entities is None:
            pass
        elif speaker not in entities:
            yield Incident(path, where + "/speaker_entity", "unknown-entity",
                           f"{speaker!r} is not in the registry")
        elif not entities[speaker].is_group and entities[speaker].type not in SPEAKER_TYPES:
            yield Incident(path, where + "/speaker_entity", "speaker-type",
                           f"{speaker!r} is {entities[speaker].type}; expected a person, "
                           "organisation, nation or group")
        if entities is not None and addressee is not None and addressee not in entities:
            yield Incident(path, where + "/addressee_entity", "unknown-entity",
                           f"{addressee!r} is not in the registry")
        parent = q.parent
        if parent is not None and parent not in ids:
            yield Incident(path, where + "/parent", "quote-parent-missing",
                           f"parent {parent!r} is not a quotation of this file")
        elif parent is not None and q.id in cyclic:
            yield Incident(path, where + "/parent", "quote-parent-cycle",
                           f"{q.id!r} is its own ancestor through {parent!r}; expected a tree")


def _cycles(parents: dict[str, str | None]) -> set[str]:
    """The quotations that are their own ancestors, in time linear in their number.

    A quotation whose ancestors loop among themselves without it is not in the
    set: the quotations of that loop are.
    """
    done: set[str] = set()
    cyclic: set[str] = set()
    for start in parents:
        path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in parents and node not in done and node not in path:
            path[node] = len(path)
            node = parents[node]
        if node in path:  # came back to a node of this walk: the loop is its tail
            cyclic.update(list(path)[path[node]:])
        done.update(path)
    return cyclic

