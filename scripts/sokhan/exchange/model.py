"""What the exporters read: one annotated article in both texts, with document-level offsets.

Every span is a :class:`sokhan.records.Span`: ``start``/``end`` index the
normalised text, ``raw_start``/``raw_end`` the raw article, both over the whole
document, in Unicode code points.
"""

from __future__ import annotations

from dataclasses import dataclass

from sokhan.records import Span

#: The folder-level statement every export carries (README and metadata).
OFFSET_UNIT = "Unicode code points (Python str indices), 0-based, end-exclusive"


@dataclass(frozen=True)
class ExchangeSentence:
    """A sentence and its tokens, every offset relative to the document."""

    id: str
    n: int
    line: int
    role: str
    repeat_of: str | None
    span: Span
    tokens: tuple[Span, ...]


@dataclass(frozen=True)
class ExchangeMention:
    """An entity mention with its gold id (``m7``), type, registry id and note."""

    id: str
    span: Span
    type: str
    entity: str | None
    note: str | None


@dataclass(frozen=True)
class ExchangeQuote:
    """A quotation with every field of the gold record."""

    id: str
    form: str
    cue: Span
    content: tuple[Span, ...]
    speaker: Span | None
    speaker_kind: str
    speaker_entity: str
    addressee_entity: str | None
    parent: str | None
    note: str | None


@dataclass(frozen=True)
class ExchangeDocument:
    """One annotated article as the exporters see it."""

    doc_id: str
    split: str
    annotator: str
    text: str
    raw_text: str
    sentences: tuple[ExchangeSentence, ...]
    mentions: tuple[ExchangeMention, ...]
    quotes: tuple[ExchangeQuote, ...]
