"""Typed in-memory records passed between the pipeline stages.

Offsets are 0-based and end-exclusive Python string indices. ``start``/``end``
index the normalised text and ``raw_start``/``raw_end`` the raw text of the
record's parent (the document for sentences and mentions, the sentence for
tokens), so ``parent.text[start:end] == record.text`` and
``parent.raw_text[raw_start:raw_end] == record.raw_text`` always hold.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, overload

from sokhan.stages.alignment import Alignment

#: Sentence roles; new ones are appended so that published class-label ids stay stable.
ROLES = (
    "headline", "subheadline", "body", "boilerplate", "source_credit", "separator", "caption",
    "date",
)

#: The 18 OntoNotes-5 entity types, in the order OntoNotes documents them.
ENTITY_TYPES = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
)
#: Types that are values, not named things: they carry no registry link.
NUMERIC_TYPES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
#: BIO tag names, in class-label order: O, then B-/I- per type.
BIO_TAGS = ("O", *(f"{p}-{t}" for t in ENTITY_TYPES for p in ("B", "I")))

QUOTE_FORMS = ("direct", "indirect", "mixed")
#: Token-level quotation tags (PARC roles: the source is the speaker), in class-label order.
QUOTE_TAGS = ("O", *(f"{p}-{r}" for r in ("SOURCE", "CUE", "CONTENT") for p in ("B", "I")))
#: The published splits, in order.
SPLITS = ("train", "validation", "test")
SPEAKER_KINDS = ("name", "descriptor", "pronoun", "none")
#: The annotation files' speaker entity for a speaker the text does not identify;
#: published as null.
UNKNOWN_SPEAKER = "unknown"


@dataclass(frozen=True)
class SeedFile:
    """A verified seed article and its manifest metadata."""

    doc_id: str
    file: str
    raw_text: str
    sha256: str
    size: int
    meta: dict


@dataclass(frozen=True)
class Document:
    """A normalised article."""

    seed: SeedFile
    text: str
    alignment: Alignment
    repairs: dict[str, int]

    @property
    def doc_id(self) -> str:
        """The seed's doc id."""
        return self.seed.doc_id

    @property
    def raw_text(self) -> str:
        """The seed text, byte for byte."""
        return self.seed.raw_text


class Token(NamedTuple):
    """A token; offsets are relative to its sentence.

    A named tuple, not a frozen dataclass: a frozen dataclass sets each field
    through ``object.__setattr__``, and a long ``sokhan process`` run makes a
    token per word (measured on 790 000 tokens: 1.1 s against 0.3 s).
    """

    text: str
    start: int
    end: int
    raw_text: str
    raw_start: int
    raw_end: int


_token_of = functools.partial(tuple.__new__, Token)  # a Token from a 6-tuple, made in C


class TokenColumns(Sequence[Token]):
    """A sentence's tokens held as the six columns the published rows store.

    The tokenise stage fills the columns with C loops and the rows take them as
    they are; a :class:`Token` is made only for a reader that asks for one
    (measured on 790 000 tokens: 0.6 s to make the tokens and 0.15 s to turn them
    back into columns, against 0.1 s for the columns).
    """

    __slots__ = ("ends", "raw_ends", "raw_starts", "raw_texts", "starts", "texts")

    def __init__(self, texts: list[str], starts: list[int], ends: list[int],
                 raw_texts: list[str], raw_starts: list[int], raw_ends: list[int]) -> None:
        if not len(texts) == len(starts) == len(ends) == len(raw_texts) == len(raw_starts) \
                == len(raw_ends):
            raise ValueError("token columns of different lengths")
        self.texts, self.starts, self.ends = texts, starts, ends
        self.raw_texts, self.raw_starts, self.raw_ends = raw_texts, raw_starts, raw_ends

    def columns(self) -> tuple[list[str], list[int], list[int], list[str], list[int], list[int]]:
        """The six columns, in :class:`Token`'s field order."""
        return (self.texts, self.starts, self.ends, self.raw_texts, self.raw_starts,
                self.raw_ends)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Token: ...

    @overload
    def __getitem__(self, index: slice) -> list[Token]: ...

    def __getitem__(self, index: int | slice) -> Token | list[Token]:
        if isinstance(index, slice):
            return list(self)[index]
        return Token(self.texts[index], self.starts[index], self.ends[index],
                     self.raw_texts[index], self.raw_starts[index], self.raw_ends[index])

    def __iter__(self) -> Iterator[Token]:
        return map(_token_of, zip(*self.columns(), strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TokenColumns):
            return self.columns() == other.columns()
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"TokenColumns({list(self)!r})"


@dataclass
class Sentence:
    """A sentence; offsets are relative to its document."""

    id: str
    doc_id: str
    n: int
    line: int
    role: str
    text: str
    start: int
    end: int
    raw_text: str
    raw_start: int
    raw_end: int
    repeat_of: str | None = None
    tokens: Sequence[Token] = field(default_factory=list)


@dataclass(frozen=True)
class Span:
    """A span of a document in both texts."""

    text: str
    start: int
    end: int
    raw_text: str
    raw_start: int
    raw_end: int


@dataclass(frozen=True)
class Mention:
    """An entity mention attached to its sentence and tokens."""

    id: str
    doc_id: str
    sentence_id: str
    span: Span
    token_start: int
    token_end: int
    type: str
    entity_id: str | None


@dataclass(frozen=True)
class Quote:
    """A quotation: who said what, with cue, content and speaker."""

    id: str
    doc_id: str
    sentence_ids: tuple[str, ...]
    form: str
    cue: Span
    content: tuple[Span, ...]
    speaker: Span | None
    speaker_kind: str
    #: None when the text does not identify the speaker
    speaker_entity: str | None
    addressee_entity: str | None
    parent_id: str | None


@dataclass(frozen=True)
class Entity:
    """A registry entry: one real-world entity (or a group of them)."""

    id: str
    type: str
    name_fa: str
    name_en: str
    aliases: tuple[str, ...]
    is_group: bool = False
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawSpan:
    """A span of a seed's raw text as an annotator wrote it: offsets and the copied text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class MentionAnnotation:
    """One entity mention of an annotation file."""

    id: str
    span: RawSpan
    type: str
    entity: str | None


@dataclass(frozen=True)
class QuoteAnnotation:
    """One quotation of an annotation file."""

    id: str
    form: str
    cue: RawSpan
    content: tuple[RawSpan, ...]
    speaker: RawSpan | None
    speaker_kind: str
    speaker_entity: str
    addressee_entity: str | None
    parent: str | None


@dataclass(frozen=True)
class Draft:
    """The ``draft`` block of a machine draft (never accepted as gold)."""

    tool: str
    version: str
    status: str
    proposed_entities: tuple[Entity, ...]


@dataclass(frozen=True)
class AnnotationFile:
    """An annotation file (gold or one annotator's pass), parsed after its schema check."""

    doc_id: str
    annotator: str
    mentions: tuple[MentionAnnotation, ...]
    quotes: tuple[QuoteAnnotation, ...]
    draft: Draft | None = None


@dataclass(frozen=True)
class Registry:
    """The entity registry, parsed after its schema check; entries in file order."""

    entities: tuple[Entity, ...]

    def by_id(self) -> dict[str, Entity]:
        """The entities by id; the first entry wins when an id repeats."""
        out: dict[str, Entity] = {}
        for e in self.entities:
            out.setdefault(e.id, e)
        return out


@dataclass(frozen=True)
class Attached:
    """A document's annotation layers, ready to publish."""

    mentions: list[Mention]
    quotes: list[Quote]
    #: per sentence id: BIO tags, one per token
    bio: dict[str, list[str]]
    #: per sentence id: the speaker entity whose words the sentence carries
    speaker: dict[str, str | None]
    #: per sentence id: ids of the quotations whose content it carries
    quote_ids: dict[str, list[str]]
    #: per sentence id: quotation BIO tags (QUOTE_TAGS), one per token
    quote_bio: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Corpus:
    """Everything a build produces, in memory: what the card and manifest are made from."""

    docs: list[Document]
    sentences: dict[str, list[Sentence]]
    layers: dict[str, Attached]
    entities: dict[str, Entity]
    splits: dict[str, str]
    rows: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    changes: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)
    skipped: dict[str, int] = field(default_factory=dict)
    #: seed files left out because they have no gold annotation (``--allow-unannotated``)
    unannotated: list[str] = field(default_factory=list)
    #: the passes each article has (``passes/<name>/``), for the card; empty: the gold is its
    #: one pass (an article added from a reviewed draft)
    pass_coverage: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: sha256 of every file of the annotation folder's top level, by file name
    annotation_digests: dict[str, str] = field(default_factory=dict)
    #: the gold annotation files by doc id
    gold: dict[str, AnnotationFile] = field(default_factory=dict)
    #: each annotator's pass (``passes/<name>/``): its files by doc id, and its registry
    passes: dict[str, dict[str, AnnotationFile]] = field(default_factory=dict)
    pass_registries: dict[str, Registry] = field(default_factory=dict)
    #: the gold registry as validated (None when the folder has none)
    registry: Registry | None = None
