"""Shared fixtures: one fresh build per test session, in a temporary folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import ANNOTATIONS, CARD, SEEDS
from sokhan.build import assemble, build


@pytest.fixture(scope="session")
def fresh_corpus(tmp_path_factory) -> Path:
    """A corpus built from the repository's seeds and annotations."""
    out = tmp_path_factory.mktemp("fresh") / "corpus"
    shutil.copytree(ANNOTATIONS, out / "annotations")
    build(SEEDS, out / "annotations", out, CARD)
    return out


@pytest.fixture(scope="session")
def assembled():
    """The in-memory corpus (records and rows) of the repository."""
    return assemble(SEEDS, ANNOTATIONS)


@pytest.fixture(scope="session")
def build_manifest(fresh_corpus) -> dict:
    return json.loads((fresh_corpus / "build-manifest.json").read_text(encoding="utf-8"))

