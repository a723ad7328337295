"""Structured incidents: every problem the build or the validator reports.

An incident names the file, a location inside it (a JSON pointer or ``line N``),
a stable check id from :data:`CHECKS`, and a message saying what was found and
what was expected, in the style of Universal Dependencies' ``validate.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Stable check ids and what each one checks. Ids never change meaning; a retired
#: check keeps its id reserved. The README's table is generated from this mapping.
CHECKS: dict[str, str] = {
    # seeds
    "seed-missing": "a manifest entry names a seed file that does not exist",
    "seed-unlisted": "a seed file in seeds/ has no manifest entry",
    "seed-checksum": "a seed's bytes do not match the sha256 and size in the manifest",
    "seed-encoding": "a seed is not valid UTF-8",
    "seed-bom": "a seed starts with a UTF-8 byte-order mark",
    "seed-crlf": "a seed has CR or CRLF line ends",
    "seed-nul": "a seed contains NUL or other C0 control characters",
    "seed-empty": "a seed is empty or holds only white space",
    "seed-symlink": "a seed is a symbolic link leading outside the seeds folder",
    "seed-unicode": "a seed contains a hazardous code point (bidi control, zero-width space)",
    "seed-too-large": "a seed or one of its lines is larger than the build accepts",
    "manifest-json": "the seed manifest is not valid JSON",
    "manifest-schema": "the seed manifest does not match schema/seed-manifest.schema.json",
    "manifest-duplicate": "two manifest entries share a doc_id or file",
    # annotation files
    "annotation-json": "an annotation file is not valid JSON",
    "annotation-schema": "an annotation file does not match its JSON Schema",
    "annotation-orphan": "an annotation file names an article that does not exist",
    "annotation-doc-id": "an annotation file's doc_id differs from its file name",
    "span-range": "a span lies outside the article's raw text",
    "span-text": "a span's copied text differs from the raw text at its offsets",
    "span-token": "a span starts or ends inside a token of the normalised text",
    "span-empty": "a span covers no token of the normalised text",
    "span-sentence": "an entity span crosses a sentence boundary",
    "mention-overlap": "two entity mentions overlap",
    "mention-entity-missing": "a named mention has no entity id",
    "mention-entity-numeric": "a numeric mention (DATE … CARDINAL) carries an entity id",
    "mention-entity-type": "a mention's type differs from its entity's type",
    "duplicate-id": "two records in one file share an id",
    "unknown-entity": "an entity id does not resolve in the registry",
    "group-as-mention": "a group entity is used as a mention's entity",
    "speaker-unresolved": "a quotation's speaker does not resolve to an entity",
    "speaker-type": "a quotation's speaker is not a person, organisation, nation or group",
    "speaker-kind": "the speaker span and speaker_kind disagree",
    "quote-parent-missing": "a nested quotation names a parent that does not exist",
    "quote-parent-cycle": "nested quotations form a cycle",
    "content-order": "a quotation's content spans overlap or are out of order",
    "registry-json": "the entity registry is not valid JSON",
    "registry-schema": "the entity registry does not match its JSON Schema",
    "registry-member": "a group entity lists a member that is not in the registry",
    # built corpus
    "record-schema": "a built record does not match its published JSON Schema",
    "record-offsets": "a record's stored text differs from the document text at its offsets",
    "segmentation-fixture": "the sentences differ from the hand-checked fixture",
    "tokenisation": "a token is not an exact substring of its sentence",
    "corpus-stale": "the committed corpus differs from a fresh build",
}


@dataclass(frozen=True, order=True)
class Incident:
    """One problem found in one file.

    Attributes:
        path: the file, relative to the repository when possible.
        where: a JSON pointer (``/quotes/4/speaker``) or ``line N`` or ``""``.
        check: a stable check id, a key of :data:`CHECKS`.
        message: what was found and what was expected.
    """

    path: str
    where: str
    check: str
    message: str

    def __post_init__(self) -> None:
        if self.check not in CHECKS:
            raise ValueError(f"unknown check id {self.check!r}")

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.path}:{where} [{self.check}] {self.message}"


class BuildError(Exception):
    """Raised when a stage finds problems; carries every incident found."""

    def __init__(self, incidents: list[Incident]):
        self.incidents = sorted(incidents)
        super().__init__("\n".join(str(i) for i in self.incidents))
