"""The published Parquet: offsets hold for every record; any tool can read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sokhan.publication.about import CITATION, DESCRIPTION
from sokhan.publication.columns import CONFIGS, config_splits
from sokhan.publication.licence import ANNOTATIONS_SPDX, TEXTS_STATEMENT
from sokhan.publication.parquet import data_path
from sokhan.records import QUOTE_TAGS

LOADER = """
import json, sys, datasets
root = sys.argv[1]
out = {"version": datasets.__version__}
for config in ["sentences", "documents", "mentions", "quotes", "entities"]:
    ds = datasets.load_dataset(root, config)
    out[config] = {split: ds[split].num_rows for split in ds}
ds = datasets.load_dataset(root)  # the default config
out["default_columns"] = ds["train"].column_names
feats = datasets.load_dataset(root, "sentences")["train"].features
out["ner_names"] = feats["ner_tags"].feature.names
out["role_names"] = feats["role"].names
quotes = datasets.load_dataset(root, "quotes")["train"]
out["form_names"] = quotes.features["form"].names
out["quote_tag_names"] = feats["quote_tags"].feature.names
out["info"] = {k: getattr(quotes.info, k) for k in ("description", "license", "citation")}
out["speaker_is_list"] = all(isinstance(r["speaker"], list) for r in quotes)
print(json.dumps(out))
"""


def _read(root: Path, config: str) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(root / data_path(config, s)) for s in config_splits(config)])


def test_every_sentence_and_token_offset_gives_back_its_text(fresh_corpus):
    docs = _read(fresh_corpus, "documents").set_index("doc_id")
    sents = _read(fresh_corpus, "sentences")
    n_tokens = 0
    for row in sents.itertuples():
        doc = docs.loc[row.doc_id]
        assert doc.text[row.start:row.end] == row.text
        assert doc.raw_text[row.raw_start:row.raw_end] == row.raw_text
        for i, tok in enumerate(row.tokens):
            assert row.text[row.token_starts[i]:row.token_ends[i]] == tok
            assert row.raw_text[row.raw_token_starts[i]:row.raw_token_ends[i]] == row.raw_tokens[i]
            n_tokens += 1
    assert n_tokens == docs.n_tokens.sum() > 0


def test_every_mention_and_quote_offset_gives_back_its_text(fresh_corpus):
    docs = _read(fresh_corpus, "documents").set_index("doc_id")
    for m in _read(fresh_corpus, "mentions").itertuples():
        doc = docs.loc[m.doc_id]
        assert doc.text[m.start:m.end] == m.text
        assert doc.raw_text[m.raw_start:m.raw_end] == m.raw_text
    for q in _read(fresh_corpus, "quotes").itertuples():
        doc = docs.loc[q.doc_id]
        assert len(q.speaker) <= 1
        for span in [q.cue, *q.content, *q.speaker]:
            # no cast: pandas' default backend must give integers back
            assert all(type(span[k]) is int for k in ("start", "end", "raw_start", "raw_end"))
            assert doc.text[span["start"]:span["end"]] == span["text"]
            assert doc.raw_text[span["raw_start"]:span["raw_end"]] == span["raw_text"]


def test_documents_keep_the_seed_bytes(fresh_corpus):
    from helpers import REPO

    for d in _read(fresh_corpus, "documents").itertuples():
        assert (REPO / d.source_file).read_bytes() == d.raw_text.encode("utf-8")


def test_no_article_is_in_two_splits_and_no_event_straddles(fresh_corpus):
    docs = _read(fresh_corpus, "documents")
    assert docs.doc_id.is_unique
    assert docs.groupby("event_id").split.nunique().max() == 1
    assert set(docs.split) == {"train", "validation", "test"}


def test_duckdb_reads_every_file(fresh_corpus):
    con = duckdb.connect()
    for config in CONFIGS:
        for split in config_splits(config):
            path = fresh_corpus / data_path(config, split)
            n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
            assert n == pq.read_metadata(path).num_rows


def test_duckdb_sentences_per_article(fresh_corpus):
    con = duckdb.connect()
    glob = fresh_corpus / "data" / "sentences" / "*.parquet"
    got = dict(con.execute(
        f"SELECT doc_id, count(*) FROM '{glob}' GROUP BY doc_id ORDER BY doc_id").fetchall())
    docs = _read(fresh_corpus, "documents")
    assert got == dict(zip(docs.doc_id, docs.n_sentences, strict=True))


def test_duckdb_joins_mentions_to_sentences(fresh_corpus):
    con = duckdb.connect()
    data = fresh_corpus / "data"
    rows = con.execute(f"""
        SELECT m.id, m.text, s.text, m.start - s.start AS rel
        FROM '{data}/mentions/*.parquet' m JOIN '{data}/sentences/*.parquet' s
          ON m.sentence_id = s.id
    """).fetchall()
    assert len(rows) == len(_read(fresh_corpus, "mentions"))
    for _, mention, sentence, rel in rows:
        assert sentence[rel:rel + len(mention)] == mention


@pytest.mark.slow
@pytest.mark.parametrize("python_env", ["SELF", "SOKHAN_DATASETS36_PYTHON"])
def test_load_dataset_offline_with_label_names(fresh_corpus, python_env):
    python = sys.executable if python_env == "SELF" else os.environ.get(python_env)
    if not python:
        pytest.fail(f"{python_env} is not set; run the suite with `make test`")
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_CACHE": str(fresh_corpus.parent / f"cache-{python_env}")}
    proc = subprocess.run([python, "-c", LOADER, str(fresh_corpus)], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["version"].startswith("3.6." if python_env != "SELF" else "5.")
    docs = _read(fresh_corpus, "documents")
    for config in CONFIGS:
        expected = {s: len(_read_split(fresh_corpus, config, s)) for s in config_splits(config)}
        assert got[config] == expected
    assert got["default_columns"][:2] == ["id", "doc_id"]  # sentences is the default config
    assert got["ner_names"][0] == "O" and "B-PERSON" in got["ner_names"]
    # new roles are appended, so the ids of the first five stay stable
    assert got["role_names"] == [
        "headline", "subheadline", "body", "boilerplate", "source_credit", "separator",
        "caption", "date",
    ]
    assert got["form_names"] == ["direct", "indirect", "mixed"]
    assert got["quote_tag_names"] == list(QUOTE_TAGS)
    assert len(docs) == sum(got["documents"].values())
    assert got["speaker_is_list"]
    # the card's dataset_info reaches `.info`: not datasets' empty defaults
    assert got["info"]["description"].startswith("Sokhan (سخن), config `quotes`: " + DESCRIPTION)
    assert got["info"]["citation"] == CITATION
    assert got["info"]["license"].startswith(ANNOTATIONS_SPDX) and TEXTS_STATEMENT in got[
        "info"]["license"]


def _read_split(root: Path, config: str, split: str) -> pd.DataFrame:
    return pd.read_parquet(root / data_path(config, split))
