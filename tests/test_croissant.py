"""croissant.json validates with mlcroissant and loads every record set."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from sokhan.publication.columns import CONFIGS

pytestmark = pytest.mark.slow


def _mlcroissant() -> str:
    tool = os.environ.get("SOKHAN_MLCROISSANT")
    if not tool:
        pytest.fail("SOKHAN_MLCROISSANT is not set; run the suite with `make test`")
    return tool


def test_croissant_names_every_parquet_file_with_its_digest(fresh_corpus, build_manifest):
    doc = json.loads((fresh_corpus / "croissant.json").read_text(encoding="utf-8"))
    objects = {d["contentUrl"]: d["sha256"] for d in doc["distribution"]
               if d["@type"] == "cr:FileObject"}
    # the manifest also lists the card's figures, which are pictures, not Croissant data
    parquet = {path: digest for path, digest in build_manifest["files"].items()
               if path.endswith(".parquet")}
    assert objects == parquet
    assert set(build_manifest["files"]) - set(parquet) == {
        p for p in build_manifest["files"] if p.startswith("figures/")}
    assert [r["name"] for r in doc["recordSet"]] == list(CONFIGS)


def test_mlcroissant_validates(fresh_corpus):
    proc = subprocess.run([_mlcroissant(), "validate", "--jsonld", "croissant.json"],
                          cwd=fresh_corpus, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-3000:]


@pytest.mark.parametrize("record_set", CONFIGS)
def test_mlcroissant_loads_records(fresh_corpus, record_set):
    proc = subprocess.run(
        [_mlcroissant(), "load", "--jsonld", "croissant.json", "--record_set", record_set,
         "--num_records", "2"],
        cwd=fresh_corpus, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"'{record_set}/" in proc.stdout
