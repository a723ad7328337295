"""The one column declaration: every view of the published columns is derived from it."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from sokhan.publication.columns import (
    COLUMNS,
    CONFIGS,
    DECLARED,
    Label,
    Sequence,
    arrow_schema,
    encode,
    features,
)
from sokhan.publication.parquet import arrow_table
from sokhan.publication.rows import row_keys


@pytest.mark.parametrize("config", CONFIGS)
def test_schema_features_and_columns_list_the_same_names(config):
    schema = arrow_schema(config)
    meta = json.loads(schema.metadata[b"huggingface"])["info"]["features"]
    assert schema.names == [c.name for c in COLUMNS[config]] == list(meta) == list(
        features(config))


@pytest.mark.parametrize("config", CONFIGS)
def test_every_label_column_has_its_name_column_right_after_it(config):
    names = [c.name for c in COLUMNS[config]]
    for column in DECLARED[config]:
        if column.label is not None:
            assert names[names.index(column.name) + 1] == column.names_column


@pytest.mark.parametrize("config", CONFIGS)
def test_only_declared_nullable_columns_are_nullable_in_arrow(config):
    schema = arrow_schema(config)
    for column in COLUMNS[config]:
        assert schema.field(column.name).nullable is column.nullable
        if isinstance(column.type, Sequence):
            assert not schema.field(column.name).type.value_field.nullable


def test_ids_offsets_and_text_are_never_nullable():
    for config in CONFIGS:
        for column in COLUMNS[config]:
            if column.name in {"id", "doc_id", "split", "text", "raw_text", "start", "end",
                               "raw_start", "raw_end", "tokens", "provenance"}:
                assert not column.nullable, (config, column.name)


def test_encode_writes_ids_and_names():
    row = {"id": "d-q1", "form": "mixed"}
    got = encode("quotes", {c.name: row.get(c.name) for c in DECLARED["quotes"]})
    assert (got["form"], got["form_name"]) == (2, "mixed")
    tags = {c.name: None for c in DECLARED["sentences"]} | {
        "ner_tags": ["O", "B-PERSON"], "quote_tags": ["B-CUE", "O"], "role": "body"}
    got = encode("sentences", tags)
    label = next(c.type for c in DECLARED["sentences"] if c.name == "ner_tags")
    assert isinstance(label, Sequence) and isinstance(label.item, Label)
    assert got["ner_tags"] == [0, label.item.names.index("B-PERSON")]
    assert got["ner_tags_names"] == ["O", "B-PERSON"]
    assert got["role_name"] == "body"


def test_a_null_in_a_never_null_column_is_refused(assembled):
    rows = [dict(r) for r in assembled.rows["mentions"]["train"][:2]]
    rows[1]["provenance"] = None
    with pytest.raises((ValueError, pa.ArrowInvalid), match=r"provenance|null"):
        arrow_table("mentions", rows)


@pytest.mark.parametrize("config", CONFIGS)
def test_rows_have_exactly_the_declared_keys(assembled, config):
    for split_rows in assembled.rows[config].values():
        for row in split_rows:
            assert list(row) == row_keys(config)


@pytest.mark.parametrize(("config", "schema"), [
    ("sentences", "sentence"), ("documents", "document"), ("mentions", "mention"),
    ("quotes", "quote"), ("entities", "entity"),
])
def test_record_schema_lists_the_declared_columns(config, schema):
    from helpers import REPO

    doc = json.loads((REPO / "schema" / f"{schema}.schema.json").read_text(encoding="utf-8"))
    assert list(doc["properties"]) == doc["required"] == row_keys(config)
    for column in DECLARED[config]:
        spec = doc["properties"][column.name]
        allows_null = {"type": "null"} in spec.get("oneOf", [])
        assert allows_null is column.nullable, column.name
        if column.label is not None and isinstance(column.type, Label):
            assert spec["enum"] == list(column.label.names)
