"""The code follows the ruff configuration in pyproject.toml, and mypy finds no error."""

import subprocess
import sys

import pytest

from helpers import REPO


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "scripts", "tests",
                           "benchmarks"], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]


@pytest.mark.slow
def test_mypy_is_clean():
    # the configuration (files, check_untyped_defs) is in pyproject.toml
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
