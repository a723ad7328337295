"""The build: seeds and annotations in, a validated, published corpus out.

Orchestration only: stages run in order on in-memory records; nothing is written
until every record has validated, and the new corpus replaces the old one atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from sokhan.checks.annotations import check_annotation, check_pass
from sokhan.checks.incidents import BuildError, Incident, shown_path
from sokhan.checks.jsonfile import load_object
from sokhan.checks.registry import check_pass_registry, check_registry
from sokhan.checks.rows import check_rows
from sokhan.publication.card import read_card_template, render_card, sections
from sokhan.publication.croissant import croissant
from sokhan.publication.figures import figures
from sokhan.publication.manifest import manifest
from sokhan.publication.parquet import data_path, parquet_bytes
from sokhan.publication.rows import assign_splits, make_rows
from sokhan.publication.swap import (
    discard,
    exchange,
    link_kept_files,
    plan_kept,
    staging_dir,
    write_file,
)
from sokhan.records import Corpus, Document, Entity
from sokhan.stages.attach import attach
from sokhan.stages.normalise import describe_changes, normalise
from sokhan.stages.seeds import read_seeds
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise

REGISTRY = "entities.json"
#: What the build writes into the corpus folder; everything else there is kept.
GENERATED = {"data/", "figures/", "README.md", "build-manifest.json", "croissant.json"}


def assemble(seeds_dir: Path, annotations_dir: Path) -> Corpus:
    """Run every stage up to the published rows, validating as it goes.

    Raises:
        BuildError: with every incident found, before anything is written.
    """
    seeds = read_seeds(seeds_dir)
    docs, sentences = [], {}
    for seed in seeds:
        norm = normalise(seed.raw_text)
        doc = Document(seed, norm.text, norm.alignment, norm.repairs)
        docs.append(doc)
        sentences[doc.doc_id] = tokenise(doc, segment(doc), f"seeds/{seed.file}")

    incidents: list[Incident] = []
    registry_path = annotations_dir / REGISTRY
    entities: dict[str, Entity] = {}
    if registry_path.exists() or registry_path.is_symlink():
        registry, found = load_object(registry_path, "registry-json", "the entity registry")
        incidents += found
        # a registry that did not load is unusable: its mentions are not also unknown-entity
        entities, found = check_registry(registry if not found else None,
                                         shown_path(registry_path))
        incidents += found
    by_id = {d.doc_id: d for d in docs}
    annotations: dict[str, dict] = {}
    for path in _json_files(annotations_dir):
        if path.name == REGISTRY:
            continue
        # a file holding null is a broken file, not a missing one: its failure is its incidents
        ann, found = load_object(path, "annotation-json", "an annotation file")
        incidents += found
        if found:
            continue
        doc = by_id.get(path.stem)
        found = check_annotation(
            ann, shown_path(path), doc, sentences.get(path.stem, []), entities, path.stem
        )
        incidents += found
        if doc is not None and not found:
            annotations[path.stem] = ann
    passes = annotations_dir / "passes"
    for folder in sorted(p for p in passes.glob("*") if p.is_dir()) if passes.is_dir() else []:
        for path in _json_files(folder):
            if path.name == REGISTRY:
                # each pass keeps its own registry; the agreement report reads it
                own, found = load_object(path, "registry-json", "the pass's entity registry")
                incidents += found or check_pass_registry(own, shown_path(path))
                continue
            ann, found = load_object(path, "annotation-json", "an annotation pass file")
            incidents += found
            if not found:
                incidents += check_pass(ann, shown_path(path), by_id.get(path.stem), path.stem)
    if incidents:
        raise BuildError(incidents)

    corpus = Corpus(
        docs, sentences, {}, entities, assign_splits(docs), annotations_dir=annotations_dir
    )
    corpus.skipped = {"articles without an annotation file": len(docs) - len(annotations)}
    for doc in docs:
        corpus.layers[doc.doc_id] = attach(doc, sentences[doc.doc_id], annotations.get(doc.doc_id))
        corpus.changes.update(describe_changes(doc.raw_text, doc.text, doc.alignment))
        corpus.repairs.update(doc.repairs)
    corpus.rows = make_rows(corpus)
    check_rows(corpus)
    return corpus


def _json_files(folder: Path) -> list[Path]:
    """The ``*.json`` entries of a folder, whatever they are (each is checked when read)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json"))


def generate(corpus: Corpus, annotations_dir: Path, card_template: Path) -> dict[str, bytes]:
    """Every file the build publishes, by path relative to the corpus folder."""
    files: dict[str, bytes] = {}
    for config, splits in corpus.rows.items():
        for split, rows in splits.items():
            files[data_path(config, split)] = parquet_bytes(config, rows)
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    files["croissant.json"] = (
        json.dumps(croissant(digests), ensure_ascii=False, indent=1) + "\n"
    ).encode()
    # the card's pictures: listed in the manifest, but not Croissant data files
    for path, data in figures(corpus.rows).items():
        files[path] = data
        digests[path] = hashlib.sha256(data).hexdigest()
    result = manifest(corpus, annotations_dir, digests)
    files["build-manifest.json"] = (
        json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode()
    values = sections(corpus, result)
    files["README.md"] = render_card(
        read_card_template(card_template, set(values)), corpus, values
    ).encode()
    return files


def build(seeds_dir: Path, annotations_dir: Path, out_dir: Path, card_template: Path) -> dict:
    """Build the corpus into ``out_dir`` (atomically) and return the build manifest.

    Raises:
        BuildError: on any bad input; ``out_dir`` is then left untouched.
    """
    corpus = assemble(seeds_dir, annotations_dir)
    files = generate(corpus, annotations_dir, card_template)
    refuse_read_only(out_dir)
    kept = plan_kept(out_dir, set(files))  # refuses what cannot be kept, before any change
    staging = staging_dir(out_dir)
    try:
        for rel, data in files.items():
            write_file(staging / rel, data)
        link_kept_files(out_dir, staging, kept)
        exchange(staging, out_dir)
    except BaseException:
        discard(staging)
        raise
    return json.loads(files["build-manifest.json"])


def refuse_read_only(out_dir: Path) -> None:
    """Refuse a corpus folder the user made read-only (or a read-only mount), untouched.

    The swap renames folders beside it and so could replace it anyway; a
    read-only folder says the user does not want it changed.
    """
    real = Path(os.path.realpath(out_dir))
    if real.is_dir() and not os.access(real, os.W_OK):
        raise BuildError([Incident(shown_path(out_dir), "", "corpus-write",
                                   "the corpus folder is read-only (its permissions or a "
                                   "read-only mount); expected a folder the build may replace: "
                                   "make it writable, or name another --out")])
