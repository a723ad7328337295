"""The build: seeds and annotations in, a validated, published corpus out.

Stages run in order on in-memory records; nothing is written until every
record has validated, and the new corpus replaces the old one atomically.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from sokhan import __version__
from sokhan.attach import Attached, attach
from sokhan.card import render_card, sections
from sokhan.croissant import croissant
from sokhan.features import CONFIGS
from sokhan.figures import figures
from sokhan.incidents import BuildError, Incident
from sokhan.normalise import HAZM_OPTIONS, describe_changes, normalise
from sokhan.publish import (
    PARQUET_OPTIONS,
    assign_splits,
    config_splits,
    data_path,
    document_row,
    entity_rows,
    mention_rows,
    parquet_bytes,
    quote_rows,
    sentence_rows,
)
from sokhan.records import Document, Entity, Sentence
from sokhan.seeds import read_seeds
from sokhan.segment import segment
from sokhan.swap import exchange, link_kept_files, staging_dir
from sokhan.tokenise import TOKENIZER_OPTIONS, tokenise
from sokhan.validate import (
    SCHEMA_VERSION,
    check_annotation,
    check_pass,
    check_registry,
    load_json,
    read_card_template,
    schema_incidents,
    shown_path,
)

REGISTRY = "entities.json"
#: What the build writes into the corpus folder; everything else there is kept.
GENERATED = {"data/", "figures/", "README.md", "build-manifest.json", "croissant.json"}
#: Libraries whose version can change the built corpus.
PINNED = ("hazm", "numpy", "pyarrow", "datasets", "jsonschema", "wordfreq", "matplotlib")


@dataclass
class Corpus:
    """Everything a build produces, in memory."""

    docs: list[Document]
    sentences: dict[str, list[Sentence]]
    layers: dict[str, Attached]
    entities: dict[str, Entity]
    splits: dict[str, str]
    rows: dict[str, dict[str, list[dict]]] = field(default_factory=dict)
    changes: Counter = field(default_factory=Counter)
    repairs: Counter = field(default_factory=Counter)
    skipped: dict[str, int] = field(default_factory=dict)
    annotations_dir: Path = Path("corpus/annotations")


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


def make_rows(corpus: Corpus) -> dict[str, dict[str, list[dict]]]:
    """Published rows per config and split."""
    rows: dict[str, dict[str, list[dict]]] = {c: {s: [] for s in config_splits(c)} for c in CONFIGS}
    for doc in corpus.docs:
        split, sents, layers = (
            corpus.splits[doc.doc_id],
            corpus.sentences[doc.doc_id],
            corpus.layers[doc.doc_id],
        )
        rows["sentences"][split] += sentence_rows(doc, sents, layers)
        rows["documents"][split].append(document_row(doc, split, sents, layers))
        rows["mentions"][split] += mention_rows(doc, layers)
        rows["quotes"][split] += quote_rows(doc, layers)
    every_mention = [m for split_rows in rows["mentions"].values() for m in split_rows]
    every_quote = [q for split_rows in rows["quotes"].values() for q in split_rows]
    rows["entities"]["train"] = entity_rows(corpus.entities, every_mention, every_quote)
    return rows


_SCHEMA_OF = {
    "sentences": "sentence",
    "documents": "document",
    "mentions": "mention",
    "quotes": "quote",
    "entities": "entity",
}


def check_rows(corpus: Corpus) -> None:
    """Validate every row against its schema and every stored text against its offsets.

    Raises:
        BuildError: listing every row that fails.
    """
    incidents: list[Incident] = []
    docs = {d.doc_id: d for d in corpus.docs}
    for config, splits in corpus.rows.items():
        for split, rows in splits.items():
            shown = f"data/{config}/{split}"
            for k, row in enumerate(rows):
                incidents += schema_incidents(
                    row, _SCHEMA_OF[config], shown, "record-schema", prefix=f"/{k}"
                )
                doc = docs.get(row.get("doc_id"))
                if doc is not None:
                    incidents += [
                        Incident(shown, f"/{k}{w}", "record-offsets", m)
                        for w, m in offset_problems(config, row, doc)
                    ]
    if incidents:
        raise BuildError(incidents)


def offset_problems(config: str, row: dict, doc: Document):
    """Yield ``(pointer, message)`` for every stored text its offsets do not give back."""

    def spans():
        if config in ("sentences", "mentions"):
            yield "", row
        if config == "quotes":
            yield "/cue", row["cue"]
            for j, c in enumerate(row["content"]):
                yield f"/content/{j}", c
            if row["speaker"]:
                yield "/speaker", row["speaker"]

    for where, span in spans():
        if doc.text[span["start"] : span["end"]] != span["text"]:
            yield where, f"text[{span['start']}:{span['end']}] is not {span['text']!r}"
        if doc.raw_text[span["raw_start"] : span["raw_end"]] != span["raw_text"]:
            yield where, f"raw[{span['raw_start']}:{span['raw_end']}] is not {span['raw_text']!r}"
    if config == "sentences":
        for i, tok in enumerate(row["tokens"]):
            if row["text"][row["token_starts"][i] : row["token_ends"][i]] != tok:
                yield f"/tokens/{i}", f"token {tok!r} is not at its offsets"
            raw = row["raw_text"][row["raw_token_starts"][i] : row["raw_token_ends"][i]]
            if raw != row["raw_tokens"][i]:
                yield (
                    f"/raw_tokens/{i}",
                    f"raw token {row['raw_tokens'][i]!r} is not at its offsets",
                )


def manifest(corpus: Corpus, annotations_dir: Path, files: dict[str, str]) -> dict:
    """The build manifest: versions, inputs, options, counts, outputs."""
    return {
        "sokhan_version": __version__,
        "schema_version": SCHEMA_VERSION,
        # major.minor only: a patch release of Python does not change the corpus, and the
        # manifest must not differ between two machines that build identical files
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "libraries": {name: version(name) for name in PINNED},
        "normaliser": {
            "hazm_options": HAZM_OPTIONS,
            "per_line": True,
            "zwnj_repair": "sokhan.zwnj",
        },
        "tokenizer": {"hazm_word_tokenizer_options": TOKENIZER_OPTIONS, "split_dashes": True},
        "parquet": PARQUET_OPTIONS,
        "seeds": [
            {"file": f"seeds/{d.seed.file}", "sha256": d.seed.sha256, "size": d.seed.size}
            for d in corpus.docs
        ],
        "annotations": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(annotations_dir.glob("*.json"))
        }
        if annotations_dir.exists()
        else {},
        "splits": corpus.splits,
        "counts": {c: {s: len(r) for s, r in splits.items()} for c, splits in corpus.rows.items()},
        "tokens": sum(len(s.tokens) for ss in corpus.sentences.values() for s in ss),
        "normalisation_changes": dict(sorted(corpus.changes.items())),
        "zwnj_repairs": dict(sorted(corpus.repairs.items())),
        "skipped": corpus.skipped,
        "files": files,
    }


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
