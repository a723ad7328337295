"""Print every published column with its type in DuckDB, pandas, polars and pyarrow.

Usage (from the repository root, after ``make corpus``)::

    .venv/bin/python docs/column_types.py > docs/column_types.md

Each tool reads every split of each config from ``corpus/data`` with its
defaults; the table is what a user of that tool sees.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq

from sokhan.publication.columns import COLUMNS, CONFIGS
from sokhan.publication.parquet import data_path


def _pandas_type(series: pd.Series) -> str:
    if series.dtype != object:
        return str(series.dtype)
    kinds = sorted({type(v).__name__ for v in series if v is not None}) or ["None only"]
    inner = ""
    if kinds == ["ndarray"]:
        first = next(v for v in series if v is not None)
        inner = f" of {first.dtype}" if first.dtype != object else (
            " of dict" if len(first) and isinstance(first[0], dict) else " of object")
    nulls = " (+None)" if series.isna().any() else ""
    return "object: " + "/".join(kinds) + inner + nulls


def rows(root: Path) -> list[list[str]]:
    """One row per published column: config, column, and its type in each tool."""
    out = []
    con = duckdb.connect()
    for config in CONFIGS:
        folder = root / "data" / config
        arrow = pq.read_schema(root / data_path(config, "train"))
        df = pd.read_parquet(folder)
        polars = pl.read_parquet(f"{folder}/*.parquet").schema
        described = con.execute(f"DESCRIBE SELECT * FROM '{folder}/*.parquet'").fetchall()
        duck = {r[0]: r[1] for r in described}
        for column in COLUMNS[config]:
            field = arrow.field(column.name)
            out.append([config, column.name, duck[column.name], _pandas_type(df[column.name]),
                        str(polars[column.name]),
                        str(field.type) + ("" if field.nullable else " not null")])
    return out


def main() -> None:
    """Print the Markdown table for ``corpus/``."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus")
    print("| config | column | DuckDB | pandas | polars | pyarrow |")
    print("|---|---|---|---|---|---|")
    for row in rows(root):
        print("| " + " | ".join(f"`{c}`" if i < 2 else c.replace("|", "\\|")
                                 for i, c in enumerate(row)) + " |")


if __name__ == "__main__":
    main()
