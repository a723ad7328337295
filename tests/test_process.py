"""``sokhan process``: inputs, sharding, determinism across engines, bad records."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from helpers import SEEDS, seed_records, write_jsonl
from sokhan.checks.incidents import BuildError
from sokhan.cli import main
from sokhan.process.document import METADATA
from sokhan.process.output import MANIFEST, REPORT
from sokhan.process.run import Options, process
from sokhan.publication.rows import column_names

#: Columns that name where a record came from, and so differ between input kinds.
PLACE = {"source_file", "provenance"}


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _table(out: Path, config: str) -> pa.Table:
    files = sorted((out / "data" / config).glob("*.parquet"))
    return pa.concat_tables(pq.read_table(f) for f in files)


def _problems(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / REPORT).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The seeds as a folder of .txt files, as JSONL and as Parquet."""
    root = tmp_path_factory.mktemp("inputs")
    folder = root / "articles"
    folder.mkdir()
    for txt in SEEDS.glob("*.txt"):
        shutil.copy(txt, folder / txt.name)
    records = seed_records()
    pq.write_table(pa.Table.from_pylist(records), root / "articles.parquet")
    return {"txt": folder, "jsonl": write_jsonl(root / "articles.jsonl", records),
            "parquet": root / "articles.parquet"}


@pytest.fixture(scope="module")
def processed(inputs, tmp_path_factory) -> dict[str, Path]:
    out = {}
    for kind, path in inputs.items():
        out[kind] = tmp_path_factory.mktemp(kind) / "out"
        process(Options(path, out[kind], quiet=True, shard_docs=2))
    return out


def test_the_three_input_kinds_give_the_same_rows(processed):
    for config in ("documents", "sentences"):
        names = [c for c in column_names(config) if c not in PLACE]
        tables = {k: _table(out, config).select(names) for k, out in processed.items()}
        assert tables["txt"].num_rows > 0
        assert tables["parquet"].equals(tables["jsonl"]), config
        # a folder of .txt files has no metadata; the text columns agree
        text = [c for c in names if c not in METADATA]
        assert tables["txt"].select(text).equals(tables["jsonl"].select(text)), config


def test_metadata_comes_from_the_records_and_provenance_names_them(processed):
    docs = _table(processed["jsonl"], "documents").to_pylist()
    by_id = {r["id"]: r for r in seed_records()}
    for doc in docs:
        assert doc["headline"] == by_id[doc["doc_id"]]["headline"]
        assert doc["participants_russia"] == by_id[doc["doc_id"]]["participants_russia"]
        assert doc["source_file"].startswith("articles.jsonl:")
    # a folder of .txt files carries no metadata
    assert {d["headline"] for d in _table(processed["txt"], "documents").to_pylist()} == {None}
    manifest = json.loads((processed["jsonl"] / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["ignored_fields"]["outlet_en"] == 5  # counted, not published


def test_shards_are_named_and_counted(processed):
    out = processed["txt"]
    assert sorted(p.name for p in (out / "data" / "documents").iterdir()) == [
        "train-00000-of-00003.parquet", "train-00001-of-00003.parquet",
        "train-00002-of-00003.parquet"]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["counts"]["documents"] == 5 == _table(out, "documents").num_rows
    assert manifest["counts"]["sentences"] == _table(out, "sentences").num_rows
    assert manifest["files"] == {k: v for k, v in _tree(out).items() if k.startswith("data/")}
    assert not list(out.parent.glob(".*staging*"))


def test_shards_have_the_published_schemas(processed, fresh_corpus):
    for config in ("documents", "sentences"):
        ours = pq.read_schema(next((processed["txt"] / "data" / config).glob("*.parquet")))
        published = pq.read_schema(next((fresh_corpus / "data" / config).glob("*.parquet")))
        assert ours.equals(published, check_metadata=True), config


def test_load_dataset_reads_the_shards(processed):
    from datasets import load_dataset

    out = processed["jsonl"]
    sentences = load_dataset(str(out), "sentences")["train"]
    assert sentences.num_rows == _table(out, "sentences").num_rows
    assert sentences.features["role"].names[0] == "headline"
    assert load_dataset(str(out), "documents")["train"].num_rows == 5


def test_a_rerun_gives_the_same_bytes(inputs, processed, tmp_path):
    process(Options(inputs["txt"], tmp_path / "again", quiet=True, shard_docs=2))
    assert _tree(tmp_path / "again") == _tree(processed["txt"])


@pytest.mark.slow
def test_local_and_two_worker_dask_give_identical_bytes(inputs, processed, tmp_path):
    pytest.importorskip("distributed")
    opts = {"quiet": True, "shard_docs": 2, "batch": 1}
    process(Options(inputs["txt"], tmp_path / "pool", workers=2, **opts))
    process(Options(inputs["txt"], tmp_path / "dask", engine="dask", workers=2, **opts))
    assert _tree(tmp_path / "pool") == _tree(processed["txt"])
    assert _tree(tmp_path / "dask") == _tree(processed["txt"])


def test_strict_stops_at_a_bad_record_and_leaves_the_output_as_it_was(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [*seed_records()[:2], {"id": "x", "text": ""}])
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old", encoding="utf-8")
    assert main(["process", str(source), "--out", str(out), "--strict", "-q"]) == 1
    err = capsys.readouterr().err
    assert "in.jsonl:3: [seed-empty]" in err
    assert _tree(out) == {"keep.txt": hashlib.sha256(b"old").hexdigest()}
    assert not list(tmp_path.glob(".*staging*"))


def test_without_strict_bad_records_are_skipped_counted_and_reported(tmp_path, capsys):
    records = [*seed_records()[:2], {"id": "x", "text": ""}, {"text": "سلام"}]
    source = write_jsonl(tmp_path / "in.jsonl", records, (b"{not json",))
    out = tmp_path / "out"
    assert main(["process", str(source), "--out", str(out), "-q"]) == 0
    assert "3 record(s) refused" in capsys.readouterr().out
    assert [(p["where"], p["check"]) for p in _problems(out)] == [
        ("in.jsonl:3", "seed-empty"), ("in.jsonl:4", "record-id"), ("in.jsonl:5", "record-json")]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["counts"] == {"records": 5, "documents": 2, "refused": 3,
                                      "sentences": manifest["counts"]["sentences"],
                                      "tokens": manifest["counts"]["tokens"]}
    assert manifest["problems"] == {"record-id": 1, "record-json": 1, "seed-empty": 1}


def test_an_unusable_input_is_refused(tmp_path, capsys):
    assert main(["process", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")]) == 1
    assert "[input-unreadable]" in capsys.readouterr().err
    table = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": ["a"]}), table)
    with pytest.raises(BuildError, match="no column text"):
        process(Options(table, tmp_path / "o"))


def test_a_dangerous_output_folder_is_refused(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", seed_records()[:1])
    assert main(["process", str(source), "--out", str(tmp_path), "-q"]) == 1
    assert "[output-unsafe]" in capsys.readouterr().err
