"""Attach stage: gold standoff annotations onto sentences and tokens.

Input annotations are anchored to raw offsets and have passed
:func:`sokhan.checks.annotations.check_annotation`; this stage maps them to the
normalised text, finds their sentences and tokens, derives BIO tags and the
speaker each sentence's words belong to. It never writes the annotation files.
"""

from __future__ import annotations

from sokhan.records import (
    UNKNOWN_SPEAKER,
    AnnotationFile,
    Attached,
    Document,
    Mention,
    Quote,
    RawSpan,
    Sentence,
    Span,
)


def make_span(doc: Document, raw: RawSpan) -> Span:
    """A span in both texts from an annotated raw span."""
    start, end = doc.alignment.raw_to_norm(raw.start, raw.end)
    return Span(
        doc.text[start:end], start, end, doc.raw_text[raw.start:raw.end], raw.start, raw.end
    )


def _sentence_at(sentences: list[Sentence], span: Span) -> Sentence:
    for s in sentences:
        if s.start <= span.start and span.end <= s.end:
            return s
    raise ValueError(f"span {span} lies in no single sentence")


def _sentences_over(sentences: list[Sentence], span: Span) -> list[Sentence]:
    return [s for s in sentences if s.start < span.end and span.start < s.end]


def attach(doc: Document, sentences: list[Sentence], ann: AnnotationFile | None) -> Attached:
    """Build mention and quotation records and per-sentence layers.

    Args:
        doc: the normalised document.
        sentences: its sentences with tokens.
        ann: the validated annotation file, or None when the article has none yet.
    """
    bio = {s.id: ["O"] * len(s.tokens) for s in sentences}
    speaker: dict[str, str | None] = {s.id: None for s in sentences}
    quote_ids: dict[str, list[str]] = {s.id: [] for s in sentences}
    if ann is None:
        return Attached([], [], bio, speaker, quote_ids, quote_bio_tags(sentences, []))

    mentions = []
    for m in sorted(ann.mentions, key=lambda m: (m.span.start, m.span.end)):
        span = make_span(doc, m.span)
        sent = _sentence_at(sentences, span)
        rel_start, rel_end = span.start - sent.start, span.end - sent.start
        first = next(i for i, t in enumerate(sent.tokens) if t.start == rel_start)
        last = next(i for i, t in enumerate(sent.tokens) if t.end == rel_end)
        tags = bio[sent.id]
        tags[first] = f"B-{m.type}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{m.type}"
        mentions.append(
            Mention(
                id=f"{doc.doc_id}-{m.id}",
                doc_id=doc.doc_id,
                sentence_id=sent.id,
                span=span,
                token_start=first,
                token_end=last + 1,
                type=m.type,
                entity_id=m.entity,
            )
        )

    quotes = []
    claimed: set[str] = set()
    for q in sorted(ann.quotes, key=lambda q: (q.cue.start, q.id)):
        qid = f"{doc.doc_id}-{q.id}"
        cue = make_span(doc, q.cue)
        content = tuple(make_span(doc, c) for c in q.content)
        spk = make_span(doc, q.speaker) if q.speaker is not None else None
        touched: dict[str, Sentence] = {}
        for part in (cue, *content):
            for s in _sentences_over(sentences, part):
                touched[s.id] = s
        entity = None if q.speaker_entity == UNKNOWN_SPEAKER else q.speaker_entity
        for part in content:
            for s in _sentences_over(sentences, part):
                quote_ids[s.id].append(qid)
                # A nested quotation's words are its own speaker's; the outer one
                # only claims sentences no inner quotation has claimed.
                if q.parent is not None or s.id not in claimed:
                    speaker[s.id] = entity
                    claimed.add(s.id)
        quotes.append(
            Quote(
                id=qid,
                doc_id=doc.doc_id,
                sentence_ids=tuple(sorted(touched, key=lambda i: touched[i].n)),
                form=q.form,
                cue=cue,
                content=content,
                speaker=spk,
                speaker_kind=q.speaker_kind,
                speaker_entity=entity,
                addressee_entity=q.addressee_entity,
                parent_id=f"{doc.doc_id}-{q.parent}" if q.parent else None,
            )
        )
    return Attached(mentions, quotes, bio, speaker, quote_ids, quote_bio_tags(sentences, quotes))


def quote_tag_spans(quote: Quote) -> list[tuple[str, Span]]:
    """The spans of a quotation with their tag type, in the order they are tagged.

    Content first, then cue, then source: where an outer quotation's spans overlap,
    the later kinds win (an attribution inside reported speech keeps its cue).
    """
    return (
        [("CONTENT", c) for c in quote.content]
        + [("CUE", quote.cue)]
        + ([("SOURCE", quote.speaker)] if quote.speaker else [])
    )


def span_tokens(sentence: Sentence, span: Span) -> tuple[list[int], bool]:
    """Indices of the sentence's tokens a span touches, and whether it covers them exactly.

    The span is clipped to the sentence; it aligns when its clipped text, without
    surrounding white space, starts at a token start and ends at a token end.
    """
    a = max(span.start, sentence.start) - sentence.start
    b = min(span.end, sentence.end) - sentence.start
    while a < b and sentence.text[a].isspace():
        a += 1
    while b > a and sentence.text[b - 1].isspace():
        b -= 1
    hit = [i for i, t in enumerate(sentence.tokens) if t.start < b and a < t.end]
    aligned = bool(hit) and sentence.tokens[hit[0]].start == a and sentence.tokens[hit[-1]].end == b
    return hit, aligned


def quote_bio_tags(sentences: list[Sentence], quotes: list[Quote]) -> dict[str, list[str]]:
    """Per sentence, BIO tags over the source, cue and content of the outermost quotations.

    Nested quotations lie inside their parent's content and are tagged as that content.
    A span over several sentences starts with ``B-`` in each (IOB2 per sentence); a
    span that does not align to tokens tags every token it touches.
    """
    tags = {s.id: ["O"] * len(s.tokens) for s in sentences}
    for quote in quotes:
        if quote.parent_id is not None:
            continue
        for kind, span in quote_tag_spans(quote):
            for s in _sentences_over(sentences, span):
                hit, _ = span_tokens(s, span)
                for j, i in enumerate(hit):
                    tags[s.id][i] = f"{'B' if j == 0 else 'I'}-{kind}"
    return tags
