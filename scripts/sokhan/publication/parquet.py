"""Parquet writing: one split of one config as bytes, with fixed writer options.

The options are fixed so that the same rows give byte-identical files.
"""

from __future__ import annotations

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


def encode_labels(config: str, row: dict) -> dict:
    """Class-label columns as their integer ids, as ``datasets`` stores them."""
    out = dict(row)
    for name, feature, _, _ in COLUMNS[config]:
        if not isinstance(feature, dict):
            continue
        if feature.get("_type") == "ClassLabel":
            out[name] = feature["names"].index(row[name])
        elif feature.get("_type") == "Sequence" and feature["feature"].get("_type") == "ClassLabel":
            names = feature["feature"]["names"]
            out[name] = [names.index(v) for v in row[name]]
    return out


def data_path(config: str, split: str) -> str:
    """``data/<config>/<split>-00000-of-00001.parquet``, relative to the corpus folder."""
    return f"data/{config}/{split}-00000-of-00001.parquet"
