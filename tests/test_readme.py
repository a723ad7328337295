"""The README's loading examples run as written, from the repository root."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb
import pytest

from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Loading the data", 1)[1].split("\n## ", 1)[0]
PYTHON = re.findall(r"```python\n(.*?)```", SECTION, re.S)
SQL = re.findall(r"```sql\n(.*?)```", SECTION, re.S)


def test_the_readme_has_examples_for_every_reader():
    code = "\n".join(PYTHON)
    assert "datasets" in code and "pandas" in code and "polars" in code and SQL
    assert re.search(r'load_dataset\("corpus"', README) is None  # a bare name goes to the Hub


@pytest.mark.slow
@pytest.mark.parametrize("example", PYTHON, ids=lambda c: c.split("\n")[0][:40])
def test_python_example_runs(example, tmp_path):
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", example], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.parametrize("statement", [s.strip() for block in SQL for s in block.split(";")
                                       if s.strip() and not s.strip().startswith("--")])
def test_sql_example_runs(statement, monkeypatch):
    monkeypatch.chdir(REPO)
    assert duckdb.connect().execute(statement).fetchall()
