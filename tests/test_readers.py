"""Every tool reads the same values: DuckDB, pandas (default backend), polars and pyarrow.

Label names come back as names, integers as integers, unknown values as nulls.
"""

from __future__ import annotations

import json
import math

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import ANNOTATIONS
from sokhan.publication.columns import COLUMNS, CONFIGS, DECLARED, config_splits
from sokhan.publication.parquet import data_path
from sokhan.records import QUOTE_FORMS, ROLES

FILES = [(c, s) for c in CONFIGS for s in config_splits(c)]


def _plain(value):
    """Python values from what pandas gives back (numpy arrays and scalars)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _reference(root, config, split) -> list[dict]:
    return pq.read_table(root / data_path(config, split)).to_pylist()


@pytest.mark.parametrize(("config", "split"), FILES)
def test_pandas_keeps_every_integer_an_integer(fresh_corpus, config, split):
    df = pd.read_parquet(fresh_corpus / data_path(config, split))
    schema = pq.read_schema(fresh_corpus / data_path(config, split))
    for field in schema:
        if pa.types.is_integer(field.type):
            assert df[field.name].dtype.kind == "i", (field.name, df[field.name].dtype)
        for value in df[field.name]:
            # nothing pandas hands back is a float: no NaN stands in for a null
            assert not any(isinstance(v, float) for v in _leaves(_plain(value))), field.name


def _leaves(value):
    if isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    else:
        yield value


@pytest.mark.parametrize(("config", "split"), FILES)
def test_pandas_polars_and_duckdb_give_pyarrows_values(fresh_corpus, config, split):
    path = fresh_corpus / data_path(config, split)
    expected = _reference(fresh_corpus, config, split)
    assert expected, "every published split has rows"
    by_pandas = [_plain(r) for r in pd.read_parquet(path).to_dict("records")]
    by_polars = pl.read_parquet(path).to_dicts()
    con = duckdb.connect()
    cursor = con.execute(f"SELECT * FROM read_parquet('{path}')")
    names = [d[0] for d in cursor.description]
    by_duckdb = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert by_pandas == expected
    assert by_polars == expected
    assert by_duckdb == expected


@pytest.mark.parametrize(("config", "split"), FILES)
def test_name_columns_hold_the_names_of_the_ids(fresh_corpus, config, split):
    table = pq.read_table(fresh_corpus / data_path(config, split))
    for column in DECLARED[config]:
        if column.label is None:
            continue
        names = column.label.names
        for ids, shown in zip(table[column.name].to_pylist(),
                              table[column.names_column].to_pylist(), strict=True):
            assert shown == (names[ids] if isinstance(ids, int) else [names[i] for i in ids])


def test_duckdb_reads_label_names(fresh_corpus):
    data = fresh_corpus / "data"
    forms = dict(duckdb.connect().execute(
        f"SELECT form_name, count(*) FROM '{data}/quotes/*.parquet' GROUP BY form_name"
    ).fetchall())
    assert set(forms) <= set(QUOTE_FORMS) and sum(forms.values()) > 0
    tags = duckdb.connect().execute(
        f"SELECT DISTINCT unnest(ner_tags_names) FROM '{data}/sentences/*.parquet'").fetchall()
    assert ("B-PERSON",) in tags and ("O",) in tags


def test_pandas_and_polars_read_label_names(fresh_corpus):
    glob = str(fresh_corpus / "data" / "sentences" / "*.parquet")
    roles = pl.read_parquet(glob)["role_name"].unique().to_list()
    assert set(roles) <= set(ROLES) and "body" in roles
    quotes = pd.read_parquet(fresh_corpus / "data" / "quotes")
    assert set(quotes.form_name) <= set(QUOTE_FORMS)
    assert quotes.form_name.tolist() == [QUOTE_FORMS[i] for i in quotes.form]


@pytest.mark.parametrize(("config", "split"), FILES)
def test_every_config_says_its_split(fresh_corpus, config, split):
    table = pq.read_table(fresh_corpus / data_path(config, split))
    assert set(table["split"].to_pylist()) == {split}


def test_never_null_columns_are_required_in_the_parquet_schema(fresh_corpus):
    for config, split in FILES:
        schema = pq.read_schema(fresh_corpus / data_path(config, split))
        for column in COLUMNS[config]:
            assert schema.field(column.name).nullable is column.nullable


def test_an_unknown_speaker_is_null_everywhere(fresh_corpus):
    unknown = sum(q["speaker_entity"] == "unknown"
                  for p in sorted(ANNOTATIONS.glob("*.json")) if p.name != "entities.json"
                  for q in json.loads(p.read_text(encoding="utf-8"))["quotes"])
    assert unknown > 0, "the gold annotations have speakers the text does not identify"
    con = duckdb.connect()
    data = fresh_corpus / "data"
    nulls = con.execute(f"SELECT count(*) FROM '{data}/quotes/*.parquet' "
                        "WHERE speaker_entity IS NULL").fetchone()[0]
    assert nulls == unknown
    for config, column in (("quotes", "speaker_entity"), ("quotes", "addressee_entity"),
                           ("sentences", "speaker")):
        n = con.execute(f"SELECT count(*) FROM '{data}/{config}/*.parquet' "
                        f"WHERE {column} = 'unknown'").fetchone()[0]
        assert n == 0, (config, column)
    # a known speaker always joins the registry
    orphans = con.execute(f"""
        SELECT count(*) FROM '{data}/quotes/*.parquet' q
        LEFT JOIN '{data}/entities/*.parquet' e ON q.speaker_entity = e.id
        WHERE q.speaker_entity IS NOT NULL AND e.id IS NULL""").fetchone()[0]
    assert orphans == 0


def test_no_float_in_the_whole_corpus_under_pandas(fresh_corpus):
    for config, split in FILES:
        df = pd.read_parquet(fresh_corpus / data_path(config, split))
        assert not any(dt.kind == "f" for dt in df.dtypes), config
        assert not any(isinstance(v, float) and math.isnan(v)
                       for col in df for v in _leaves(_plain(list(df[col]))))


def test_the_column_types_table_in_docs_is_current(fresh_corpus, capsys):
    import runpy
    import sys

    from helpers import REPO

    script = REPO / "docs" / "column_types.py"
    argv = sys.argv
    sys.argv = [str(script), str(fresh_corpus)]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv
    got = capsys.readouterr().out
    assert got == (REPO / "docs" / "column_types.md").read_text(encoding="utf-8")
    assert " float" not in got and "double" not in got.lower()
