"""The README's Python and SQL examples run as written, on a freshly built corpus."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb
import pytest

from helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(python|sql)\n(.*?)^```", README, flags=re.S | re.M)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
SQL = [s.strip() for lang, code in BLOCKS if lang == "sql" for s in code.split(";")
       # a chunk of comments only (after the last statement) is no query
       if any(ln.strip() and not ln.strip().startswith("--") for ln in s.split("\n"))]


def test_the_readme_has_examples():
    assert len(PYTHON) >= 2 and len(SQL) >= 2


def test_the_readme_has_examples_for_every_reader():
    code = "\n".join(PYTHON)
    assert "datasets" in code and "pandas" in code and "polars" in code
    assert re.search(r'load_dataset\("corpus"', README) is None  # a bare name goes to the Hub


@pytest.fixture()
def workspace(fresh_corpus, tmp_path):
    """A folder where ``corpus`` is a fresh build, as in the checkout."""
    (tmp_path / "corpus").symlink_to(fresh_corpus, target_is_directory=True)
    return tmp_path


@pytest.mark.parametrize("code", [
    pytest.param(c, marks=[pytest.mark.slow] if "load_dataset" in c else [], id=f"python-{k}")
    for k, c in enumerate(PYTHON)])
def test_python_example_runs(code, workspace):
    env = {**os.environ, "HF_HOME": str(workspace / "hf"), "HF_DATASETS_OFFLINE": "1",
           "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=workspace, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.parametrize("query", SQL, ids=[f"sql-{k}" for k in range(len(SQL))])
def test_sql_example_runs(query, workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    rows = duckdb.connect().execute(query).fetchall()
    assert rows
