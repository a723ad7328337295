"""CITATION.cff passes cffconvert's validation (run in its own environment)."""

import os
import subprocess
from pathlib import Path

CFF = Path(__file__).parents[1] / "CITATION.cff"


def test_citation_cff_validates():
    cffconvert = os.environ.get("SOKHAN_CFFCONVERT")
    assert cffconvert, "SOKHAN_CFFCONVERT is not set; run the suite with `make test`"
    proc = subprocess.run([cffconvert, "--validate", "-i", str(CFF)], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
