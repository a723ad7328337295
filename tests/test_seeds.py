"""Seed manifest: checksums, metadata, and Solar Hijri dates converted right."""

from __future__ import annotations

import hashlib
import json

import jdatetime
import pytest

from helpers import SEEDS
from sokhan.stages.seeds import read_manifest

MANIFEST = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
ENTRIES = MANIFEST["seeds"]


def test_manifest_is_valid_and_lists_every_seed():
    manifest, incidents = read_manifest(SEEDS)
    assert incidents == []
    assert sorted(e["file"] for e in manifest["seeds"]) == sorted(
        p.name for p in SEEDS.glob("*.txt")
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["doc_id"])
def test_checksum_and_size(entry):
    data = (SEEDS / entry["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert len(data) == entry["size"]


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e["event_date_jalali"]], ids=lambda e: e["doc_id"]
)
def test_solar_hijri_date_converts_to_the_gregorian_event_date(entry):
    y, m, d = map(int, entry["event_date_jalali"].split("-"))
    assert jdatetime.date(y, m, d).togregorian().isoformat() == entry["event_date"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["doc_id"])
def test_headline_is_the_first_line(entry):
    first = (SEEDS / entry["file"]).read_text(encoding="utf-8").split("\n")[0]
    assert entry["headline"] in (None, first)
