"""The build: seeds and annotations in, a validated, published corpus out.

Orchestration only: stages run in order on in-memory records; nothing is written
until every record has validated, and the new corpus replaces the old one atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sokhan.checks.annotations import check_annotation, check_pass
from sokhan.checks.incidents import BuildError, Incident, Unreadable, read_bounded, shown_path
from sokhan.checks.jsonfile import MAX_JSON_BYTES, parse_json, require_object
from sokhan.checks.registry import check_registry
from sokhan.checks.rows import check_rows
from sokhan.evaluation.agreement import pass_coverage
from sokhan.publication.card import read_card_template, render_card, sections
from sokhan.publication.croissant import croissant
from sokhan.publication.figures import Chart, charts, draw, drawing_process
from sokhan.publication.licence import LICENCE_FILE, licence_file
from sokhan.publication.manifest import manifest
from sokhan.publication.parquet import arrow_table, data_path, parquet_bytes
from sokhan.publication.rows import assign_splits, make_rows
from sokhan.publication.swap import publish
from sokhan.records import AnnotationFile, Corpus, Document, Registry, Sentence
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

#: Told each stage's name and duration in seconds when it ends (the command line's
#: progress lines).
Progress = Callable[[str, float], None]


@contextmanager
def stage(name: str, progress: Progress | None) -> Iterator[None]:
    """Time one stage and report it to ``progress`` (if any) when it succeeds."""
    started = time.perf_counter()
    yield
    if progress is not None:
        progress(name, time.perf_counter() - started)


def assemble(seeds_dir: Path, annotations_dir: Path, progress: Progress | None = None, *,
             allow_unannotated: bool = False) -> Corpus:
    """Run every stage up to the published rows, validating as it goes.

    Everything the card and the manifest report is read here, once, and kept in
    the returned corpus, so :func:`generate` reads nothing from disk.

    A seed without a gold annotation file is an error (``annotation-missing``)
    unless ``allow_unannotated``; then the article is left out of the published
    corpus altogether (no document row, no sentences, no mentions, quotations or
    entity counts), because its sentences' ``ner_tags`` would read as gold all-``O``
    tags. It is named in the build manifest and the card.

    Raises:
        BuildError: with every incident found, before anything is written.
    """
    with stage("seeds", progress):
        seeds = read_seeds(seeds_dir)
    docs, sentences = [], {}
    with stage("normalise, segment, tokenise", progress):
        for seed in seeds:
            norm = normalise(seed.raw_text)
            doc = Document(seed, norm.text, norm.alignment, norm.repairs)
            docs.append(doc)
            sentences[doc.doc_id] = tokenise(doc, segment(doc), f"seeds/{seed.file}")
    with stage("annotations", progress):
        corpus = _annotations(docs, sentences, annotations_dir, allow_unannotated)
    with stage("attach and rows", progress):
        for doc in corpus.docs:
            corpus.layers[doc.doc_id] = attach(doc, sentences[doc.doc_id],
                                               corpus.gold.get(doc.doc_id))
            corpus.changes.update(describe_changes(doc.raw_text, doc.text, doc.alignment))
            corpus.repairs.update(doc.repairs)
        corpus.rows = make_rows(corpus)
    with stage("row checks", progress):
        check_rows(corpus)
    return corpus


def _annotations(docs: list[Document], sentences: dict[str, list[Sentence]],
                 annotations_dir: Path, allow_unannotated: bool = False) -> Corpus:
    """Read and check the registry, the gold files and the passes, each file once.

    Raises:
        BuildError: with every incident found.
    """
    by_id = {d.doc_id: d for d in docs}

    incidents: list[Incident] = []
    digests: dict[str, str] = {}

    def read(path: Path, kind: str, check: str = "annotation-json") -> dict | None:
        """The JSON object of one file (None on failure, reported); the top level's digests.

        A file holding ``null``, a number, a string or an array is a broken file
        of its kind, not a missing one: it is reported, never skipped.
        """
        data = read_bounded(path, MAX_JSON_BYTES)
        if isinstance(data, Unreadable):
            message = data.message + ("" if data.kind == "missing" else "; expected a JSON file")
            incidents.append(Incident(shown_path(path), "", check, message))
            return None
        if path.parent == annotations_dir:
            digests[path.name] = hashlib.sha256(data).hexdigest()
        value, found = parse_json(data, shown_path(path), check)
        if found:
            incidents.extend(found)
            return None
        obj, found = require_object(value, shown_path(path), check, kind)
        incidents.extend(found)
        return obj

    registry_path = annotations_dir / REGISTRY
    registry: Registry | None = None
    if registry_path.exists() or registry_path.is_symlink():  # a broken link is reported
        # a registry that did not load is unusable: its mentions are not also unknown-entity
        registry, found = check_registry(read(registry_path, "the entity registry",
                                              "registry-json"),
                                         shown_path(registry_path))
        incidents += found
    entities = registry.by_id() if registry is not None else None
    annotations: dict[str, AnnotationFile] = {}
    for path in _json_files(annotations_dir):
        if path.name == REGISTRY:
            continue
        value = read(path, "an annotation file")
        if value is None:
            continue
        target = by_id.get(path.stem)
        ann, found = check_annotation(
            value, shown_path(path), target, sentences.get(path.stem, []), entities, path.stem
        )
        incidents += found
        if ann is not None and target is not None and not found:
            annotations[path.stem] = ann
    passes: dict[str, dict[str, AnnotationFile]] = {}
    pass_registries: dict[str, Registry] = {}
    passes_dir = annotations_dir / "passes"
    folders = sorted(p for p in passes_dir.glob("*") if p.is_dir()) if passes_dir.is_dir() else []
    for path in (path for folder in folders for path in _json_files(folder)):
        name = path.parent.name
        if path.name == REGISTRY:
            # each pass keeps its own registry; the agreement report reads it
            own, found = check_registry(read(path, "the pass's entity registry", "registry-json"),
                                        shown_path(path))
            incidents += found
            if own is not None:
                pass_registries[name] = own
            continue
        value = read(path, "an annotation pass file")
        if value is not None:
            ann, found = check_pass(value, shown_path(path), by_id.get(path.stem), path.stem)
            incidents += found
            if ann is not None:
                passes.setdefault(name, {})[path.stem] = ann
    # a file that is present but broken is reported by its own checks, not as missing
    present = {p.stem for p in annotations_dir.glob("*.json")} if annotations_dir.exists() \
        else set()
    unannotated = [d.doc_id for d in docs if d.doc_id not in present]
    if not allow_unannotated:
        incidents += missing_annotations(unannotated, by_id, annotations_dir)
    if incidents:
        raise BuildError(incidents)
    docs = [d for d in docs if d.doc_id in annotations]
    sentences = {d.doc_id: sentences[d.doc_id] for d in docs}

    corpus = Corpus(docs, sentences, {}, entities or {}, assign_splits(docs))
    corpus.unannotated = [by_id[i].seed.file for i in unannotated]
    corpus.skipped = {SKIPPED_UNANNOTATED: len(unannotated)}
    corpus.pass_coverage = pass_coverage(passes, [d.doc_id for d in docs])
    corpus.annotation_digests = dict(sorted(digests.items()))
    corpus.gold, corpus.registry = annotations, registry
    corpus.passes, corpus.pass_registries = passes, pass_registries
    return corpus


#: The build manifest's name for what ``--allow-unannotated`` leaves out, printed as is.
SKIPPED_UNANNOTATED = (
    "articles without a gold annotation file, left out of every config (documents, "
    "sentences, mentions, quotes, entity counts)"
)


def missing_annotations(doc_ids: list[str], by_id: dict[str, Document],
                        annotations_dir: Path) -> list[Incident]:
    """One ``annotation-missing`` incident per seed that has no gold annotation file."""
    return [Incident(
        shown_path(annotations_dir / f"{doc_id}.json"), "", "annotation-missing",
        f"seed seeds/{by_id[doc_id].seed.file} has no gold annotation file; expected "
        f"{doc_id}.json here (sokhan annotate, review, sokhan accept), or build with "
        "--allow-unannotated to leave the article out of the published corpus",
    ) for doc_id in doc_ids]


def _json_files(folder: Path) -> list[Path]:
    """The ``*.json`` entries of a folder, whatever they are (each is checked when read)."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"))


def generate(corpus: Corpus, card_template: str,
             draw_figures: Callable[[dict[str, Chart]], dict[str, bytes]] = draw,
             ) -> dict[str, bytes]:
    """Every file the build publishes, by path relative to the corpus folder.

    Pure: everything comes from the assembled corpus and the (checked) card template;
    ``draw_figures`` is :func:`~sokhan.publication.figures.draw`, here or elsewhere.
    """
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
    for path, data in draw_figures(charts(corpus.rows)).items():
        files[path] = data
        digests[path] = hashlib.sha256(data).hexdigest()
    result = manifest(corpus, digests)
    files["build-manifest.json"] = (
        json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode()
    values = sections(corpus, result)
    card = render_card(card_template, corpus, values, sizes)
    files["README.md"] = card.encode()
    files["croissant.json"] = (
        json.dumps(croissant(data_digests, card), ensure_ascii=False, indent=1) + "\n"
    ).encode()
    files[LICENCE_FILE] = licence_file().encode()
    return files


def build(seeds_dir: Path, annotations_dir: Path, out_dir: Path, card_template: Path,
          progress: Progress | None = None, *, allow_unannotated: bool = False) -> dict:
    """Build the corpus into ``out_dir`` (atomically) and return the build manifest.

    Raises:
        BuildError: on any bad input; ``out_dir`` is then left untouched.
    """
    refuse_unwritable(out_dir)  # before the work, not only before the write
    with drawing_process() as draw_elsewhere:
        corpus = assemble(seeds_dir, annotations_dir, progress,
                          allow_unannotated=allow_unannotated)
        with stage("Parquet, card, Croissant, manifest", progress):
            files = generate(corpus, read_card_template(card_template), draw_elsewhere)
    with stage("write", progress):
        refuse_read_only(out_dir)
        publish(files, out_dir)
    return json.loads(files["build-manifest.json"])


def refuse_unwritable(out_dir: Path) -> None:
    """Refuse, before any work, a corpus folder that is a file or read-only."""
    real = Path(os.path.realpath(out_dir))
    if real.exists() and not real.is_dir():
        raise BuildError([Incident(shown_path(out_dir), "", "corpus-write",
                                   "exists and is not a folder; expected the corpus folder "
                                   "(or nothing there): remove it or name another --out")])
    refuse_read_only(out_dir)


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
