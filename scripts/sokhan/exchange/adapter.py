"""From the build's in-memory corpus to the exporters' records.

The build keeps sentences, tokens and the alignment; the gold annotation files
keep what the published rows drop (short ids, notes, the annotator, the order
of the file). This module joins the two, so the exporters stay pure.
"""

from __future__ import annotations

from sokhan.exchange.model import (
    ExchangeDocument,
    ExchangeMention,
    ExchangeQuote,
    ExchangeSentence,
)
from sokhan.records import Corpus, Document, RawSpan, Sentence, Span
from sokhan.stages.attach import make_span


def _token_span(sentence: Sentence, k: int) -> Span:
    tok = sentence.tokens[k]
    return Span(tok.text, sentence.start + tok.start, sentence.start + tok.end, tok.raw_text,
                sentence.raw_start + tok.raw_start, sentence.raw_start + tok.raw_end)


def exchange_sentences(sentences: list[Sentence]) -> tuple[ExchangeSentence, ...]:
    """The build's sentences with document-level token offsets."""
    return tuple(
        ExchangeSentence(
            s.id, s.n, s.line, s.role, s.repeat_of,
            Span(s.text, s.start, s.end, s.raw_text, s.raw_start, s.raw_end),
            tuple(_token_span(s, k) for k in range(len(s.tokens))),
        )
        for s in sentences
    )


def exchange_document(doc: Document, split: str, sentences: list[Sentence],
                      ann: dict) -> ExchangeDocument:
    """One article and its validated gold annotation file as an exporter input."""

    def span(d: dict) -> Span:
        return make_span(doc, RawSpan(d["start"], d["end"], d["text"]))

    mentions = tuple(
        ExchangeMention(m["id"], span(m), m["type"], m["entity"], m.get("note"))
        for m in ann["mentions"]
    )
    quotes = tuple(
        ExchangeQuote(
            q["id"], q["form"], span(q["cue"]), tuple(span(c) for c in q["content"]),
            span(q["speaker"]) if q["speaker"] is not None else None,
            q["speaker_kind"], q["speaker_entity"], q["addressee_entity"], q["parent"],
            q.get("note"),
        )
        for q in ann["quotes"]
    )
    return ExchangeDocument(doc.doc_id, split, ann["annotator"], doc.text, doc.raw_text,
                            exchange_sentences(sentences), mentions, quotes)


def exchange_documents(corpus: Corpus, annotations: dict[str, dict]) -> list[ExchangeDocument]:
    """Every article that has a gold annotation file, in corpus order.

    Args:
        corpus: the output of :func:`sokhan.build.assemble` (already validated).
        annotations: the gold annotation files by doc id, as parsed.
    """
    return [
        exchange_document(doc, corpus.splits[doc.doc_id], corpus.sentences[doc.doc_id],
                          annotations[doc.doc_id])
        for doc in corpus.docs
        if doc.doc_id in annotations
    ]
