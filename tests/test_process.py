"""``sokhan process``: inputs, sharding, determinism across engines, bad records."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from helpers import MINI, SEEDS, seed_records, write_jsonl
from sokhan.checks.incidents import BuildError
from sokhan.checks.schemas import schema_incidents
from sokhan.cli import main
from sokhan.process import shard
from sokhan.process.document import METADATA, process_batch
from sokhan.process.inputs import count_records, read_records
from sokhan.process.output import MANIFEST, REPORT
from sokhan.process.run import Options, process
from sokhan.process.shard import MIN_SHARD_RECORDS, MIN_SHARDS, SHARD_RECORDS, shard_records
from sokhan.publication.columns import COLUMNS

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
        names = [c.name for c in COLUMNS[config] if c.name not in PLACE]
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


@pytest.mark.parametrize(("records", "per_shard"), [
    (0, MIN_SHARD_RECORDS),  # an empty input: one empty block at most
    (5, MIN_SHARD_RECORDS),  # a handful of articles: one shard, not a file each
    (MIN_SHARDS * MIN_SHARD_RECORDS, MIN_SHARD_RECORDS),  # the smallest input cut in 16
    (1000, 63),  # 1 000 articles: 16 shards (15 of 63, the last of 55)
    (MIN_SHARDS * SHARD_RECORDS, SHARD_RECORDS),  # from here on, shards of the most records
    (100_000, SHARD_RECORDS),  # a large crawl: 625 shards of 160
])
def test_shard_size_follows_the_input_size(records, per_shard):
    assert shard_records(records) == per_shard


def test_the_record_count_stops_where_asked(tmp_path, inputs):
    big = write_jsonl(tmp_path / "big.jsonl", [{"id": f"r{k}", "text": "متن."}
                                               for k in range(3000)])
    assert count_records(big) == 3000
    assert count_records(big, at_most=100) == 100
    assert count_records(inputs["txt"], at_most=2) == 2
    assert count_records(inputs["parquet"], at_most=2) == 2
    assert count_records(inputs["parquet"]) == len(seed_records())


def test_a_block_is_processed_and_turned_into_arrow_fifty_records_at_a_time(
        tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": f"r{k}", "text": "" if k == 7 else f"خبر {k}.\nمتن خبر {k} این است."}
        for k in range(120)])  # record 7 is refused: positions, not published rows, count
    records = list(read_records(source))
    sizes = []

    def outcomes(batch, drafter):
        sizes.append(len(batch))
        return process_batch(batch, drafter)

    block = shard.process_shard(records, None, outcomes)
    assert sizes == [shard.ARROW_RECORDS, shard.ARROW_RECORDS, 20]
    assert block.counts["documents"] == 119 and len(block.refused) == 1
    # the retry path (outcomes all at once) and Arrow in one piece give the same bytes
    whole = process_batch(records, None)
    assert shard.shard_of(len(records), whole).files == block.files
    monkeypatch.setattr(shard, "ARROW_RECORDS", 1000)
    assert shard.shard_of(len(records), whole).files == block.files


@pytest.mark.slow
def test_default_shards_are_the_same_bytes_with_one_or_two_workers(tmp_path):
    # 60 short records: shards of 25 (the fewest), so three shards, the last of 10
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": f"r{k}", "text": f"خبر شماره {k}.\nرئیس جمهور گفت: «دیدار {k} انجام شد.»"}
        for k in range(60)])
    process(Options(source, tmp_path / "one", quiet=True))
    process(Options(source, tmp_path / "two", workers=2, quiet=True))
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    manifest = json.loads((tmp_path / "one" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["records_per_shard"] == MIN_SHARD_RECORDS
    assert sorted(f for f in manifest["files"] if "/sentences/" in f) == [
        f"data/sentences/train-0000{k}-of-00003.parquet" for k in range(3)]
    assert _table(tmp_path / "one", "documents").column("doc_id").to_pylist() == [
        f"r{k}" for k in range(60)]


_NO_PANDAS = """
import sys
from sokhan.cli import main
assert main(["process", sys.argv[1], "--out", sys.argv[2], "-q", "--shard-records", "2"]) == 0
print("pandas" in sys.modules)
import pandas as pd
import pyarrow as pa
# what needs pandas later in the same process still gets it
assert pa.table({"a": [1]}).to_pandas()["a"].tolist() == [1]
assert pa.array(pd.Series([1, 2])).to_pylist() == [1, 2]
"""


@pytest.mark.slow
def test_the_command_skips_pandas_and_writes_the_same_bytes(inputs, processed, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", _NO_PANDAS, str(inputs["txt"]), str(out)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"  # after the summary line
    assert _tree(out) == _tree(processed["txt"])


@pytest.mark.slow
def test_local_and_two_worker_dask_give_identical_bytes(inputs, processed, tmp_path):
    pytest.importorskip("distributed")
    opts = {"quiet": True, "shard_docs": 2}
    process(Options(inputs["txt"], tmp_path / "pool", workers=2, **opts))
    process(Options(inputs["txt"], tmp_path / "dask", engine="dask", workers=2, **opts))
    assert _tree(tmp_path / "pool") == _tree(processed["txt"])
    assert _tree(tmp_path / "dask") == _tree(processed["txt"])


@pytest.mark.slow
def test_drafts_are_the_same_bytes_on_every_engine(inputs, tmp_path):
    pytest.importorskip("distributed")
    opts = {"quiet": True, "shard_docs": 2, "drafts": True,
            "annotations": MINI / "annotations", "seeds": MINI / "seeds"}
    trees = {}
    for name, engine, workers in (("one", "local", 1), ("pool", "local", 2), ("dask", "dask", 2)):
        process(Options(inputs["txt"], tmp_path / name, engine=engine, workers=workers, **opts))
        trees[name] = _tree(tmp_path / name)
    assert any(k.startswith("data/drafts/") for k in trees["one"])
    assert trees["pool"] == trees["one"] and trees["dask"] == trees["one"]


@pytest.mark.slow
def test_a_users_cluster_by_address_gives_the_same_bytes_and_keeps_nothing(inputs, tmp_path):
    # --scheduler: the cluster outlives the run, so the run must not leave its drafter there
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    opts = {"quiet": True, "shard_docs": 2, "drafts": True,
            "annotations": MINI / "annotations", "seeds": MINI / "seeds"}
    process(Options(inputs["txt"], tmp_path / "local", **opts))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        before = client.run(lambda dask_worker: sorted(dask_worker.plugins))
        process(Options(inputs["txt"], tmp_path / "cluster", engine="dask",
                        scheduler=cluster.scheduler_address, **opts))
        assert client.run(lambda dask_worker: sorted(dask_worker.plugins)) == before
        assert len(before) == 2  # both workers answered
    assert _tree(tmp_path / "cluster") == _tree(tmp_path / "local")


def test_strict_stops_at_a_bad_record_and_leaves_the_output_as_it_was(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [*seed_records()[:2], {"id": "x", "text": ""}])
    out = tmp_path / "out"
    earlier = write_jsonl(tmp_path / "earlier.jsonl", seed_records()[:1])
    assert main(["process", str(earlier), "--out", str(out), "-q"]) == 0  # an earlier run
    before = _tree(out)
    assert main(["process", str(source), "--out", str(out), "--strict", "-q"]) == 1
    err = capsys.readouterr().err
    assert "in.jsonl:3: [seed-empty]" in err
    assert _tree(out) == before
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
    # the report's lines and the manifest follow their schemas (test_manifest.py damages them)
    for problem in _problems(out):
        assert schema_incidents(problem, "process-problem", REPORT, "schema") == []
    assert schema_incidents(manifest, "process-manifest", MANIFEST, "schema") == []


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


def test_a_folder_the_command_did_not_write_is_refused_and_kept(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", seed_records()[:1])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work", encoding="utf-8")
    assert main(["process", str(source), "--out", str(mine), "-q"]) == 1
    err = capsys.readouterr().err
    assert "[output-unsafe]" in err and MANIFEST in err
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]  # nothing touched
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    assert main(["process", str(source), "--out", str(a_file), "-q"]) == 1
    assert "[output-unsafe]" in capsys.readouterr().err
    assert a_file.read_text(encoding="utf-8") == "x"
    # an empty folder, then the run's own earlier output, are replaced
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["process", str(source), "--out", str(empty), "-q"]) == 0
    (empty / "stale.txt").write_text("left by hand", encoding="utf-8")
    assert main(["process", str(source), "--out", str(empty), "-q"]) == 0
    assert not (empty / "stale.txt").exists() and (empty / MANIFEST).is_file()


@pytest.mark.slow
def test_drafts_are_the_pre_annotators_drafts_marked_machine_made(tmp_path, capsys):
    records = [*seed_records()[:2], {"id": "not.a.doc.id", "text": "خبر کوتاه."}]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    learn = ["--annotations", str(MINI / "annotations"), "--seeds", str(MINI / "seeds")]
    plain, out = tmp_path / "plain", tmp_path / "out"
    assert main(["process", str(source), "--out", str(plain), "-q"]) == 0
    assert main(["process", str(source), "--out", str(out), "-q", "--drafts", *learn]) == 0
    assert "2 machine-made drafts" in capsys.readouterr().out
    # the id fits a record but not a draft's doc id: refused only with --drafts
    assert [p["check"] for p in _problems(plain)] == []
    assert [(p["where"], p["check"]) for p in _problems(out)] == [("in.jsonl:3", "record-id")]
    rows = _table(out, "drafts").to_pylist()
    assert [r["doc_id"] for r in rows] == [r["id"] for r in records[:2]]
    for row, rec in zip(rows, records, strict=False):
        assert (row["status"], row["tool"]) == ("draft", "sokhan annotate")
        draft = json.loads(row["draft"])
        assert schema_incidents(draft, "annotation", "draft", "annotation-schema") == []
        assert draft["draft"]["status"] == "draft" and draft["annotator"] == "sokhan annotate"
        assert row["mentions"] == len(draft["mentions"]) > 0
        for m in draft["mentions"]:  # raw offsets into the record's text
            assert rec["text"][m["start"]:m["end"]] == m["text"]
        # the very file `sokhan annotate` writes for the same article
        article = tmp_path / f"{rec['id']}.txt"
        article.write_text(rec["text"], encoding="utf-8")
        assert main(["annotate", str(article), "--out", str(tmp_path / "d.json"), *learn]) == 0
        assert (tmp_path / "d.json").read_text(encoding="utf-8") == row["draft"]
    # the unannotated configs are untouched by the drafts, and no gold-looking file appears
    for config in ("documents", "sentences"):
        assert _table(out, config).equals(
            _table(plain, config).filter(pc.field("doc_id") != "not.a.doc.id"))
    assert sorted(p.name for p in out.glob("*.json")) == [MANIFEST]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["drafts"]["machine_made"] is True and manifest["drafts"]["rows"] == 2
    assert schema_incidents(manifest, "process-manifest", MANIFEST, "schema") == []
    assert manifest["configs"] == ["documents", "sentences", "drafts"]
    assert "MACHINE-MADE" in (out / "README.md").read_text(encoding="utf-8")
