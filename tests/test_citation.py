"""CITATION.cff agrees with the package and passes cffconvert's validation."""

import datetime
import os
import subprocess

import pytest
import yaml

from helpers import REPO
from sokhan import RELEASE_DATE, __version__
from sokhan.publication.croissant import croissant

CFF = REPO / "CITATION.cff"


def test_citation_cff_states_the_package_version_and_release_date():
    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    released = datetime.date.fromisoformat(RELEASE_DATE)
    for entry in (cff, cff["preferred-citation"]):
        assert entry["version"] == __version__
        assert entry["date-released"] == released
    assert cff["preferred-citation"]["year"] == released.year


def test_croissant_states_the_package_version_and_release_date():
    meta = croissant({}, card="")  # no files, no card sections: the fixed metadata only
    assert (meta["version"], meta["datePublished"]) == (__version__, RELEASE_DATE)
    assert f"year = {{{released_year()}}}" in meta["citeAs"]


def released_year() -> int:
    return datetime.date.fromisoformat(RELEASE_DATE).year


@pytest.mark.slow
def test_citation_cff_validates():
    cffconvert = os.environ.get("SOKHAN_CFFCONVERT")
    assert cffconvert, "SOKHAN_CFFCONVERT is not set; run the suite with `make test`"
    proc = subprocess.run([cffconvert, "--validate", "-i", str(CFF)], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
