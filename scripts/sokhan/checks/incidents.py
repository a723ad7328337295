"""Structured incidents: every problem the build or the validator reports.

An incident names the file, a location inside it (a JSON pointer or ``line N``),
a stable check id from :data:`CHECKS`, and a message saying what was found and
what was expected, in the style of Universal Dependencies' ``validate.py``.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

#: Messages quote at most this many characters of a found value.
CLIP = 80

#: Stable check ids and what each one checks. Ids never change meaning; a retired
#: check keeps its id reserved in :data:`RETIRED`. ``docs/checks.md`` lists them all
#: (``sokhan checks --markdown`` prints the table; a test keeps the two in step).
CHECKS: dict[str, str] = {
    # seeds
    "seed-missing": "a manifest entry names a seed file that does not exist",
    "seed-unreadable": "a seed exists but is not a regular file or cannot be read",
    "seed-unlisted": "a seed file in seeds/ has no manifest entry",
    "seed-checksum": "a seed's bytes do not match the sha256 and size in the manifest",
    "seed-encoding": "a seed is not valid UTF-8",
    "seed-bom": "a seed starts with a UTF-8 byte-order mark",
    "seed-crlf": "a seed has CR or CRLF line ends",
    "seed-nul": "a seed contains NUL or another control character (C0, DEL, C1) other than "
                "tab and LF",
    "seed-empty": "a seed is empty or holds only white space",
    "seed-symlink": "a seed is a symbolic link leading outside the seeds folder, or a broken one",
    "seed-unicode": "a seed contains an invisible or hazardous code point (bidi control, "
                    "zero-width space or joiner, other format character, line separator, "
                    "private use, noncharacter, U+FFFD)",
    "seed-nfc": "a seed is not in Unicode normalisation form NFC (decomposed letters)",
    "seed-too-large": "a seed, one of its lines, or its number of lines exceeds the build's limits",
    "manifest-json": "the seed manifest is missing, unreadable or not strict JSON",
    "manifest-schema": "the seed manifest does not match schema/seed-manifest.schema.json",
    "manifest-duplicate": "two manifest entries share a doc_id or file",
    # every JSON input: the manifest, annotation files, the registry
    "json-unicode": "a string in the manifest, an annotation file or the registry holds a "
                    "control or invisible code point, a lone surrogate, or is not NFC",
    # annotation files
    "annotation-json": "an annotation file cannot be read or is not strict JSON (syntax, "
                       "encoding, NaN, a repeated key, too deep, too large)",
    "annotation-schema": "an annotation file does not match its JSON Schema",
    "annotation-orphan": "an annotation file names an article that does not exist",
    "annotation-doc-id": "an annotation file's doc_id differs from its file name",
    "annotation-draft": "a file in the gold annotations folder is a machine draft (it has a "
                        "draft block); gold files come from `sokhan accept`",
    "annotation-missing": "a seed has no gold annotation file (build with --allow-unannotated "
                          "to leave such articles out of the published corpus)",
    "span-range": "a span lies outside the article's raw text",
    "span-grapheme": "a span starts or ends between a letter and its combining mark "
                     "(a diacritic, «ٔ», shadda): inside a grapheme",
    "span-text": "a span's copied text differs from the raw text at its offsets",
    "span-token": "a span starts or ends inside a token of the normalised text",
    "span-empty": "a span covers only characters that normalisation deletes",
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
    "registry-json": "the entity registry is missing, unreadable or not strict JSON",
    "registry-schema": "the entity registry does not match its JSON Schema",
    "registry-member": "a group entity lists a member that is not in the registry",
    # the build and the corpus folder
    "record-schema": "a built record does not match its published JSON Schema",
    "record-offsets": "a record's stored text differs from the document text at its offsets",
    "tokenisation": "a token is not an exact substring of its sentence",
    "card-template": "the dataset card template is missing, not UTF-8, or has an unknown "
                     "placeholder",
    "corpus-stale": "a file of the corpus folder differs from a fresh build, is missing, or "
                    "is a data file the build does not write",
    "corpus-write": "the corpus folder cannot be written (not a folder, no permission, disk "
                    "full); the old corpus is kept",
    "corpus-keep": "an entry of the corpus folder that the build does not write cannot be kept "
                   "exactly (a folder it cannot read, a file it cannot hard-link); refused "
                   "before anything changes",
    "corpus-conflict": "an entry of the user's (a folder, link or special file) stands where "
                       "the build writes a file or a folder; refused before anything changes",
    # authoring: sokhan add, accept, anchors, release
    "seed-duplicate": "`sokhan add` was given an article whose bytes (or file name) are "
                      "already a seed",
    "anchor-unresolved": "a draft's {line, text, occurrence} anchor does not match the article",
    "draft-unreviewed": "`sokhan accept` was given a draft whose status is not 'reviewed', or "
                        "a file with no draft block",
    "entity-clash": "a draft proposes a registry entity whose id the registry already has "
                    "with other contents",
    "gold-exists": "`sokhan accept` (or `draft-sentences --into`) would overwrite an existing "
                   "gold file or fixture entry without --overwrite",
    "release-version": "`sokhan release` was given a version that is not X.Y.Z or not higher, "
                       "a bad date, or a version file with an unexpected layout",
    "output-unsafe": "an output folder is empty, the filesystem root or the home folder, is, "
                     "contains or lies inside an input, is a project root, contains the "
                     "working folder, or (browse, process) is a non-empty folder the command "
                     "did not write; refused before anything is touched",
    # sokhan import: a brat or XMI export read back
    "import-syntax": "a brat .ann file has a line that is not brat standoff, a repeated id or a "
                     "discontinuous span",
    "import-xml": "an XMI file or its type system is not well-formed XML or not a UIMA CAS "
                  "that loads with the type system",
    "import-type": "an imported annotation has an unknown type, label, attribute, relation or "
                   "reference database",
    "import-offsets": "an imported span lies outside the text, is empty, or its brat text "
                      "differs from the .txt at its offsets",
    "import-relation": "an imported relation, attribute, reference or note points at a missing "
                       "span or one of the wrong kind, or a speaker or content span belongs "
                       "to no cue",
    "import-text": "the imported document's text differs from the corpus article (raw for "
                   "brat, normalised for XMI)",
    "import-document": "the imported file names no article of the corpus, or its export "
                       "metadata (document id, annotator) is missing",
    # sokhan process: its input as a whole, then each record (counted, reported, skipped)
    "input-unreadable": "the input of sokhan process is missing, of no known kind, or lacks "
                        "an id or text column",
    "record-json": "a JSONL line is not one strict JSON object (a syntax error, NaN or "
                   "Infinity, a repeated key, nesting deeper than 64 levels)",
    "record-id": "a record's id is missing, not a string, empty, too long or holds other "
                 "than letters, digits and _ . : -",
    "record-duplicate": "a record's id repeats an earlier record's (the first is kept)",
    "record-text": "a record has no text, or its text is not a string",
    "record-metadata": "a record's published metadata field or split has the wrong type or "
                       "value",
    "record-failed": "the pipeline raised an unexpected error on a record (reported; the run "
                     "goes on)",
    "record-worker-died": "the worker process running a record died (killed, out of memory, "
                          "crashed) with its batch and again with the record alone (reported; "
                          "the run goes on)",
    "workers-lost": "the workers of sokhan process died again and again with nothing processed "
                    "between the deaths; the run stopped and wrote nothing",
}

#: What a user does about each check (the third column of ``docs/checks.md``).
ACTIONS: dict[str, str] = {
    "seed-missing": "add the seed file, or remove its manifest entry",
    "seed-unreadable": "put the article's text there as a regular, readable file",
    "seed-unlisted": "add a manifest entry with its sha256 and size, or remove the file",
    "seed-checksum": "restore the seed from its source, or update sha256 and size in the manifest",
    "seed-encoding": "re-save the source as UTF-8 and update the manifest",
    "seed-bom": "remove the byte-order mark at the source and update the manifest",
    "seed-crlf": "convert the line ends to LF at the source and update the manifest",
    "seed-nul": "remove the control character at the source and update the manifest",
    "seed-empty": "put the article's text in the file, or remove the seed",
    "seed-symlink": "replace the link with the file, or point it at a file in seeds/",
    "seed-unicode": "remove the character at the source (the message names it) and update the "
                    "manifest",
    "seed-nfc": "write the composed form the message gives, at the source, and update the "
                "manifest",
    "seed-too-large": "split the article, or shorten the line the message names",
    "manifest-json": "fix the JSON at the line and column given; the file must be one object",
    "manifest-schema": "fix the entry at the JSON pointer as the message says",
    "manifest-duplicate": "give each seed one entry",
    "json-unicode": "remove the character or write the string in NFC, at the JSON pointer",
    "annotation-json": "fix the JSON at the place given; the file must be one object of at "
                       "most 16 MiB and 64 levels",
    "annotation-schema": "fix the value at the JSON pointer as the message says",
    "annotation-orphan": "rename the file after an existing doc id, or add the seed",
    "annotation-doc-id": "make doc_id equal the file name",
    "annotation-draft": "review the draft and run `sokhan accept`; keep drafts out of the gold "
                        "folder",
    "annotation-missing": "annotate the article (sokhan annotate, review, sokhan accept), or "
                          "build with --allow-unannotated to leave it out",
    "span-range": "correct the offsets: they count characters of the raw seed from 0",
    "span-grapheme": "move the boundary past the combining mark, so the span keeps each letter "
                     "with its marks",
    "span-text": "copy the text at the offsets exactly, or correct the offsets",
    "span-token": "extend or shrink the span to whole tokens",
    "span-empty": "remove the span or put it on a word",
    "span-sentence": "split the mention, or check the sentence break",
    "mention-overlap": "remove one of the two mentions or make them disjoint",
    "mention-entity-missing": "link the mention to a registry id",
    "mention-entity-numeric": "set the entity of the numeric mention to null",
    "mention-entity-type": "correct the mention's type or its entity",
    "duplicate-id": "give each record its own id",
    "unknown-entity": "add the entity to the registry, or correct the id",
    "group-as-mention": "link the mention to one member, not the group",
    "speaker-unresolved": "give the quotation the entity the pronoun refers to",
    "speaker-type": "choose a person, organisation, nation or group as the speaker",
    "speaker-kind": "set speaker_kind to none exactly when there is no speaker span",
    "quote-parent-missing": "correct the parent id, or set it to null",
    "quote-parent-cycle": "break the cycle: a quotation cannot contain its own ancestor",
    "content-order": "order the content spans and make them disjoint",
    "registry-json": "fix the registry's JSON at the place given (or --annotations, if the "
                     "folder is wrong); it must be one object",
    "registry-schema": "fix the entity at the JSON pointer as the message says",
    "registry-member": "add the member to the registry, or remove it from the group",
    "record-schema": "a bug in Sokhan: report it",
    "record-offsets": "a bug in Sokhan: report it",
    "tokenisation": "a bug in Sokhan (or a changed hazm): report it",
    "card-template": "fix the placeholder, or give a readable UTF-8 template of at most 1 MiB",
    "corpus-stale": "run `sokhan build` (and remove data files it does not write)",
    "corpus-keep": "make the entry readable and linkable (permissions, chattr -i, the same file "
                   "system), or move it out of the corpus folder",
    "corpus-conflict": "move the entry out of the corpus folder: the build writes there",
    "corpus-write": "make the corpus folder writable, free disk space, or choose another --out",
    "seed-duplicate": "the article is already a seed: nothing to add",
    "anchor-unresolved": "copy the anchor's text exactly from the line it names, with the "
                         "right occurrence",
    "draft-unreviewed": "review the draft, then set draft.status to \"reviewed\"",
    "entity-clash": "give the proposed entity a new id, or make it equal the registry's entry",
    "gold-exists": "pass --overwrite to replace it, or remove the gold file first",
    "release-version": "give a higher X.Y.Z version and a YYYY-MM-DD date; fix the version "
                       "file's layout if the message names one",
    "output-unsafe": "name a folder of its own for the output, such as corpus",
    "import-syntax": "fix the .ann line the message names (brat standoff, one id each, one "
                     "continuous span)",
    "import-xml": "export again, or fix the XML at the place given so it loads with "
                  "TypeSystem.xml",
    "import-type": "use one of the types, labels or values the message lists",
    "import-offsets": "correct the offsets so the span covers the text it copies",
    "import-relation": "point the relation at an existing span of the right kind, or remove it",
    "import-text": "annotate the exported text unchanged: the article itself is not edited "
                   "on import",
    "import-document": "import the files of a `sokhan export`, with its sokhan.json, for an "
                       "article of the corpus",
    "input-unreadable": "give sokhan process a readable JSONL, CSV or Parquet file (or a folder "
                        "of .txt files) with an id and a text column",
    "record-json": "make the line one JSON object, or remove it",
    "record-id": "give the record a unique id of letters, digits and _ . : - (at most the "
                 "length the message gives)",
    "record-duplicate": "give the record an id of its own, or remove the repeat",
    "record-text": "give the record its text as a string",
    "record-metadata": "correct the field to the type or value the message gives",
    "record-failed": "a bug in Sokhan: report it with the record's id",
    "record-worker-died": "look for what the record demands (memory: an enormous text; the "
                          "system log names the killed process); give the workers more "
                          "memory, or split or remove the record and rerun",
    "workers-lost": "check that the workers can start and have memory (the system log, the "
                    "Dask workers' logs), then rerun; try --engine local --workers 1 to see "
                    "the first failing record",
}


#: Ids that were announced but are no longer checked; reserved, never reused.
RETIRED: dict[str, str] = {
    "segmentation-fixture": "never implemented: the hand-checked sentence fixture is a test "
                            "(tests/test_segment.py), not an input of the build",
}


@dataclass(frozen=True)
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

    def sort_key(self) -> tuple:
        """Order by file, then place in natural order (``/mentions/2`` before ``/mentions/10``)."""
        return (_natural(self.path), _natural(self.where), self.check, self.message)

    def __str__(self) -> str:
        where = f" {_visible(self.where)}:" if self.where else ""
        return f"{_visible(self.path)}:{where} [{self.check}] {_visible(self.message)}"


def _visible(text: str) -> str:
    """``text`` with invisible and line-breaking code points escaped.

    An incident is one line, and what it quotes comes from hostile input: a file
    name with a newline or a bidi override must not break the line or reorder it.
    ZWNJ is part of Persian spelling and stays.
    """
    if text.isprintable():
        return text
    return "".join(
        c if c == "\u200c" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
        else f"\\x{ord(c):02x}" if ord(c) < 0x100
        else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in text)


def markdown_table() -> str:
    """The table of check ids for ``docs/checks.md``."""
    lines = ["| check id | what it finds | what to do |", "|---|---|---|"]
    lines += [f"| `{check}` | {what} | {ACTIONS[check]} |" for check, what in CHECKS.items()]
    return "\n".join(lines)


class BuildError(Exception):
    """Raised when a stage finds problems; carries every incident found."""

    def __init__(self, incidents: list[Incident]):
        self.incidents = sorted(incidents, key=Incident.sort_key)
        super().__init__("\n".join(str(i) for i in self.incidents))


def _natural(text: str) -> tuple:
    """A sort key that orders runs of digits by their value, without converting them.

    Hostile input may hold thousands of digits, more than ``int()`` accepts.
    """
    parts = re.split(r"([0-9]+)", text)
    return tuple((len(p.lstrip("0")), p.lstrip("0"), p) if k % 2 else p
                 for k, p in enumerate(parts))


def text_location(text: str, offset: int) -> str:
    """``line L column C`` (both from 1, the column in characters) of an offset into ``text``."""
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def byte_location(data: bytes, offset: int) -> str:
    """``line L column C`` of a byte offset, the column counted in characters, not bytes."""
    start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[:start].decode("utf-8", "replace")  # whole lines: line ends are ASCII
    line = data[start:offset].decode("utf-8", "replace")
    return text_location(prefix + line, len(prefix) + len(line))


@dataclass(frozen=True)
class Unreadable:
    """Why :func:`read_bounded` could not read a file, as the start of a message."""

    kind: str  # "missing", "not-regular", "too-large" or "unreadable"
    message: str


def read_bounded(path: Path, limit: int) -> bytes | Unreadable:
    """The bytes of a regular file of at most ``limit`` bytes, never more, never truncated.

    The one reader of every input (seeds, JSON files, the card template). The
    file is opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open
    descriptor, so a named pipe or a device swapped in after a first look can
    neither block the build nor be read: only a regular file is read, and one
    that grows while it is read is refused rather than cut.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Unreadable("not-regular", f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            return Unreadable("too-large", f"{info.st_size} bytes; expected at most {limit}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # replaced between stat() and open()
                return Unreadable("not-regular", f"not a regular file ({_kind(info.st_mode)})")
            chunks, size = [], 0
            while size <= limit:
                chunk = os.read(fd, limit + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except FileNotFoundError:
        return Unreadable("missing", "file not found")
    except OSError as err:
        return Unreadable("unreadable", f"cannot be read ({err.strerror or err})")
    data = b"".join(chunks)
    if len(data) > limit:
        return Unreadable("too-large", f"more than {limit} bytes; expected at most {limit}")
    return data


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def shown_path(path: Path) -> str:
    """A path as shown in messages: relative to the working folder when possible.

    Symbolic links are not resolved, so a message names the file the user wrote.
    """
    # abspath, not resolve(): a symbolic link is shown as the path that was given
    absolute = Path(os.path.abspath(path))  # noqa: PTH100
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def clip(text: str, limit: int = CLIP) -> str:
    """``repr(text)``, shortened in the middle when long."""
    if len(text) > limit:
        half = limit // 2
        return f"{text[:half]!r}…({len(text) - 2 * half} more characters)…{text[-half:]!r}"
    return repr(text)
