"""Published column types: Arrow schemas and the matching ``datasets`` features.

Features are written into each Parquet file's ``huggingface`` metadata in the
serialisation datasets 3.x understands (``Sequence`` and list-of-struct as a
JSON list), which datasets 4 and 5 still read, so one file loads in both with
its class-label names.
"""

from __future__ import annotations

import pyarrow as pa

from sokhan.records import BIO_TAGS, QUOTE_FORMS, ROLES

#: The split names, in order: earlier events train, the latest tests.
SPLITS = ("train", "validation", "test")
TRAIN, VALIDATION, TEST = SPLITS
CONFIGS = ("sentences", "documents", "mentions", "quotes", "entities")


def _value(dtype: str) -> dict:
    return {"dtype": dtype, "_type": "Value"}


def _label(names: tuple[str, ...]) -> dict:
    return {"names": list(names), "_type": "ClassLabel"}


def _sequence(feature: dict) -> dict:
    return {"feature": feature, "_type": "Sequence"}


_STR, _I32, _I64, _BOOL = _value("string"), _value("int32"), _value("int64"), _value("bool")
_SPAN = {
    k: (_STR if k.endswith("text") else _I32)
    for k in ("text", "start", "end", "raw_text", "raw_start", "raw_end")
}
_SPAN_ARROW = pa.struct([(k, pa.string() if k.endswith("text") else pa.int32()) for k in _SPAN])

#: Per config: (column, datasets feature, arrow type, description).
COLUMNS: dict[str, list[tuple[str, dict | list, pa.DataType, str]]] = {
    "sentences": [
        ("id", _STR, pa.string(), "sentence id `<doc_id>-s<n>`"),
        ("doc_id", _STR, pa.string(), "article id (seed file stem)"),
        ("n", _I32, pa.int32(), "sentence number in the article, from 1"),
        ("paragraph", _I32, pa.int32(), "paragraph (line) number in the seed, from 1"),
        (
            "role",
            _label(ROLES),
            pa.int64(),
            "headline, subheadline, body, boilerplate, source_credit, separator, caption "
            "or date",
        ),
        ("text", _STR, pa.string(), "normalised sentence text"),
        ("start", _I32, pa.int32(), "offset of `text` in the document's normalised text"),
        ("end", _I32, pa.int32(), "end offset (exclusive) in the normalised text"),
        ("raw_text", _STR, pa.string(), "the sentence as it stands in the seed"),
        ("raw_start", _I32, pa.int32(), "offset of `raw_text` in the seed text"),
        ("raw_end", _I32, pa.int32(), "end offset (exclusive) in the seed text"),
        ("tokens", _sequence(_STR), pa.list_(pa.string()), "tokens, exact substrings of `text`"),
        ("token_starts", _sequence(_I32), pa.list_(pa.int32()), "token offsets in `text`"),
        ("token_ends", _sequence(_I32), pa.list_(pa.int32()), "token end offsets in `text`"),
        ("raw_tokens", _sequence(_STR), pa.list_(pa.string()), "each token's source in `raw_text`"),
        ("raw_token_starts", _sequence(_I32), pa.list_(pa.int32()), "token offsets in `raw_text`"),
        (
            "raw_token_ends",
            _sequence(_I32),
            pa.list_(pa.int32()),
            "token end offsets in `raw_text`",
        ),
        (
            "ner_tags",
            _sequence(_label(BIO_TAGS)),
            pa.list_(pa.int64()),
            "BIO tags over the 18 OntoNotes-5 types, one per token",
        ),
        ("repeat_of", _STR, pa.string(), "id of the earlier identical sentence, else null"),
        (
            "speaker",
            _STR,
            pa.string(),
            "entity whose words the sentence carries; null for narration",
        ),
        (
            "quote_ids",
            _sequence(_STR),
            pa.list_(pa.string()),
            "quotations whose content it carries",
        ),
        ("provenance", _STR, pa.string(), "`seeds/<file>:<line>`"),
    ],
    "documents": [
        ("doc_id", _STR, pa.string(), "article id (seed file stem)"),
        ("split", _STR, pa.string(), "train, validation or test"),
        ("headline", _STR, pa.string(), "headline, or null when the article has none"),
        ("outlet", _STR, pa.string(), "outlet or agency named in the text, or null"),
        ("source_credit", _STR, pa.string(), "agency credited as source, or null"),
        ("event_id", _STR, pa.string(), "the reported event; articles on one event share it"),
        ("event", _STR, pa.string(), "the event in English"),
        ("event_date", _STR, pa.string(), "the event's date, ISO 8601"),
        ("participants_iran", _sequence(_STR), pa.list_(pa.string()), "Iranian participants"),
        ("participants_russia", _sequence(_STR), pa.list_(pa.string()), "Russian participants"),
        ("text", _STR, pa.string(), "normalised article text (lines joined by \\n)"),
        ("raw_text", _STR, pa.string(), "the seed text, byte for byte"),
        ("source_file", _STR, pa.string(), "`seeds/<file>`"),
        ("sha256", _STR, pa.string(), "sha256 of the seed file"),
        ("n_sentences", _I32, pa.int32(), "sentences"),
        ("n_tokens", _I32, pa.int32(), "tokens"),
        ("n_mentions", _I32, pa.int32(), "entity mentions"),
        ("n_quotes", _I32, pa.int32(), "quotations"),
    ],
    "mentions": [
        ("id", _STR, pa.string(), "mention id `<doc_id>-m<n>`"),
        ("doc_id", _STR, pa.string(), "article id"),
        ("sentence_id", _STR, pa.string(), "the sentence holding the mention"),
        *[
            (k, v, _SPAN_ARROW.field(k).type, d)
            for k, v, d in (
                ("text", _STR, "normalised surface text"),
                ("start", _I32, "offset in the document's normalised text"),
                ("end", _I32, "end offset (exclusive) in the normalised text"),
                ("raw_text", _STR, "surface text as in the seed"),
                ("raw_start", _I32, "offset in the seed text"),
                ("raw_end", _I32, "end offset (exclusive) in the seed text"),
            )
        ],
        ("token_start", _I32, pa.int32(), "first token index in the sentence"),
        ("token_end", _I32, pa.int32(), "token index after the last (exclusive)"),
        ("type", _STR, pa.string(), "OntoNotes-5 type"),
        ("entity_id", _STR, pa.string(), "registry id; null for numeric types"),
        ("provenance", _STR, pa.string(), "`seeds/<file>:<line>`"),
    ],
    "quotes": [
        ("id", _STR, pa.string(), "quotation id `<doc_id>-q<n>`"),
        ("doc_id", _STR, pa.string(), "article id"),
        (
            "sentence_ids",
            _sequence(_STR),
            pa.list_(pa.string()),
            "sentences the cue and content touch",
        ),
        ("form", _label(QUOTE_FORMS), pa.int64(), "direct, indirect or mixed"),
        ("cue", _SPAN, _SPAN_ARROW, "the speech verb or phrase"),
        ("content", [_SPAN], pa.list_(_SPAN_ARROW), "what was said: one or more spans"),
        ("content_text", _STR, pa.string(), "the content spans' normalised text joined by ' … '"),
        ("speaker", _SPAN, _SPAN_ARROW, "the speaker mention; null when dropped or passive"),
        ("speaker_kind", _STR, pa.string(), "name, descriptor, pronoun or none"),
        ("speaker_entity", _STR, pa.string(), "registry id of the speaker, or `unknown`"),
        ("addressee_entity", _STR, pa.string(), "registry id of the addressee, or null"),
        ("parent_id", _STR, pa.string(), "the enclosing quotation when nested, else null"),
        ("provenance", _STR, pa.string(), "`seeds/<file>:<line>` of the cue"),
    ],
    "entities": [
        ("id", _STR, pa.string(), "registry slug"),
        ("type", _STR, pa.string(), "OntoNotes-5 type"),
        ("name_fa", _STR, pa.string(), "canonical Persian name"),
        ("name_en", _STR, pa.string(), "English name"),
        ("aliases", _sequence(_STR), pa.list_(pa.string()), "surface forms as they occur"),
        ("is_group", _BOOL, pa.bool_(), "a group of entities (used only as a speaker)"),
        ("members", _sequence(_STR), pa.list_(pa.string()), "a group's member ids"),
        ("mention_count", _I32, pa.int32(), "mentions in the whole corpus"),
        (
            "mention_counts",
            [{"doc_id": _STR, "count": _I32}],
            pa.list_(pa.struct([("doc_id", pa.string()), ("count", pa.int32())])),
            "mentions per article",
        ),
        ("quote_count", _I32, pa.int32(), "quotations it is the speaker of"),
    ],
}


def arrow_schema(config: str) -> pa.Schema:
    """The Arrow schema of a config, carrying its datasets features as metadata."""
    import json

    features = {name: feature for name, feature, _, _ in COLUMNS[config]}
    meta = {"info": {"features": features}}
    return pa.schema(
        [pa.field(name, dtype) for name, _, dtype, _ in COLUMNS[config]],
        metadata={b"huggingface": json.dumps(meta, ensure_ascii=False).encode()},
    )


def config_splits(config: str) -> tuple[str, ...]:
    """The splits a config is published in (the registry is corpus-wide)."""
    return (TRAIN,) if config == "entities" else SPLITS
