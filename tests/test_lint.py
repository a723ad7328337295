"""The code follows the ruff configuration in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "scripts", "tests"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
