"""The per-record function: one input record in, its published rows or its problems out.

Pure and deterministic: the same record gives the same result in any process,
so the local and the Dask engines produce the same bytes. The checks are the
seed stage's (:func:`sokhan.stages.seeds.check_seed_bytes`: encoding, byte-order mark,
CR, control and invisible characters, NFC, sizes) plus the record's own: its id,
its text field and its metadata.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sokhan.checks.incidents import BuildError
from sokhan.checks.rows import offset_problems
from sokhan.checks.unicode import hazards
from sokhan.process.inputs import InputRecord
from sokhan.publication.columns import SPLITS
from sokhan.publication.rows import document_row, sentence_rows
from sokhan.records import Document, SeedFile
from sokhan.stages.attach import attach
from sokhan.stages.normalise import describe_changes, normalise
from sokhan.stages.seeds import MAX_SEED_BYTES, check_seed_bytes
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise

if TYPE_CHECKING:  # the pre-annotator is imported only when drafts are asked for
    from sokhan.process.drafts import Drafter

#: An id becomes part of every sentence id (``<id>-s<n>``) and of file-safe
#: names downstream: letters of any script, digits, ``_ . : -``.
ID_PATTERN = re.compile(r"[\w.:-]{1,200}")
#: Metadata fields the ``documents`` config publishes: name → list of strings or not.
METADATA = {
    "headline": False,
    "outlet": False,
    "source_credit": False,
    "event_id": False,
    "event": False,
    "event_date": False,
    "participants_iran": True,
    "participants_russia": True,
}


@dataclass(frozen=True)
class Problem:
    """Why one record was not published."""

    index: int
    where: str
    id: str | None
    check: str
    message: str
    location: str = ""

    def as_json(self) -> dict:
        """The report file's line for this problem."""
        return {"index": self.index, "where": self.where, "id": self.id, "check": self.check,
                "location": self.location, "message": self.message}


@dataclass(frozen=True)
class Outcome:
    """What one record produced: its published rows, or its problems."""

    index: int
    id: str | None
    split: str = "train"
    document: dict | None = None
    sentences: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    tokens: int = 0
    repairs: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    ignored_fields: tuple[str, ...] = ()
    draft: dict | None = None  # the drafts row (``--drafts``): machine-made, never gold


def process_batch(records: list[InputRecord], drafter: Drafter | None = None) -> list[Outcome]:
    """:func:`process_record` over consecutive records (what a worker computes)."""
    return [process_record(r, drafter) for r in records]


def process_record(rec: InputRecord, drafter: Drafter | None = None) -> Outcome:
    """Check one record and, if it passes, run it through the text pipeline.

    With a ``drafter``, the pre-annotator's draft of the article is added too; a
    record is then published only with its draft, so the three configs agree.
    """
    shown_id: str | None = rec.id if isinstance(rec.id, str) else None

    def refused(check: str, message: str, location: str = "") -> Outcome:
        return Outcome(rec.index, shown_id,
                       problems=[Problem(rec.index, rec.where, shown_id, check, message,
                                         location)])

    if rec.problem:
        return refused(*rec.problem)
    if rec.id is None:
        return refused("record-id", "no id; expected a non-empty string")
    if not isinstance(rec.id, str):
        return refused("record-id", f"id is a {type(rec.id).__name__}; expected a string")
    if not ID_PATTERN.fullmatch(rec.id) or any(hazards(rec.id)):
        return refused("record-id", f"id {rec.id[:80]!r} is empty, longer than 200 characters "
                                    "or holds other than letters, digits and _ . : -")
    if drafter is not None:
        from sokhan.process.drafts import DOC_ID

        if not DOC_ID.fullmatch(rec.id):
            return refused("record-id", f"id {rec.id[:80]!r}: with --drafts an id is also the "
                                        "draft's doc id; expected ASCII letters, digits, _ and "
                                        "- (at most 100, starting with a letter or digit)")
    if rec.text is None:
        return refused("record-text", "no text; expected the article as a string")
    if isinstance(rec.text, str):
        data = rec.text.encode("utf-8", "surrogatepass")  # a lone surrogate fails below
    elif isinstance(rec.text, bytes):
        data = rec.text
    else:
        return refused("record-text", f"text is a {type(rec.text).__name__}; expected a string")
    if len(data) > MAX_SEED_BYTES:
        return refused("seed-too-large", f"more than {MAX_SEED_BYTES} bytes; at most "
                                         f"{MAX_SEED_BYTES} bytes per article")
    found = list(check_seed_bytes(rec.where, data))
    if found:
        return Outcome(rec.index, shown_id, problems=[
            Problem(rec.index, rec.where, shown_id, i.check, i.message, i.where) for i in found])
    meta, split, problem = _metadata(rec.meta)
    if problem:
        return refused("record-metadata", problem)
    raw = data.decode("utf-8")
    seed = SeedFile(rec.id, rec.where, raw, hashlib.sha256(data).hexdigest(), len(data), meta)
    try:
        outcome = _pipeline(rec, seed, split)
        if drafter is None or outcome.problems:
            return outcome
        row, problems = drafter.row(seed.raw_text, seed.doc_id, rec.where)
        if row is None:
            return Outcome(rec.index, shown_id, problems=[
                Problem(rec.index, rec.where, shown_id, check, message)
                for check, message in problems])
        return dataclasses.replace(outcome, draft=row)
    except BuildError as err:
        first = err.incidents[0]
        return refused(first.check, first.message, first.where)
    except Exception as err:  # a bug met on one record must not end a long run
        return refused("record-failed", f"{type(err).__name__}: {err}"[:300])


def _metadata(fields: dict) -> tuple[dict, str, str | None]:
    """The record's published metadata, its split, and what is wrong with them."""
    meta: dict = {}
    for name, is_list in METADATA.items():
        value = fields.get(name)
        ok = (value is None or isinstance(value, str)) if not is_list else (
            value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)))
        if not ok:
            kind = "a list of strings" if is_list else "a string or null"
            return {}, "train", f"{name} is {type(value).__name__}; expected {kind}"
        meta[name] = ([] if value is None else list(value)) if is_list else value
    split = fields.get("split", "train")
    if split not in SPLITS:
        return {}, "train", f"split {split!r}; expected one of {', '.join(SPLITS)}"
    return meta, split, None


def _pipeline(rec: InputRecord, seed: SeedFile, split: str) -> Outcome:
    doc_id = seed.doc_id  # rec.id, checked to be a string
    norm = normalise(seed.raw_text)
    doc = Document(seed, norm.text, norm.alignment, norm.repairs)
    sentences = tokenise(doc, segment(doc), rec.where)
    layers = attach(doc, sentences, None)
    sents = sentence_rows(doc, split, sentences, layers)
    document = document_row(doc, split, sentences, layers)
    # Provenance names the input record, not a seed file.
    document["source_file"] = rec.where
    for row in sents:
        row["provenance"] = f"{rec.where}:{row['paragraph']}"
    problems = [
        Problem(rec.index, rec.where, doc_id, "record-offsets", message, f"/{k}{pointer}")
        for config, rows in (("documents", [document]), ("sentences", sents))
        for k, row in enumerate(rows)
        # the tokens: cut at their offsets by the tokenise stage, which checked them
        for pointer, message in offset_problems(config, row, doc, tokens=False)
    ]
    if problems:
        return Outcome(rec.index, doc_id, problems=problems)
    ignored = tuple(sorted(k for k in rec.meta if k not in METADATA and k != "split"))
    return Outcome(
        rec.index, doc_id, split,
        document=document,
        sentences=sents,
        tokens=sum(len(s.tokens) for s in sentences),
        repairs=dict(norm.repairs),
        changes=dict(describe_changes(doc.raw_text, doc.text, doc.alignment)),
        ignored_fields=ignored,
    )

