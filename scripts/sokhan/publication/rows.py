"""Publication stage: in-memory records to published rows, and the split of each article.

Rows are plain dicts in the published column order; every function here is pure.
"""

from __future__ import annotations

from collections import Counter

from sokhan.publication.columns import (
    COLUMNS,
    CONFIGS,
    DECLARED,
    TEST,
    TRAIN,
    VALIDATION,
    config_splits,
)
from sokhan.records import Attached, Corpus, Document, Entity, Sentence, Span, TokenColumns


def assign_splits(docs: list[Document]) -> dict[str, str]:
    """Document-level splits by event, latest event last.

    Articles are grouped by the event they report so no event straddles two
    splits; events are ordered by date (then id), the latest goes to test, the
    one before it to validation and the rest to train: a model is trained on
    earlier meetings and tested on later ones.
    """
    # an article whose event is not filled in yet is an event of its own, dated
    # earliest: it goes to train and cannot move another article between splits
    def event(d: Document) -> str:
        return d.seed.meta["event_id"] or f"unfilled:{d.doc_id}"

    events: dict[str, str] = {}
    for d in docs:
        events[event(d)] = max(events.get(event(d), ""), d.seed.meta["event_date"] or "")
    ordered = sorted(events, key=lambda e: (events[e], e))
    split_of_event = {e: TRAIN for e in ordered}
    if len(ordered) >= 3:
        split_of_event[ordered[-1]] = TEST
        split_of_event[ordered[-2]] = VALIDATION
    return {d.doc_id: split_of_event[event(d)] for d in docs}


def provenance(doc: Document, line_from: int, line_to: int | None = None) -> str:
    """``seeds/<file>:<line>`` (or ``<first>-<last>``) for a record."""
    lines = f"{line_from}" if line_to in (None, line_from) else f"{line_from}-{line_to}"
    return f"seeds/{doc.seed.file}:{lines}"


def _line_of(doc: Document, raw_offset: int) -> int:
    return doc.raw_text.count("\n", 0, raw_offset) + 1


def _span_row(span: Span) -> dict:
    return {
        "text": span.text,
        "start": span.start,
        "end": span.end,
        "raw_text": span.raw_text,
        "raw_start": span.raw_start,
        "raw_end": span.raw_end,
    }


def sentence_rows(
    doc: Document, split: str, sentences: list[Sentence], layers: Attached
) -> list[dict]:
    """Rows of the ``sentences`` config for one document."""
    return [_sentence_row(doc, split, s, layers) for s in sentences]


def _sentence_row(doc: Document, split: str, s: Sentence, layers: Attached) -> dict:
    # The tokenise stage's columns as they are; other tokens are transposed once.
    texts, starts, ends, raw_texts, raw_starts, raw_ends = (
        s.tokens.columns() if isinstance(s.tokens, TokenColumns)
        else [list(c) for c in zip(*s.tokens, strict=True)] if s.tokens
        else [[] for _ in range(6)])
    return {
        "id": s.id,
        "doc_id": s.doc_id,
        "split": split,
        "n": s.n,
        "paragraph": s.line,
        "role": s.role,
        "text": s.text,
        "start": s.start,
        "end": s.end,
        "raw_text": s.raw_text,
        "raw_start": s.raw_start,
        "raw_end": s.raw_end,
        "tokens": texts,
        "token_starts": starts,
        "token_ends": ends,
        "raw_tokens": raw_texts,
        "raw_token_starts": raw_starts,
        "raw_token_ends": raw_ends,
        "ner_tags": layers.bio[s.id],
        "quote_tags": layers.quote_bio[s.id],
        "repeat_of": s.repeat_of,
        "speaker": layers.speaker[s.id],
        "quote_ids": layers.quote_ids[s.id],
        "provenance": provenance(doc, s.line),
    }


def document_row(doc: Document, split: str, sentences: list[Sentence], layers: Attached) -> dict:
    """The ``documents`` row of one article."""
    meta = doc.seed.meta
    return {
        "doc_id": doc.doc_id,
        "split": split,
        "headline": meta["headline"],
        "outlet": meta["outlet"],
        "source_credit": meta["source_credit"],
        "event_id": meta["event_id"],
        "event": meta["event"],
        "event_date": meta["event_date"],
        "participants_iran": meta["participants_iran"],
        "participants_russia": meta["participants_russia"],
        "text": doc.text,
        "raw_text": doc.raw_text,
        "source_file": f"seeds/{doc.seed.file}",
        "sha256": doc.seed.sha256,
        "n_sentences": len(sentences),
        "n_tokens": sum(len(s.tokens) for s in sentences),
        "n_mentions": len(layers.mentions),
        "n_quotes": len(layers.quotes),
    }


def mention_rows(doc: Document, split: str, layers: Attached) -> list[dict]:
    """Rows of the ``mentions`` config for one document."""
    return [
        {
            "id": m.id,
            "doc_id": m.doc_id,
            "split": split,
            "sentence_id": m.sentence_id,
            **_span_row(m.span),
            "token_start": m.token_start,
            "token_end": m.token_end,
            "type": m.type,
            "entity_id": m.entity_id,
            "provenance": provenance(doc, _line_of(doc, m.span.raw_start)),
        }
        for m in layers.mentions
    ]


def quote_rows(doc: Document, split: str, layers: Attached) -> list[dict]:
    """Rows of the ``quotes`` config for one document."""
    return [
        {
            "id": q.id,
            "doc_id": q.doc_id,
            "split": split,
            "sentence_ids": list(q.sentence_ids),
            "form": q.form,
            "cue": _span_row(q.cue),
            "content": [_span_row(c) for c in q.content],
            "content_text": " … ".join(c.text for c in q.content),
            "speaker": [_span_row(q.speaker)] if q.speaker else [],
            "speaker_kind": q.speaker_kind,
            "speaker_entity": q.speaker_entity,
            "addressee_entity": q.addressee_entity,
            "parent_id": q.parent_id,
            "provenance": provenance(
                doc,
                _line_of(doc, min(q.cue.raw_start, q.content[0].raw_start)),
                _line_of(doc, max(q.cue.raw_end, q.content[-1].raw_end)),
            ),
        }
        for q in layers.quotes
    ]


def entity_rows(
    entities: dict[str, Entity], mentions: list[dict], quotes: list[dict]
) -> list[dict]:
    """Rows of the ``entities`` config: the registry with usage counts."""
    per_doc: dict[str, Counter[str]] = {e: Counter() for e in entities}
    for m in mentions:
        if m["entity_id"]:
            per_doc[m["entity_id"]][m["doc_id"]] += 1
    speakers = Counter(q["speaker_entity"] for q in quotes)
    return [
        {
            "id": e.id,
            "split": TRAIN,  # the registry's one split
            "type": e.type,
            "name_fa": e.name_fa,
            "name_en": e.name_en,
            "aliases": list(e.aliases),
            "is_group": e.is_group,
            "members": list(e.members),
            "mention_count": sum(per_doc[e.id].values()),
            "mention_counts": [{"doc_id": d, "count": c} for d, c in sorted(per_doc[e.id].items())],
            "quote_count": speakers[e.id],
        }
        for e in sorted(entities.values(), key=lambda e: e.id)
    ]


def column_names(config: str) -> list[str]:
    """Published column names of a config, in order (label-name columns included)."""
    return [c.name for c in COLUMNS[config]]


def row_keys(config: str) -> list[str]:
    """The keys of a row as made here: the declared columns (names added on encoding)."""
    return [c.name for c in DECLARED[config]]


def make_rows(corpus: Corpus) -> dict[str, dict[str, list[dict]]]:
    """Published rows per config and split."""
    rows: dict[str, dict[str, list[dict]]] = {c: {s: [] for s in config_splits(c)} for c in CONFIGS}
    for doc in corpus.docs:
        split, sents, layers = (
            corpus.splits[doc.doc_id],
            corpus.sentences[doc.doc_id],
            corpus.layers[doc.doc_id],
        )
        rows["sentences"][split] += sentence_rows(doc, split, sents, layers)
        rows["documents"][split].append(document_row(doc, split, sents, layers))
        rows["mentions"][split] += mention_rows(doc, split, layers)
        rows["quotes"][split] += quote_rows(doc, split, layers)
    every_mention = [m for split_rows in rows["mentions"].values() for m in split_rows]
    every_quote = [q for split_rows in rows["quotes"].values() for q in split_rows]
    rows["entities"][TRAIN] = entity_rows(corpus.entities, every_mention, every_quote)
    return rows
