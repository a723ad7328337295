"""Published columns: one declaration per column, from which every other view is derived.

Each :class:`Column` names a column, its type and whether it can be null. From
that one list come the Arrow schema of the Parquet files, the ``datasets``
features (written into each file's ``huggingface`` metadata and into the card's
``dataset_info``), the card's field tables and the Croissant fields, so the
column list is written once.

Features are serialised the way datasets 3.x understands them (``Sequence``, and
a list of structs as a JSON list); datasets 4 and 5 still read that, so one file
loads in both with its class-label names.

A class-label column (:class:`Label`) is published twice: as the integer ids
``datasets`` needs, and as a ``<column>_name`` string column beside it, so that
DuckDB, pandas, polars and Croissant users read names without a mapping. Parquet
stores the name column dictionary-encoded, so it costs a few bytes per row group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from sokhan.records import BIO_TAGS, QUOTE_FORMS, QUOTE_TAGS, ROLES, SPLITS

TRAIN, VALIDATION, TEST = SPLITS
CONFIGS = ("sentences", "documents", "mentions", "quotes", "entities")


@dataclass(frozen=True)
class Scalar:
    """A string, integer or boolean value."""

    dtype: str  # "string", "int32", "int64" or "bool"

    def arrow(self) -> pa.DataType:
        """The Arrow type."""
        return {"string": pa.string(), "int32": pa.int32(), "int64": pa.int64(),
                "bool": pa.bool_()}[self.dtype]

    def feature(self) -> dict | list:
        """The datasets feature (3.x JSON serialisation)."""
        return {"dtype": self.dtype, "_type": "Value"}


@dataclass(frozen=True)
class Label:
    """A class label: published as its integer id, with the names in the feature."""

    names: tuple[str, ...]

    def arrow(self) -> pa.DataType:
        """int64, the type ``datasets`` gives class labels."""
        return pa.int64()

    def feature(self) -> dict | list:
        """The datasets ``ClassLabel``."""
        return {"names": list(self.names), "_type": "ClassLabel"}


@dataclass(frozen=True)
class Struct:
    """A record of named, never-null fields."""

    fields: tuple[Column, ...]

    def arrow(self) -> pa.DataType:
        """An Arrow struct."""
        return pa.struct([c.arrow_field() for c in self.fields])

    def feature(self) -> dict | list:
        """A datasets struct: a dict of features."""
        return {c.name: c.type.feature() for c in self.fields}


@dataclass(frozen=True)
class Sequence:
    """A list of never-null items."""

    item: Scalar | Label | Struct

    def arrow(self) -> pa.DataType:
        """An Arrow list with a non-nullable item field."""
        return pa.list_(pa.field("item", self.item.arrow(), nullable=False))

    def feature(self) -> dict | list:
        """``Sequence`` of a value or label; a JSON list for structs.

        A ``Sequence`` of a struct would be read by datasets 3.x as a struct of lists.
        """
        if isinstance(self.item, Struct):
            return [self.item.feature()]
        return {"feature": self.item.feature(), "_type": "Sequence"}


Type = Scalar | Label | Struct | Sequence


@dataclass(frozen=True)
class Column:
    """One published column."""

    name: str
    type: Type
    description: str
    nullable: bool = False

    def arrow_field(self) -> pa.Field:
        """The Arrow field; never-null columns are declared non-nullable."""
        return pa.field(self.name, self.type.arrow(), nullable=self.nullable)

    @property
    def label(self) -> Label | None:
        """The class label of a label column or a list of labels, else None."""
        if isinstance(self.type, Label):
            return self.type
        if isinstance(self.type, Sequence) and isinstance(self.type.item, Label):
            return self.type.item
        return None

    @property
    def names_column(self) -> str | None:
        """The string column published beside a label column, with the names."""
        if self.label is None:
            return None
        return f"{self.name}_name" if isinstance(self.type, Label) else f"{self.name}_names"


STR, I32, BOOL = Scalar("string"), Scalar("int32"), Scalar("bool")
_SPAN = Struct((
    Column("text", STR, "normalised text"),
    Column("start", I32, "offset in the document's normalised text"),
    Column("end", I32, "end offset (exclusive) in the normalised text"),
    Column("raw_text", STR, "text as in the seed"),
    Column("raw_start", I32, "offset in the seed text"),
    Column("raw_end", I32, "end offset (exclusive) in the seed text"),
))
_SPLIT = Column("split", STR, "train, validation or test: the split this row belongs to")

#: Every config's columns in published order, before the label-name columns are added.
DECLARED: dict[str, tuple[Column, ...]] = {
    "sentences": (
        Column("id", STR, "sentence id `<doc_id>-s<n>`"),
        Column("doc_id", STR, "article id (seed file stem)"),
        _SPLIT,
        Column("n", I32, "sentence number in the article, from 1"),
        Column("paragraph", I32, "paragraph (line) number in the seed, from 1"),
        Column("role", Label(ROLES), "headline, subheadline, body, boilerplate, source_credit, "
               "separator, caption or date"),
        Column("text", STR, "normalised sentence text"),
        Column("start", I32, "offset of `text` in the document's normalised text"),
        Column("end", I32, "end offset (exclusive) in the normalised text"),
        Column("raw_text", STR, "the sentence as it stands in the seed"),
        Column("raw_start", I32, "offset of `raw_text` in the seed text"),
        Column("raw_end", I32, "end offset (exclusive) in the seed text"),
        Column("tokens", Sequence(STR), "tokens, exact substrings of `text`"),
        Column("token_starts", Sequence(I32), "token offsets in `text`"),
        Column("token_ends", Sequence(I32), "token end offsets in `text`"),
        Column("raw_tokens", Sequence(STR), "each token's source in `raw_text`"),
        Column("raw_token_starts", Sequence(I32), "token offsets in `raw_text`"),
        Column("raw_token_ends", Sequence(I32), "token end offsets in `raw_text`"),
        Column("ner_tags", Sequence(Label(BIO_TAGS)),
               "BIO tags over the 18 OntoNotes-5 types, one per token"),
        Column("quote_tags", Sequence(Label(QUOTE_TAGS)),
               "BIO tags over the source, cue and content of the outermost quotations, "
               "one per token"),
        Column("repeat_of", STR, "id of the earlier identical sentence, else null", nullable=True),
        Column("speaker", STR, "entity whose words the sentence carries; null for narration "
               "and for a speaker the text does not identify", nullable=True),
        Column("quote_ids", Sequence(STR), "quotations whose content it carries"),
        Column("provenance", STR, "`seeds/<file>:<line>`"),
    ),
    "documents": (
        Column("doc_id", STR, "article id (seed file stem)"),
        _SPLIT,
        Column("headline", STR, "headline, or null when the article has none", nullable=True),
        Column("outlet", STR, "outlet or agency named in the text, or null", nullable=True),
        Column("source_credit", STR, "agency credited as source, or null", nullable=True),
        # null only outside the corpus: `sokhan process` over a crawl knows no event
        Column("event_id", STR, "the reported event; articles on one event share it; null when "
               "unknown", nullable=True),
        Column("event", STR, "the event in English, or null when unknown", nullable=True),
        Column("event_date", STR, "the event's date, ISO 8601, or null when unknown",
               nullable=True),
        # null until filled in: `sokhan add` leaves what the text does not say to a person
        Column("participants_iran", Sequence(STR), "Iranian participants, or null until filled "
               "in", nullable=True),
        Column("participants_russia", Sequence(STR), "Russian participants, or null until "
               "filled in", nullable=True),
        Column("text", STR, "normalised article text (lines joined by \\n)"),
        Column("raw_text", STR, "the seed text, byte for byte"),
        Column("source_file", STR, "`seeds/<file>`"),
        Column("sha256", STR, "sha256 of the seed file"),
        Column("n_sentences", I32, "sentences"),
        Column("n_tokens", I32, "tokens"),
        Column("n_mentions", I32, "entity mentions"),
        Column("n_quotes", I32, "quotations"),
    ),
    "mentions": (
        Column("id", STR, "mention id `<doc_id>-m<n>`"),
        Column("doc_id", STR, "article id"),
        _SPLIT,
        Column("sentence_id", STR, "the sentence holding the mention"),
        Column("text", STR, "normalised surface text"),
        Column("start", I32, "offset in the document's normalised text"),
        Column("end", I32, "end offset (exclusive) in the normalised text"),
        Column("raw_text", STR, "surface text as in the seed"),
        Column("raw_start", I32, "offset in the seed text"),
        Column("raw_end", I32, "end offset (exclusive) in the seed text"),
        Column("token_start", I32, "first token index in the sentence"),
        Column("token_end", I32, "token index after the last (exclusive)"),
        Column("type", STR, "OntoNotes-5 type"),
        Column("entity_id", STR, "registry id; null for numeric types", nullable=True),
        Column("provenance", STR, "`seeds/<file>:<line>`"),
    ),
    "quotes": (
        Column("id", STR, "quotation id `<doc_id>-q<n>`"),
        Column("doc_id", STR, "article id"),
        _SPLIT,
        Column("sentence_ids", Sequence(STR), "sentences the cue and content touch"),
        Column("form", Label(QUOTE_FORMS), "direct, indirect or mixed"),
        Column("cue", _SPAN, "the speech verb or phrase"),
        Column("content", Sequence(_SPAN), "what was said: one or more spans"),
        Column("content_text", STR, "the content spans' normalised text joined by ' … '"),
        Column("speaker", Sequence(_SPAN), "the speaker mention: one span, or none when the "
               "speaker is dropped or the verb passive (a list, so no offset is ever null)"),
        Column("speaker_kind", STR, "name, descriptor, pronoun or none"),
        Column("speaker_entity", STR, "registry id of the speaker; null when the text does "
               "not identify the speaker", nullable=True),
        Column("addressee_entity", STR, "registry id of the addressee, or null", nullable=True),
        Column("parent_id", STR, "the enclosing quotation when nested, else null", nullable=True),
        Column("provenance", STR, "`seeds/<file>:<line>` of the cue"),
    ),
    "entities": (
        Column("id", STR, "registry slug"),
        _SPLIT,
        Column("type", STR, "OntoNotes-5 type"),
        Column("name_fa", STR, "canonical Persian name"),
        Column("name_en", STR, "English name"),
        Column("aliases", Sequence(STR), "surface forms as they occur"),
        Column("is_group", BOOL, "a group of entities (used only as a speaker)"),
        Column("members", Sequence(STR), "a group's member ids"),
        Column("mention_count", I32, "mentions in the whole corpus"),
        Column("mention_counts", Sequence(Struct((
            Column("doc_id", STR, "article id"),
            Column("count", I32, "mentions in that article"),
        ))), "mentions per article"),
        Column("quote_count", I32, "quotations it is the speaker of"),
    ),
}


def _with_names(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    out: list[Column] = []
    for c in columns:
        out.append(c)
        if c.names_column is not None:
            one = isinstance(c.type, Label)
            out.append(Column(
                c.names_column, STR if one else Sequence(STR),
                f"the label name{'' if one else 's'} of `{c.name}`",
            ))
    return tuple(out)


#: Every published column of every config, label-name columns included.
COLUMNS: dict[str, tuple[Column, ...]] = {c: _with_names(cols) for c, cols in DECLARED.items()}


def features(config: str) -> dict:
    """The datasets features of a config (3.x JSON serialisation)."""
    return {c.name: c.type.feature() for c in COLUMNS[config]}


def arrow_schema(config: str) -> pa.Schema:
    """The Arrow schema of a config, carrying its datasets features as metadata."""
    meta = {"info": {"features": features(config)}}
    return pa.schema(
        [c.arrow_field() for c in COLUMNS[config]],
        metadata={b"huggingface": json.dumps(meta, ensure_ascii=False).encode()},
    )


def config_splits(config: str) -> tuple[str, ...]:
    """The splits a config is published in (the registry is corpus-wide, in one split)."""
    return (TRAIN,) if config == "entities" else SPLITS


@cache
def _label_ids(names: tuple[str, ...]) -> dict[str, int]:
    """Label name to id for one label set.

    Made once per label set rather than searched per row: a long ``sokhan process`` run
    encodes hundreds of thousands of rows in its main process.
    """
    return {name: k for k, name in enumerate(names)}


def encode(config: str, row: dict) -> dict:
    """A published row as written: label names become ids, with the names beside them.

    Raises:
        KeyError: a value that is not one of the column's labels (a bug: rows are checked
            against their schemas first).
    """
    return {name: values[0] for name, values in encode_columns(config, [row]).items()}


def encode_columns(config: str, rows: list[dict]) -> dict[str, list]:
    """The rows as written, column by column (what Arrow is built from); see :func:`encode`.

    A column is gathered once and its labels mapped in one pass, rather than a new
    dict made per row (measured on 25 000 sentence rows: 0.45 s → 0.1 s).

    Raises:
        KeyError: as :func:`encode`.
    """
    out: dict[str, list] = {}
    for c in DECLARED[config]:
        values = [r[c.name] for r in rows]
        if c.label is None or c.names_column is None:
            out[c.name] = values
            continue
        lookup = _label_ids(c.label.names).__getitem__  # KeyError on an unknown label
        out[c.name] = (list(map(lookup, values)) if isinstance(c.type, Label)
                       else [list(map(lookup, vs)) for vs in values])
        out[c.names_column] = values
    return {c.name: out[c.name] for c in COLUMNS[config]}


def yaml_feature(feature) -> dict:
    """A datasets feature (3.x JSON) in the card's YAML form, as datasets 3.x writes it.

    The result is the body of one entry of ``dataset_info.features``, without its name.
    """
    if isinstance(feature, list):
        inner = yaml_feature(feature[0])
        return {"list": inner.get("struct", inner.get("dtype"))}
    kind = feature.get("_type")
    if kind == "Value":
        return {"dtype": feature["dtype"]}
    if kind == "ClassLabel":
        return {"dtype": {"class_label": {"names": {str(i): n
                                                    for i, n in enumerate(feature["names"])}}}}
    if kind == "Sequence":
        inner = yaml_feature(feature["feature"])
        return {"sequence": inner["dtype"] if list(inner) == ["dtype"] and isinstance(
            inner["dtype"], str) else inner}
    return {"struct": [{"name": k, **yaml_feature(v)} for k, v in feature.items()]}


def yaml_features(config: str) -> list[dict]:
    """A config's ``dataset_info.features`` for a card's YAML, as datasets 3.x writes it.

    ``load_dataset`` reads the label names from there: from the Parquet schema alone it
    would not, because Sokhan's never-null columns do not match the nullable fields of
    the features stored beside them (datasets 5.2 then falls back to plain values).
    """
    return [{"name": c.name, **yaml_feature(c.type.feature())} for c in COLUMNS[config]]
