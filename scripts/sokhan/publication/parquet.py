"""Parquet writing: one split of one config as bytes, with fixed writer options.

The options are fixed so that the same rows give byte-identical files.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa
import pyarrow.parquet as pq

from sokhan.publication.columns import COLUMNS, arrow_schema

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


def parquet_bytes(config: str, rows: list[dict]) -> bytes:
    """One split of one config as Parquet, written with fixed options."""
    schema = arrow_schema(config)
    table = pa.Table.from_pylist([encode_labels(config, r) for r in rows], schema=schema)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


@cache
def _label_columns(config: str) -> tuple[tuple[str, bool, dict[str, int]], ...]:
    """The class-label columns of a config: name, whether a sequence, label → id.

    Worked out once per config rather than once per row: a long ``sokhan process``
    run encodes hundreds of thousands of rows in its main process.
    """
    found = []
    for name, feature, _, _ in COLUMNS[config]:
        if not isinstance(feature, dict):
            continue
        if feature.get("_type") == "ClassLabel":
            found.append((name, False, {n: k for k, n in enumerate(feature["names"])}))
        elif feature.get("_type") == "Sequence" and feature["feature"].get("_type") == "ClassLabel":
            names = feature["feature"]["names"]
            found.append((name, True, {n: k for k, n in enumerate(names)}))
    return tuple(found)


def encode_labels(config: str, row: dict) -> dict:
    """Class-label columns as their integer ids, as ``datasets`` stores them.

    Raises:
        KeyError: a value that is not one of the column's labels (a bug: rows are checked
            against their schemas first).
    """
    out = dict(row)
    for name, is_sequence, ids in _label_columns(config):
        out[name] = [ids[v] for v in row[name]] if is_sequence else ids[row[name]]
    return out


def data_path(config: str, split: str) -> str:
    """``data/<config>/<split>-00000-of-00001.parquet``, relative to the corpus folder."""
    return f"data/{config}/{split}-00000-of-00001.parquet"
