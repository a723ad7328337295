"""``sokhan validate --draft`` and ``sokhan accept``: from a reviewed draft to a gold file.

A draft (``sokhan annotate``'s output, TEAM contract: the annotation schema plus a
``draft`` block) may have its spans as raw offsets or as anchors
(:mod:`sokhan.authoring.anchors`). :func:`review` resolves the anchors and runs
every check the build runs on a gold file and its registry, so ``accept`` never
writes a file the build would refuse. The pieces are pure; :func:`accept` is the
I/O edge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sokhan.annotate.run import write_atomically
from sokhan.authoring.anchors import to_offsets
from sokhan.checks.annotations import check_annotation
from sokhan.checks.incidents import BuildError, Incident, clip, shown_path
from sokhan.checks.jsonfile import load_json
from sokhan.checks.registry import check_registry
from sokhan.checks.schemas import schema_incidents
from sokhan.records import Document
from sokhan.stages.normalise import normalise
from sokhan.stages.seeds import read_seeds
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise

REGISTRY = "entities.json"


@dataclass(frozen=True)
class Review:
    """What a draft would become, and every problem found on the way.

    Attributes:
        doc_id: the article's doc id.
        status: the draft block's status (``draft`` or ``reviewed``).
        gold: the gold file (offsets only, no draft block).
        registry: the registry with the accepted proposed entities added.
        added: ids of the proposed entities that were accepted.
        incidents: every problem; empty when the draft can be accepted.
    """

    doc_id: str
    status: str
    gold: dict
    registry: dict
    added: tuple[str, ...]
    incidents: tuple[Incident, ...]


def used_entities(ann: dict) -> set[str]:
    """Every entity id a file's mentions and quotations point at."""
    used = {m.get("entity") for m in ann.get("mentions", [])}
    for q in ann.get("quotes", []):
        used |= {q.get("speaker_entity"), q.get("addressee_entity")}
    return {u for u in used if isinstance(u, str)}


def merge_registry(registry: dict, proposed: list[dict], used: set[str],
                   shown: str) -> tuple[dict, tuple[str, ...], list[Incident]]:
    """The registry with the used proposed entities (and members of used groups) added.

    A proposed entry the reviewer no longer points at is dropped. One whose id is
    already in the registry with different contents is an ``entity-clash``; an
    identical one is already there and changes nothing.
    """
    known = {e["id"]: e for e in registry["entities"]}
    by_id = {p["id"]: p for p in proposed}
    wanted = set(used)
    for p in proposed:  # members of an accepted group come with it
        if p["id"] in wanted and p.get("is_group"):
            wanted |= set(p.get("members", []))
    incidents, added = [], []
    for k, p in enumerate(proposed):
        if p["id"] not in wanted:
            continue
        if p["id"] in known:
            if known[p["id"]] != p:
                incidents.append(Incident(
                    shown, f"/draft/proposed_entities/{k}/id", "entity-clash",
                    f"{clip(p['id'])} is already in the registry as "
                    f"{clip(known[p['id']]['name_fa'])} ({known[p['id']]['type']}); expected a "
                    "new id, or the registry's id in the mentions and no proposed entry"))
            continue
        added.append(p["id"])
    merged = [*registry["entities"], *(by_id[i] for i in added)]
    return ({**registry, "entities": sorted(merged, key=lambda e: e["id"])},
            tuple(sorted(added)), incidents)


def review(draft_path: Path, seeds_dir: Path, annotations_dir: Path) -> Review:
    """Resolve a draft's anchors and check what accepting it would write.

    Raises:
        BuildError: when the draft, the registry or the seeds cannot be read at all.
    """
    shown = shown_path(draft_path)
    ann, incidents = load_json(draft_path, "annotation-json")
    if incidents:
        raise BuildError(incidents)
    if not isinstance(ann, dict) or not isinstance(ann.get("draft"), dict):
        raise BuildError([Incident(shown, "/draft", "draft-unreviewed",
                                   "no draft block; expected a draft written by sokhan "
                                   "annotate (a gold file needs no accepting)")])
    seeds = {s.doc_id: s for s in read_seeds(seeds_dir)}
    doc_id = ann.get("doc_id")
    seed = seeds.get(doc_id) if isinstance(doc_id, str) else None
    if seed is None or not isinstance(doc_id, str):
        raise BuildError([Incident(shown, "/doc_id", "annotation-orphan",
                                   f"no seed article {clip(str(doc_id))}; expected one of the "
                                   "manifest's doc ids (run sokhan add first)")])
    ann, incidents = to_offsets(ann, seed.raw_text, shown)
    if incidents:
        raise BuildError(incidents)
    incidents = schema_incidents(ann, "annotation", shown, "annotation-schema")
    if incidents:
        raise BuildError(incidents)
    reg_path = annotations_dir / REGISTRY
    registry, found = load_json(reg_path, "registry-json")
    if found or not isinstance(registry, dict) or not isinstance(registry.get("entities"), list):
        raise BuildError(found or [Incident(shown_path(reg_path), "", "registry-schema",
                                            "expected an object with an entities list")])
    gold = {k: v for k, v in ann.items() if k != "draft"}
    merged, added, incidents = merge_registry(
        registry, ann["draft"]["proposed_entities"], used_entities(gold), shown)
    parsed, found = check_registry(merged, shown_path(reg_path))
    incidents += found
    entities = parsed.by_id() if parsed is not None else None
    norm = normalise(seed.raw_text)
    doc = Document(seed, norm.text, norm.alignment, norm.repairs)
    sentences = tokenise(doc, segment(doc), f"seeds/{seed.file}")
    _, found = check_annotation(gold, shown, doc, sentences, entities, doc_id)
    incidents += found
    return Review(doc_id, ann["draft"]["status"], gold, merged, added, tuple(incidents))


def accept(draft_path: Path, seeds_dir: Path, annotations_dir: Path, *,
           annotator: str | None = None, overwrite: bool = False) -> Review:
    """Write the gold file of a reviewed draft and add its accepted entities to the registry.

    Raises:
        BuildError: the draft is not reviewed (``draft-unreviewed``), has any problem
            the build would report, or its gold file exists and ``overwrite`` is not
            set (``gold-exists``); nothing is written then.
    """
    result = review(draft_path, seeds_dir, annotations_dir)
    shown = shown_path(draft_path)
    incidents = list(result.incidents)
    if result.status != "reviewed":
        incidents.append(Incident(shown, "/draft/status", "draft-unreviewed",
                                  f"status {result.status!r}; expected 'reviewed' once a person "
                                  "has checked every mention and quotation"))
    target = annotations_dir / f"{result.doc_id}.json"
    if (target.exists() or target.is_symlink()) and not overwrite:
        incidents.append(Incident(shown_path(target), "", "gold-exists",
                                  "a gold file for this article exists; expected none "
                                  "(pass --overwrite to replace it)"))
    if incidents:
        raise BuildError(incidents)
    gold = dict(result.gold)
    if annotator:
        gold["annotator"] = annotator
    # The registry first, each file whole (write_atomically): a run killed between the two
    # leaves the registry with entities no file uses yet, which the build accepts and the
    # next accept of the same draft finds already there; never a gold file whose entities
    # are missing, which the build would refuse.
    if result.added:
        write_atomically(annotations_dir / REGISTRY,
                         json.dumps(result.registry, ensure_ascii=False, indent=1) + "\n")
    write_atomically(target, json.dumps(gold, ensure_ascii=False, indent=1) + "\n")
    return result
