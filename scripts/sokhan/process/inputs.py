"""Input readers: a folder of ``.txt`` files, a JSONL file, or a Parquet file.

Each reader yields :class:`InputRecord` one at a time, so memory does not grow
with the input; nothing is checked here beyond what is needed to find the next
record (a JSONL line that is not JSON is yielded as a record with a problem).
Whole-input problems (missing file, unknown format, Parquet without ``id`` and
``text`` columns) raise :class:`~sokhan.checks.incidents.BuildError` with the check id
``input-unreadable``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sokhan.checks.incidents import BuildError, Incident, Unreadable, read_bounded
from sokhan.checks.jsonfile import parse_json
from sokhan.stages.seeds import MAX_SEED_BYTES

#: A JSONL line longer than this is not parsed: JSON escapes (``\\u0627``) can
#: triple a Persian text, so this admits every text the seed limit admits.
MAX_JSONL_LINE = 4 * MAX_SEED_BYTES
#: Rows read from a Parquet input at a time.
PARQUET_BATCH = 256


@dataclass(frozen=True)
class InputRecord:
    """One article as found in the input, not yet checked.

    Attributes:
        index: position in the input, from 0; output order follows it.
        where: the record's place for messages (``crawl.jsonl:17``, ``news/a.txt``).
        id: the ``id`` value as found (None when absent).
        text: the ``text`` value as found: bytes from a ``.txt`` file, a str from
            JSON or Parquet, None when absent.
        meta: the record's other fields.
        problem: ``(check, message)`` when the record could not even be parsed.
    """

    index: int
    where: str
    id: object
    text: object
    meta: dict = field(default_factory=dict)
    problem: tuple[str, str] | None = None


def input_format(path: Path) -> str:
    """``txt`` (a folder), ``jsonl`` or ``parquet``.

    Raises:
        BuildError: ``input-unreadable`` when the path is missing or of no known kind.
    """
    if path.is_dir():
        return "txt"
    if path.is_file() and path.suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if path.is_file() and path.suffix == ".parquet":
        return "parquet"
    found = "not found" if not path.exists() else "neither a folder, a .jsonl nor a .parquet file"
    raise BuildError([Incident(str(path), "", "input-unreadable",
                               f"{found}; expected a folder of .txt files, a JSONL file with "
                               "id and text, or a Parquet file with id and text columns")])


def count_records(path: Path, at_most: int | None = None) -> int:
    """How many records the input holds (a cheap count: a JSONL file's line breaks).

    Args:
        path: the input.
        at_most: stop counting there: the count is then ``at_most`` for any input at
            least that long (a JSONL file is read only until it is reached).
    """
    limit = sys.maxsize if at_most is None else at_most
    kind = input_format(path)
    if kind == "txt":
        return sum(1 for _ in itertools.islice(path.glob("*.txt"), limit))
    if kind == "parquet":
        return min(_parquet_file(path).metadata.num_rows, limit)
    count = 0
    with path.open("rb") as f:
        while count < limit and (chunk := f.read(1 << 20)):
            count += chunk.count(b"\n")
    return min(count, limit)


def read_records(path: Path) -> Iterator[InputRecord]:
    """Yield every record of the input in its order (files sorted by name)."""
    kind = input_format(path)
    if kind == "txt":
        yield from _read_folder(path)
    elif kind == "jsonl":
        yield from _read_jsonl(path)
    else:
        yield from _read_parquet(path)


def _read_folder(folder: Path) -> Iterator[InputRecord]:
    for k, file in enumerate(sorted(folder.glob("*.txt"))):
        where = f"{folder.name}/{file.name}"
        # the seeds' reader: a named pipe or a device is refused unopened, never blocks
        data = read_bounded(file, MAX_SEED_BYTES)
        if isinstance(data, Unreadable):
            check = "seed-too-large" if data.kind == "too-large" else "input-unreadable"
            yield InputRecord(k, where, file.stem, None, problem=(
                check, f"{data.message}; expected a regular file of at most {MAX_SEED_BYTES} "
                       "bytes"))
            continue
        yield InputRecord(k, where, file.stem, data)


def _read_jsonl(path: Path) -> Iterator[InputRecord]:
    index = 0
    with path.open("rb") as f:
        for line_no, line in enumerate(_bounded_lines(f), start=1):
            where = f"{path.name}:{line_no}"
            if line is None:
                yield InputRecord(index, where, None, None, problem=(
                    "seed-too-large", f"line longer than {MAX_JSONL_LINE} bytes (not parsed)"))
                index += 1
                continue
            if not line.strip():
                continue  # blank lines separate nothing in JSONL; not a record
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputRecord(index, where, None, None, problem=(
                    "seed-encoding", f"byte at offset {err.start} of the line is not UTF-8"))
                index += 1
                continue
            # strictly, as every JSON file: no NaN or Infinity, no repeated key, no nesting
            # deeper than the limit (which would end the run in a RecursionError)
            value, found = parse_json(line, where, "record-json")
            if found:
                place = f" at {found[0].where}" if found[0].where else ""
                yield InputRecord(index, where, None, None, problem=(
                    "record-json", f"not strict JSON{place} ({found[0].message})"))
                index += 1
                continue
            if not isinstance(value, dict):
                yield InputRecord(index, where, None, None, problem=(
                    "record-json", f"a JSON {type(value).__name__}; expected an object"))
            else:
                meta = {k: v for k, v in value.items() if k not in ("id", "text")}
                yield InputRecord(index, where, value.get("id"), value.get("text"), meta)
            index += 1


def _bounded_lines(f) -> Iterator[bytes | None]:
    """Lines of a binary file; None for a line longer than :data:`MAX_JSONL_LINE`."""
    while True:
        line = f.readline(MAX_JSONL_LINE + 1)
        if not line:
            return
        if len(line) > MAX_JSONL_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of it
                line = f.readline(1 << 20)
            yield None
            continue
        yield line


def _parquet_file(path: Path):
    """The open Parquet file.

    Raises:
        BuildError: ``input-unreadable`` when it is not Parquet (no footer: cut
            short, empty, another format) or cannot be read.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise BuildError([Incident(str(path), "", "input-unreadable",
                                   f"not a readable Parquet file ({_arrow_message(err)}); "
                                   "expected a whole Parquet file with id and text "
                                   "columns")]) from None


def _arrow_message(err: BaseException) -> str:
    return " ".join(str(err).split())[:200]


@dataclass(frozen=True)
class _Undecodable:
    """A Parquet string cell whose bytes are not UTF-8 (Arrow stores them unchecked)."""

    data: bytes | None  # None: the bad string is deeper, inside a list or struct cell
    start: int


def _cells(column) -> list:
    """A column's values; a string cell that is not UTF-8 becomes :class:`_Undecodable`.

    Arrow does not validate the bytes of a string column written by another
    tool, and converting such a column fails as a whole: only then is it taken
    one cell at a time, so one bad cell spoils only its record.
    """
    import pyarrow as pa

    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        pass
    raw = pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary()
    cells: list = []
    for k in range(len(column)):
        try:
            cells.append(column[k].as_py())
        except UnicodeDecodeError as err:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                data = column.slice(k, 1).cast(raw).to_pylist()[0]
                cells.append(_Undecodable(data, err.start))
            else:
                cells.append(_Undecodable(None, err.start))
    return cells


def _read_parquet(path: Path) -> Iterator[InputRecord]:
    import pyarrow as pa

    file = _parquet_file(path)
    names = file.schema_arrow.names
    missing = [c for c in ("id", "text") if c not in names]
    if missing:
        raise BuildError([Incident(str(path), "", "input-unreadable",
                                   f"no column {', '.join(missing)}; expected id and text")])
    index = 0
    batches = file.iter_batches(batch_size=PARQUET_BATCH)
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as err:  # a damaged page inside the file
            raise BuildError([Incident(str(path), f"row {index + 1}", "input-unreadable",
                                       f"cannot be read from here on ({_arrow_message(err)}); "
                                       "expected a whole Parquet file")]) from None
        if batch is None:
            return
        columns = {name: _cells(batch.column(k)) for k, name in enumerate(batch.schema.names)}
        for k in range(batch.num_rows):
            row = {name: cells[k] for name, cells in columns.items()}
            where = f"{path.name}:row {index + 1}"
            bad = [n for n, v in row.items() if isinstance(v, _Undecodable) and n != "text"]
            text = row["text"]
            if bad:
                cell = row[bad[0]]
                yield InputRecord(index, where, None, None, problem=(
                    "seed-encoding", f"column {bad[0]!r}: byte at offset {cell.start} is not "
                                     "UTF-8; expected UTF-8"))
            elif isinstance(text, _Undecodable) and text.data is None:
                yield InputRecord(index, where, row["id"], None, problem=(
                    "record-text", f"text is a {batch.schema.field('text').type} holding a "
                                   "string that is not UTF-8; expected the article as a "
                                   "string"))
            else:
                if isinstance(text, _Undecodable):
                    text = text.data  # checked like a file's bytes: the message names the place
                meta = {n: v for n, v in row.items() if n not in ("id", "text")}
                yield InputRecord(index, where, row["id"], text, meta)
            index += 1
