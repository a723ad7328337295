"""The build: seeds and annotations in, a validated, published corpus out.

Orchestration only: stages run in order on in-memory records; nothing is written
until every record has validated, and the new corpus replaces the old one atomically.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from sokhan.checks.annotations import check_annotation, check_pass
from sokhan.checks.incidents import BuildError, Incident, shown_path
from sokhan.checks.jsonfile import load_json
from sokhan.checks.registry import check_registry
from sokhan.checks.rows import check_rows
from sokhan.publication.card import read_card_template, render_card, sections
from sokhan.publication.croissant import croissant
from sokhan.publication.figures import figures
from sokhan.publication.licence import LICENCE_FILE, licence_file
from sokhan.publication.manifest import manifest
from sokhan.publication.parquet import arrow_table, data_path, parquet_bytes
from sokhan.publication.rows import assign_splits, make_rows
from sokhan.publication.swap import exchange, link_kept_files, staging_dir
from sokhan.records import Corpus, Document, Entity
from sokhan.stages.attach import attach
from sokhan.stages.normalise import describe_changes, normalise
from sokhan.stages.seeds import read_seeds
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise

REGISTRY = "entities.json"
#: What the build writes into the corpus folder; everything else there is kept.
GENERATED = {
    "data/", "figures/", "README.md", "build-manifest.json", "croissant.json", LICENCE_FILE,
}


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
    if registry_path.exists():
        registry, found = load_json(registry_path, "registry-json")
        incidents += found
        entities, found = check_registry(registry, shown_path(registry_path))  # None: unusable
        incidents += found
    by_id = {d.doc_id: d for d in docs}
    annotations: dict[str, dict] = {}
    for path in sorted(annotations_dir.glob("*.json")) if annotations_dir.exists() else []:
        if path.name == REGISTRY:
            continue
        ann, found = load_json(path, "annotation-json")
        incidents += found
        if ann is None:
            continue
        doc = by_id.get(path.stem)
        found = check_annotation(
            ann, shown_path(path), doc, sentences.get(path.stem, []), entities, path.stem
        )
        incidents += found
        if doc is not None and not found:
            annotations[path.stem] = ann
    passes = annotations_dir / "passes"
    for path in sorted(passes.glob("*/*.json")) if passes.exists() else []:
        if path.name == REGISTRY:
            continue
        ann, found = load_json(path, "annotation-json")
        incidents += found
        if ann is not None:
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


def generate(corpus: Corpus, annotations_dir: Path, card_template: Path) -> dict[str, bytes]:
    """Every file the build publishes, by path relative to the corpus folder."""
    files: dict[str, bytes] = {}
    sizes: dict[str, dict[str, tuple[int, int]]] = {}
    for config, splits in corpus.rows.items():
        for split, rows in splits.items():
            table = arrow_table(config, rows)
            files[data_path(config, split)] = data = parquet_bytes(table)
            sizes.setdefault(config, {})[split] = (table.nbytes, len(data))
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    # Croissant describes the Parquet only; the card's pictures are listed in the manifest
    data_digests = dict(digests)
    for path, data in figures(corpus.rows).items():
        files[path] = data
        digests[path] = hashlib.sha256(data).hexdigest()
    result = manifest(corpus, annotations_dir, digests)
    files["build-manifest.json"] = (
        json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode()
    values = sections(corpus, result)
    card = render_card(read_card_template(card_template, set(values)), corpus, values, sizes)
    files["README.md"] = card.encode()
    files["croissant.json"] = (
        json.dumps(croissant(data_digests, card), ensure_ascii=False, indent=1) + "\n"
    ).encode()
    files[LICENCE_FILE] = licence_file().encode()
    return files


def build(seeds_dir: Path, annotations_dir: Path, out_dir: Path, card_template: Path) -> dict:
    """Build the corpus into ``out_dir`` (atomically) and return the build manifest.

    Raises:
        BuildError: on any bad input; ``out_dir`` is then left untouched.
    """
    corpus = assemble(seeds_dir, annotations_dir)
    files = generate(corpus, annotations_dir, card_template)
    staging = staging_dir(out_dir)
    try:
        for rel, data in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        link_kept_files(out_dir, staging, GENERATED)
        exchange(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return json.loads(files["build-manifest.json"])
