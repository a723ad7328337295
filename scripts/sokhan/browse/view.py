"""What the browser shows: articles with their layers, and the registry.

Built from a build's in-memory corpus (:func:`from_corpus`), or from one draft
annotation file of the pre-annotator (:func:`from_draft`), which is checked
like a gold file and browsed the same way, marked as a draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sokhan.checks.annotations import check_annotation
from sokhan.checks.incidents import BuildError, Incident
from sokhan.checks.registry import check_registry
from sokhan.checks.schemas import schema_incidents
from sokhan.records import Attached, Document, Entity, Sentence
from sokhan.stages.attach import attach

if TYPE_CHECKING:
    from sokhan.records import Corpus


@dataclass(frozen=True)
class Article:
    """One article and its annotation layers."""

    doc: Document
    split: str
    sentences: tuple[Sentence, ...]
    layers: Attached


@dataclass(frozen=True)
class View:
    """Everything the site is rendered from."""

    articles: tuple[Article, ...]
    entities: dict[str, Entity]
    #: ids of entities a draft proposes (not yet in the registry)
    proposed: frozenset[str] = frozenset()
    #: the draft's provenance (tool, version, status), or None for the gold corpus
    draft: dict | None = None


def from_corpus(corpus: Corpus) -> View:
    """The gold corpus as the browser shows it."""
    return View(
        tuple(
            Article(d, corpus.splits[d.doc_id], tuple(corpus.sentences[d.doc_id]),
                    corpus.layers[d.doc_id])
            for d in sorted(corpus.docs, key=lambda d: d.doc_id)
        ),
        dict(corpus.entities),
    )


def from_draft(corpus: Corpus, draft: object, path: str) -> View:
    """One draft annotation file, checked against its article and the registry.

    Args:
        corpus: the assembled gold corpus (for the article's text and the registry).
        draft: the parsed draft file: the annotation-file schema plus a ``draft`` block.
        path: the file as shown in messages.

    Raises:
        BuildError: when the file is not a draft or does not check.
    """
    if not isinstance(draft, dict) or not isinstance(draft.get("draft"), dict):
        raise BuildError([Incident(path, "/draft", "annotation-schema",
                                   "no draft block; expected a file written by sokhan annotate")])
    # the draft block's own fields are checked here: check_annotation below sees the file
    # without it, and the proposed entities are checked as a registry (registry-schema)
    block_incidents = [i for i in schema_incidents(draft, "annotation", path, "annotation-schema")
                       if i.where.startswith("/draft")
                       and not i.where.startswith("/draft/proposed_entities")]
    if block_incidents:
        raise BuildError(block_incidents)
    block = draft["draft"]
    proposed_raw = block.get("proposed_entities", [])
    registry, incidents = check_registry({"entities": proposed_raw}, path)
    proposed = registry.by_id() if registry is not None else {}
    incidents = [Incident(i.path, f"/draft/proposed_entities{i.where.removeprefix('/entities')}",
                          i.check, i.message) for i in incidents]
    clash = sorted(set(proposed) & set(corpus.entities))
    incidents += [Incident(path, "/draft/proposed_entities", "duplicate-id",
                           f"{e!r} is already in the registry; expected a new id") for e in clash]
    if incidents:
        raise BuildError(incidents)
    entities = {**corpus.entities, **proposed}
    ann = {k: v for k, v in draft.items() if k != "draft"}
    doc_id = ann.get("doc_id")
    docs = {d.doc_id: d for d in corpus.docs}
    doc = docs.get(doc_id) if isinstance(doc_id, str) else None
    sentences = corpus.sentences.get(doc.doc_id, []) if doc is not None else []
    parsed, found = check_annotation(ann, path, doc, sentences, entities,
                                     doc_id if isinstance(doc_id, str) else "")
    if found:
        raise BuildError(found)
    assert doc is not None and parsed is not None  # check_annotation reports both
    article = Article(doc, corpus.splits[doc.doc_id], tuple(sentences),
                      attach(doc, sentences, parsed))
    return View((article,), entities, frozenset(proposed),
                {k: block.get(k) for k in ("tool", "version", "status")})
