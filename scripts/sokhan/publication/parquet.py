"""Parquet writing: one split of one config as bytes, with fixed writer options.

The options are fixed so that the same rows give byte-identical files.
"""

from __future__ import annotations

import importlib.abc
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from sokhan.publication.columns import arrow_schema, encode_columns

#: Fixed writer options: part of what makes two builds byte-identical.
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 10_000,
}


#: ``sokhan process``'s shards: zstd's default level, 3. A shard of 63 synthetic
#: articles then writes in about half the time (sentences 14 ms against 28 ms at
#: level 9, documents 3 ms against 7 ms, best of five) for files 3% larger
#: (sentences; the small documents files 21%): over a crawl the writing is paid
#: per article, the corpus's level 9 once per release.
PROCESS_PARQUET_OPTIONS = {**PARQUET_OPTIONS, "compression_level": 3}


def parquet_bytes(table: pa.Table, options: dict | None = None) -> bytes:
    """One split of one config (see :func:`arrow_table`) as Parquet, with fixed options.

    Args:
        table: the rows.
        options: the writer's options (default :data:`PARQUET_OPTIONS`).
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **(PARQUET_OPTIONS if options is None else options))
    return sink.getvalue().to_pybytes()


def arrow_table(config: str, rows: list[dict]) -> pa.Table:
    """The rows of one split as an Arrow table with the published schema.

    Raises:
        ValueError: when a never-null column holds a null (Arrow does not check it).
    """
    # Built column by column: Arrow converts a list per column far faster than a dict
    # per row (measured on 25 000 sentence rows: 2.1 s → 0.5 s), with the same table.
    schema = arrow_schema(config)
    columns = encode_columns(config, rows)
    table = pa.Table.from_arrays(
        [pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)
    for field in table.schema:
        if not field.nullable and table.column(field.name).null_count:
            raise ValueError(f"{config}: never-null column {field.name!r} holds a null")
    return table


def data_path(config: str, split: str) -> str:
    """``data/<config>/<split>-00000-of-00001.parquet``, relative to the corpus folder."""
    return f"data/{config}/{split}-00000-of-00001.parquet"


def skip_pandas_probe() -> None:
    """Answer Arrow's pandas probe with "not installed", in a process that needs no pandas.

    Arrow's first conversion of a Python list imports pandas, to learn whether the
    values are pandas objects: 0.25 s, a quarter of ``sokhan process``'s start-up,
    for a process whose rows are plain lists. Arrow asks once per process and keeps
    the answer; a later call that does need pandas (``Table.to_pandas``) imports it
    then. Does nothing when pandas is already imported.
    """
    if "pandas" in sys.modules:
        return
    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(finder)


class _NoPandas(importlib.abc.MetaPathFinder):
    """An import hook under which ``import pandas`` fails."""

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        if fullname == "pandas":
            raise ImportError("pandas is not needed here (sokhan: skip_pandas_probe)")
        return None
