"""``sokhan process`` under faults: workers that die, a killed run, hostile Parquet inputs."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import helpers
from helpers import (
    KILL_MAIN,
    KILL_PRELUDE,
    KILLER,
    MINI,
    REPO,
    swap_traps,
    torn_write,
    write_jsonl,
)
from sokhan.checks.incidents import BuildError
from sokhan.cli import main
from sokhan.process import engines
from sokhan.process.output import MANIFEST, REPORT
from sokhan.process.run import Options, process
from sokhan.stages.seeds import MAX_SEED_BYTES

#: Small batches and shards: a fault meets a batch in the middle of the run.
SMALL = {"quiet": True, "shard_docs": 2}

#: Short articles: each record costs little, so a fault costs the test little.
TEXTS = ["خبر کوتاه.\nمتن خبر این است.", "دیدار دو رئیس‌جمهور.\nآنها گفتگو کردند.",
         "سخن سوم.", "گزارش چهارم.\nپایان.", "متن پنجم.", "ششمین خبر."]


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _data(root: Path) -> dict[str, str]:
    return {k: v for k, v in _tree(root).items() if k.startswith("data/")}


def _problems(out: Path) -> list[tuple[str, str]]:
    lines = (out / REPORT).read_text(encoding="utf-8").splitlines()
    return [(p["where"], p["check"]) for p in map(json.loads, lines)]


def _records(killers: set[int]) -> list[dict]:
    return [{"id": f"{KILLER}-{k}" if k in killers else f"ok-{k}", "text": t}
            for k, t in enumerate(TEXTS)]


@pytest.fixture(scope="module")
def warm():
    """The pipeline warmed up here, so every forked worker starts warm (a fresh pool is cheap)."""
    engines.warm_up()


def _clean_twin(tmp_path: Path, records: list[dict], **options) -> Path:
    """The same input with every killer's text empty: refused on the same line, no fault."""
    twin = [{**r, "text": ""} if r["id"].startswith(KILLER) else r for r in records]
    (tmp_path / "twin").mkdir()
    source = write_jsonl(tmp_path / "twin" / "in.jsonl", twin)
    out = tmp_path / "twin-out"
    process(Options(source, out, **SMALL, **options))
    return out


# --- a worker that dies ----------------------------------------------------------------------


def test_a_record_that_kills_its_worker_is_refused_and_the_rest_is_unchanged(
        tmp_path, monkeypatch, warm):
    records = _records({2})
    source = write_jsonl(tmp_path / "in.jsonl", records)
    clean = _clean_twin(tmp_path, records)
    monkeypatch.setattr(engines, "batch_function", helpers.dies_on_killers)
    # the command line, with small batches: the killer's batch has others in flight
    out = tmp_path / "out"
    assert main(["process", str(source), "--out", str(out), "-q", "--workers", "2",
                 "--shard-records", "2"]) == 0
    assert _problems(out) == [("in.jsonl:3", "record-worker-died")]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["problems"] == {"record-worker-died": 1}
    assert manifest["counts"]["records"] == 6 and manifest["counts"]["refused"] == 1
    # the records that did not kill their worker: the very bytes of a run without a fault
    assert _data(out) == _data(clean) and len(_data(out)) == 6
    assert manifest["files"] == _data(out)
    assert not list(tmp_path.glob(".*staging*"))


def test_a_worker_killed_once_costs_nothing_but_time(tmp_path, monkeypatch, warm):
    # the batch is tried again record by record: every record is published, the same bytes
    records = _records({3})
    source = write_jsonl(tmp_path / "in.jsonl", records)
    process(Options(source, tmp_path / "clean", **SMALL))
    monkeypatch.setattr(helpers, "DIED_ONCE", tmp_path / "died")
    monkeypatch.setattr(engines, "batch_function", helpers.dies_once)
    process(Options(source, tmp_path / "out", workers=2, **SMALL))
    assert (tmp_path / "died").exists(), "no worker was killed"
    assert _tree(tmp_path / "out") == _tree(tmp_path / "clean")
    assert _problems(tmp_path / "out") == []


def test_strict_stops_at_a_worker_death_and_leaves_the_output_as_it_was(
        tmp_path, monkeypatch, capsys, warm):
    source = write_jsonl(tmp_path / "in.jsonl", _records({4}))
    out = tmp_path / "out"
    earlier = write_jsonl(tmp_path / "earlier.jsonl", _records(set())[:2])
    assert main(["process", str(earlier), "--out", str(out), "-q"]) == 0
    before = _tree(out)
    monkeypatch.setattr(engines, "batch_function", helpers.dies_on_killers)
    assert main(["process", str(source), "--out", str(out), "-q", "--strict",
                 "--workers", "2"]) == 1
    err = capsys.readouterr().err
    assert "in.jsonl:5: [record-worker-died]" in err and "Traceback" not in err
    assert _tree(out) == before
    assert not list(tmp_path.glob(".*staging*"))


def test_workers_that_keep_dying_end_the_run_with_its_check_id(
        tmp_path, monkeypatch, capsys, warm):
    source = write_jsonl(tmp_path / "in.jsonl", _records(set()))
    out = tmp_path / "out"
    monkeypatch.setattr(engines, "batch_function", helpers.always_dies)
    assert main(["process", str(source), "--out", str(out), "-q", "--workers", "2"]) == 1
    err = capsys.readouterr().err
    assert "[workers-lost]" in err and "5 local worker deaths in a row" in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".*staging*"))


@pytest.mark.slow
def test_a_record_that_kills_its_dask_worker_is_refused_and_the_rest_is_unchanged(
        tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    records = _records({1})
    source = write_jsonl(tmp_path / "in.jsonl", records)
    clean = _clean_twin(tmp_path, records)
    # Dask workers are spawned, not forked: they import the swapped function by name
    monkeypatch.setattr(engines, "batch_function", helpers.dies_on_killers)
    monkeypatch.setenv("PYTHONPATH", str(REPO / "tests"))
    out = tmp_path / "out"
    process(Options(source, out, engine="dask", workers=2, **SMALL))
    assert _problems(out) == [("in.jsonl:2", "record-worker-died")]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["problems"] == {"record-worker-died": 1}
    assert _data(out) == _data(clean)


@pytest.mark.slow
@pytest.mark.parametrize("killers", [{1}, {1, 4}])  # one death; two, on both workers
def test_a_dask_worker_death_keeps_the_drafter_for_the_workers_that_replace_it(
        tmp_path, monkeypatch, killers):
    # The drafter reaches Dask's workers once, not with every task: a worker that
    # replaces a dead one must get it too, even when no worker that held it is left.
    pytest.importorskip("distributed")
    records = _records(killers)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    learn = {"drafts": True, "annotations": MINI / "annotations", "seeds": MINI / "seeds"}
    clean = _clean_twin(tmp_path, records, **learn)
    monkeypatch.setattr(engines, "batch_function", helpers.dies_on_killers)
    monkeypatch.setenv("PYTHONPATH", str(REPO / "tests"))
    out = tmp_path / "out"
    process(Options(source, out, engine="dask", workers=2, **SMALL, **learn))
    assert _problems(out) == [(f"in.jsonl:{k + 1}", "record-worker-died") for k in sorted(killers)]
    assert _data(out) == _data(clean)
    assert any(k.startswith("data/drafts/") for k in _data(out))


@pytest.mark.slow
def test_dask_workers_that_keep_dying_end_the_run_with_its_check_id(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    source = write_jsonl(tmp_path / "in.jsonl", _records(set()))
    monkeypatch.setattr(engines, "batch_function", helpers.always_dies)
    monkeypatch.setenv("PYTHONPATH", str(REPO / "tests"))
    with pytest.raises(BuildError) as err:
        process(Options(source, tmp_path / "out", engine="dask", workers=2, **SMALL))
    assert [i.check for i in err.value.incidents] == ["workers-lost"]
    assert "5 Dask worker deaths in a row" in err.value.incidents[0].message
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".*staging*"))


# --- a killed run ----------------------------------------------------------------------------

#: Runs ``sokhan process`` with a trap that SIGKILLs it: ``shard N`` after half of the
#: N-th shard is written to the staging folder, ``rename`` while the shards get their
#: final names, ``swap`` just before the exchange, ``swapped`` just after it.
_KILL = KILL_PRELUDE + """
from pathlib import Path
import dataclasses
import sokhan.process.output, sokhan.process.run
run = sokhan.process.run.process
sokhan.process.run.process = lambda opts: run(dataclasses.replace(opts, shard_docs=2))
""" + torn_write("shard", "sokhan.process.output.write_file") + """
elif point == "rename":
    rename = Path.rename
    def dying_rename(self, target):
        if "data" in str(target) and nth():
            die()
        return rename(self, target)
    Path.rename = dying_rename
""" + swap_traps("sokhan.process.run") + KILL_MAIN


@pytest.fixture(scope="module")
def killable(tmp_path_factory):
    """An earlier run's output, the input of the next run, and what that run writes."""
    root = tmp_path_factory.mktemp("killable")
    earlier = write_jsonl(root / "earlier.jsonl", _records(set())[:2])
    source = write_jsonl(root / "in.jsonl", _records(set()))
    out = root / "out"
    process(Options(earlier, out, **SMALL))
    before = _tree(out)
    process(Options(source, root / "probe", **SMALL))
    after = _tree(root / "probe")
    assert after != before
    return root, source, before, after


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "n", "outcome"),
    [
        ("shard", 1, "old"),  # the first shard, half written
        ("shard", 5, "old"),  # a later shard (documents of the third part), half written
        ("rename", 2, "old"),  # the shards are being given their final names
        ("swap", 1, "old"),  # everything staged, not yet swapped
        ("swapped", 1, "new"),  # swapped, the old output not yet removed
    ],
)
def test_a_killed_process_run_leaves_the_old_output_or_the_whole_new_one(
        killable, point, n, outcome):
    root, source, before, after = killable
    out = root / "out"
    if outcome == "old":
        assert _tree(out) == before, "an earlier kill left the output changed"
    args = [str(source), "--out", str(out), "-q"]
    killed = subprocess.run([sys.executable, "-c", _KILL, point, str(n), "process", *args],
                            cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _tree(out) == (before if outcome == "old" else after)
    # whatever is left is a staging folder, never a shard beside the output
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".out.")]
    assert all(".staging-" in name for name in leftovers), leftovers


@pytest.mark.slow
def test_a_process_run_after_kills_gives_the_uninterrupted_bytes_and_cleans_up(killable):
    root, source, _, after = killable
    process(Options(source, root / "out", **SMALL))
    assert _tree(root / "out") == after
    assert not [p for p in root.iterdir() if p.name.startswith(".out.")]


# --- hostile Parquet inputs ------------------------------------------------------------------

_GOOD = TEXTS[0]


def _unchecked_strings(values: list[bytes], large: bool = False) -> pa.Array:
    """A string column holding exactly these bytes: Arrow builds it without validating UTF-8."""
    offsets = [0]
    for v in values:
        offsets.append(offsets[-1] + len(v))
    kind, width = (pa.large_string(), pa.int64()) if large else (pa.string(), pa.int32())
    return pa.Array.from_buffers(kind, len(values), [
        None, pa.py_buffer(pa.array(offsets, width).buffers()[1]),
        pa.py_buffer(b"".join(values))])


#: (the table's columns, the problems of its rows as (row, check)); one comment per case.
BAD_PARQUET = [
    # a binary text column: valid bytes are read as text, invalid bytes are refused
    ({"id": ["a", "b"], "text": pa.array([_GOOD.encode(), b"\xff\xfe bad"], pa.binary())},
     [(2, "seed-encoding")]),
    # a string text column whose bytes are not UTF-8 (another tool wrote it unchecked)
    ({"id": ["a", "b", "c"], "text": _unchecked_strings([_GOOD.encode(), b"ok \xc3", b"x"])},
     [(2, "seed-encoding")]),
    # the same in a large_string column (64-bit offsets)
    ({"id": ["a", "b"], "text": _unchecked_strings([b"\xed\xa0\x80", _GOOD.encode()], True)},
     [(1, "seed-encoding")]),
    # a string id column whose bytes are not UTF-8
    ({"id": _unchecked_strings([b"a", b"\xffb"]), "text": [_GOOD, _GOOD]},
     [(2, "seed-encoding")]),
    # a metadata column whose bytes are not UTF-8
    ({"id": ["a", "b"], "text": [_GOOD, _GOOD],
      "headline": _unchecked_strings([b"\xe2\x82", b"h"])}, [(1, "seed-encoding")]),
    # a list-of-strings text column with a bad string inside
    ({"id": ["a"], "text": pa.ListArray.from_arrays([0, 1], _unchecked_strings([b"\xff"]))},
     [(1, "record-text")]),
    # integer ids
    ({"id": [1, 2], "text": [_GOOD, _GOOD]}, [(1, "record-id"), (2, "record-id")]),
    # binary ids
    ({"id": pa.array([b"a"], pa.binary()), "text": [_GOOD]}, [(1, "record-id")]),
    # integer texts
    ({"id": ["a"], "text": [7]}, [(1, "record-text")]),
    # a list text
    ({"id": ["a"], "text": [[_GOOD]]}, [(1, "record-text")]),
    # a null id and a null text
    ({"id": pa.array([None, "b"], pa.string()), "text": [_GOOD, None]},
     [(1, "record-id"), (2, "record-text")]),
    # a repeated id
    ({"id": ["a", "a"], "text": [_GOOD, _GOOD]}, [(2, "record-duplicate")]),
]


@pytest.mark.parametrize(("columns", "expected"), BAD_PARQUET)
def test_a_bad_parquet_record_is_reported_with_its_check_id(columns, expected, tmp_path, capsys):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table(columns), source)
    out = tmp_path / "out"
    assert main(["process", str(source), "--out", str(out), "-q"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert _problems(out) == [(f"in.parquet:row {row}", check) for row, check in expected]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    rows = len(next(iter(columns.values())))
    assert manifest["counts"]["records"] == rows
    assert manifest["counts"]["refused"] == len({row for row, _ in expected})
    assert manifest["counts"]["documents"] == rows - manifest["counts"]["refused"]


def test_an_invalid_utf8_text_in_parquet_gives_the_jsonl_message(tmp_path):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": _unchecked_strings(
        ["سطر اول\nدو ".encode() + b"\xff"])}), source)
    process(Options(source, tmp_path / "out", quiet=True))
    (problem,) = [json.loads(line) for line in
                  (tmp_path / "out" / REPORT).read_text(encoding="utf-8").splitlines()]
    assert (problem["id"], problem["check"], problem["location"]) == (
        "a", "seed-encoding", "line 2 column 4")
    assert "0xff" in problem["message"]


def _parquet_bytes() -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"id": [f"a{k}" for k in range(600)],
                             "text": [f"{_GOOD} {k}" for k in range(600)]}), sink,
                   row_group_size=300, compression="snappy")
    return sink.getvalue().to_pybytes()


def _damaged_page(data: bytes) -> bytes:
    """The second row group's text column with its first page header scrambled."""
    meta = pq.ParquetFile(pa.BufferReader(data)).metadata.row_group(1).column(1)
    start = meta.dictionary_page_offset or meta.data_page_offset
    return data[:start] + bytes(b ^ 0xFF for b in data[start:start + 16]) + data[start + 16:]


#: (a name, the file's bytes from a whole file's, the place); one comment per case.
BROKEN_PARQUET = [
    ("cut", lambda d: d[: len(d) // 2], ""),  # cut in half: no footer
    ("tail", lambda d: d[:-10], ""),  # the last bytes missing
    ("empty", lambda d: b"", ""),  # an empty file
    ("text", lambda d: b'{"id": "a", "text": "x"}\n', ""),  # JSONL named .parquet
    ("page", _damaged_page, "row 257"),  # a damaged page header in the second row group
]


@pytest.mark.parametrize(("name", "damage", "where"), BROKEN_PARQUET)
def test_a_broken_parquet_file_is_refused_and_nothing_is_written(
        name, damage, where, tmp_path, capsys):
    source = tmp_path / "in.parquet"
    source.write_bytes(damage(_parquet_bytes()))
    out = tmp_path / "out"
    assert main(["process", str(source), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    place = f" {where}:" if where else ""
    assert f"in.parquet:{place} [input-unreadable]" in err, err
    assert not out.exists() and not list(tmp_path.glob(".*staging*"))


def test_a_parquet_file_without_an_id_column_is_refused(tmp_path, capsys):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"ident": ["a"], "text": [_GOOD]}), source)
    assert main(["process", str(source), "--out", str(tmp_path / "out"), "-q"]) == 1
    assert "[input-unreadable] no column id" in capsys.readouterr().err


def test_a_broken_parquet_file_on_a_terminal_leaves_no_staging_folder(tmp_path, monkeypatch,
                                                                       capsys):
    # on a terminal the progress bar reads the record count before anything else
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    source = tmp_path / "in.parquet"
    source.write_bytes(_parquet_bytes()[:100])
    with pytest.raises(BuildError) as err:
        process(Options(source, tmp_path / "out"))
    assert [i.check for i in err.value.incidents] == ["input-unreadable"]
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".*"))


# --- hostile entries in a folder of .txt files -----------------------------------------------


def test_a_pipe_a_folder_or_a_huge_file_among_the_txt_files_is_refused_unread(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text(_GOOD, encoding="utf-8")
    os.mkfifo(folder / "b.txt")  # opening it for reading would block the run
    (folder / "c.txt").mkdir()
    (folder / "d.txt").write_bytes(b"x" * (MAX_SEED_BYTES + 1))  # one byte over the limit
    out = tmp_path / "out"

    def hang(signum, frame):
        raise AssertionError("sokhan process blocked on the named pipe")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(30)
    try:
        process(Options(folder, out, quiet=True))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert _problems(out) == [("news/b.txt", "input-unreadable"),
                              ("news/c.txt", "input-unreadable"), ("news/d.txt", "seed-too-large")]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["counts"]["documents"], manifest["counts"]["refused"]) == (1, 3)
