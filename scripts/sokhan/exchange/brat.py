"""brat standoff export and a strict reader for it.

The ``.txt`` is the raw article, byte for byte, because brat standoff points
into the original document, as Sokhan's gold files do; offsets are code points
(brat's own unit), so an exported span is the gold span unchanged.

Per article, in ``<doc_id>.ann``:

- ``T<n>`` an entity mention ``m<n>`` (its OntoNotes type), and the quotation
  spans ``Cue``, ``Source`` (the speaker span) and ``Content``, numbered after
  the mentions;
- ``R`` lines: ``HasSource`` and ``HasContent`` from a cue to its spans (content
  spans in text order), ``NestedIn`` from a nested quotation's cue to its parent's;
- ``A`` lines on a cue: ``Quote`` (the quotation id), ``Form`` and ``SpeakerKind``;
- ``N`` lines: ``registry:<id>`` on a mention, ``speaker:<id>`` and
  ``addressee:<id>`` on a cue (ids of ``corpus/annotations/entities.json``);
- ``#`` lines: ``AnnotatorNotes`` carry a record's note (JSON string escapes for
  tab, newline and backslash).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sokhan.exchange.model import OFFSET_UNIT, ExchangeDocument
from sokhan.records import ENTITY_TYPES, QUOTE_FORMS, SPEAKER_KINDS

QUOTE_SPANS = ("Cue", "Source", "Content")
RELATIONS = {"HasSource": ("Cue", "Source"), "HasContent": ("Cue", "Content"),
             "NestedIn": ("Cue", "Cue")}
ATTRIBUTES = {"Form": QUOTE_FORMS, "SpeakerKind": SPEAKER_KINDS}
NORMALISATION_DBS = {"registry": "entity", "speaker": "Cue", "addressee": "Cue"}


def _escape(note: str) -> str:
    return json.dumps(note, ensure_ascii=False)[1:-1]


def ann_text(doc: ExchangeDocument) -> str:
    """The ``.ann`` file of one article."""
    lines: list[str] = []
    t_lines: list[str] = []
    r_lines: list[str] = []
    a_lines: list[str] = []
    n_lines: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []

    def note(target: str, text: str | None) -> None:
        if text is not None:
            notes.append((target, _escape(text)))

    numbers = [int(m.id[1:]) for m in doc.mentions]
    for m in doc.mentions:
        tid = f"T{m.id[1:]}"
        t_lines.append(f"{tid}\t{m.type} {m.span.raw_start} {m.span.raw_end}\t{m.span.raw_text}")
        if m.entity is not None:
            n_lines.append((tid, f"registry:{m.entity}"))
        note(tid, m.note)
    next_t = max(numbers, default=0) + 1
    cue_of: dict[str, str] = {}
    for q in doc.quotes:
        cue = f"T{next_t}"
        next_t += 1
        cue_of[q.id] = cue
        t_lines.append(f"{cue}\tCue {q.cue.raw_start} {q.cue.raw_end}\t{q.cue.raw_text}")
        a_lines += [f"Quote {cue} {q.id}", f"Form {cue} {q.form}",
                    f"SpeakerKind {cue} {q.speaker_kind}"]
        n_lines.append((cue, f"speaker:{q.speaker_entity}"))
        if q.addressee_entity is not None:
            n_lines.append((cue, f"addressee:{q.addressee_entity}"))
        note(cue, q.note)
        parts = ([("Source", "HasSource", q.speaker)] if q.speaker else [])
        parts += [("Content", "HasContent", c) for c in q.content]
        for kind, relation, span in parts:
            tid = f"T{next_t}"
            next_t += 1
            t_lines.append(f"{tid}\t{kind} {span.raw_start} {span.raw_end}\t{span.raw_text}")
            r_lines.append(f"{relation} Arg1:{cue} Arg2:{tid}")
    for q in doc.quotes:
        if q.parent is not None and q.parent in cue_of:
            r_lines.append(f"NestedIn Arg1:{cue_of[q.id]} Arg2:{cue_of[q.parent]}")
    lines += t_lines
    lines += [f"R{k}\t{r}" for k, r in enumerate(r_lines, start=1)]
    lines += [f"A{k}\t{a}" for k, a in enumerate(a_lines, start=1)]
    lines += [f"N{k}\tReference {t} {ref}\t{ref.split(':', 1)[1]}"
              for k, (t, ref) in enumerate(n_lines, start=1)]
    lines += [f"#{k}\tAnnotatorNotes {t}\t{text}" for k, (t, text) in enumerate(notes, start=1)]
    return "".join(line + "\n" for line in lines)


def annotation_conf(max_quote: int) -> str:
    """brat's ``annotation.conf`` for the export (quotation ids up to ``q<max_quote>``)."""
    quote_ids = "|".join(f"q{k}" for k in range(1, max_quote + 1)) or "q1"
    lines = ["[entities]", *ENTITY_TYPES, *QUOTE_SPANS, "", "[relations]"]
    lines += [f"{name}\tArg1:{a}, Arg2:{b}" for name, (a, b) in RELATIONS.items()]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "",
              "[attributes]", f"Quote\tArg:Cue, Value:{quote_ids}"]
    lines += [f"{name}\tArg:Cue, Value:{'|'.join(values)}" for name, values in ATTRIBUTES.items()]
    return "\n".join(lines) + "\n"


def brat_files(docs: Iterable[ExchangeDocument]) -> dict[str, str]:
    """``<doc_id>.txt``, ``<doc_id>.ann`` per article, ``annotation.conf`` and ``sokhan.json``."""
    docs = list(docs)
    files: dict[str, str] = {}
    for doc in docs:
        files[f"{doc.doc_id}.txt"] = doc.raw_text
        files[f"{doc.doc_id}.ann"] = ann_text(doc)
    max_quote = max((int(q.id[1:]) for d in docs for q in d.quotes), default=0)
    files["annotation.conf"] = annotation_conf(max_quote)
    meta = {"format": "brat standoff", "text": "raw", "offset_unit": OFFSET_UNIT,
            "documents": {d.doc_id: {"annotator": d.annotator} for d in docs}}
    files["sokhan.json"] = json.dumps(meta, ensure_ascii=False, indent=1) + "\n"
    return files


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BratProblem:
    """One line of a ``.ann`` file that cannot be used: where, check id, message."""

    line: int
    check: str
    message: str


@dataclass
class BratSpan:
    """A ``T`` line."""

    id: str
    type: str
    start: int
    end: int
    text: str
    line: int


@dataclass
class BratDocument:
    """A parsed ``.ann`` file, every record with its line number."""

    spans: dict[str, BratSpan] = field(default_factory=dict)
    #: (type, arg1, arg2, line)
    relations: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: (name, target, value, line)
    attributes: list[tuple[str, str, str | None, int]] = field(default_factory=list)
    #: (target, db, id, line)
    references: list[tuple[str, str, str, int]] = field(default_factory=list)
    #: (target, text, line)
    notes: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[BratProblem] = field(default_factory=list)
    #: ids of T lines refused above: what points at them is not reported again
    refused: set[str] = field(default_factory=set)


_T = re.compile(r"(T\d+)\t(\S+) (\d+) (\d+)\t(.*)")
_T_DISCONTINUOUS = re.compile(r"T\d+\t\S+ \d+ \d+(;\d+ \d+)+\t.*")
_R = re.compile(r"(R\d+)\t(\S+) Arg1:(\S+) Arg2:(\S+)")
_A = re.compile(r"(A\d+)\t(\S+) (\S+)(?: (\S+))?")
_N = re.compile(r"(N\d+)\tReference (\S+) ([^:\s]+):(\S+)(?:\t.*)?")
_NOTE = re.compile(r"(#\d+)\tAnnotatorNotes (\S+)\t(.*)")


def parse_ann(text: str, raw: str) -> BratDocument:
    """Parse a ``.ann`` file strictly against its ``.txt``; every problem is kept, none raised.

    Checks syntax (``import-syntax``), offsets and copied text (``import-offsets``),
    known span types (``import-type``) and unique ids.
    """
    out = BratDocument()
    seen: set[str] = set()
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue

        ident = re.split(r"[\t ]", line, maxsplit=1)[0]

        def bad(check: str, message: str, n: int = n, ident: str = ident) -> None:
            out.problems.append(BratProblem(n, check, message))
            out.refused.add(ident)  # what points at a refused line is not reported again

        if ident in seen:
            bad("import-syntax", f"id {ident!r} is used twice; expected unique ids")
            continue
        seen.add(ident)
        if m := _T.fullmatch(line):
            tid, kind, start, end, copied = m.groups()
            s, e = int(start), int(end)
            if kind not in ENTITY_TYPES and kind not in QUOTE_SPANS:
                bad("import-type", f"span type {kind!r}; expected an OntoNotes type or one of "
                    f"{', '.join(QUOTE_SPANS)}")
            elif not 0 <= s < e <= len(raw):
                bad("import-offsets", f"offsets [{s}, {e}); expected 0 <= start < end <= "
                    f"{len(raw)} (the .txt file's length)")
            elif raw[s:e] != copied:
                bad("import-offsets", f"text {copied!r} but the .txt has {raw[s:e]!r} at "
                    f"[{s}, {e})")
            else:
                out.spans[tid] = BratSpan(tid, kind, s, e, copied, n)
        elif _T_DISCONTINUOUS.fullmatch(line):
            bad("import-syntax", "a discontinuous span; expected one start and end per span "
                "(content in pieces is one Content span per piece)")
        elif m := _R.fullmatch(line):
            out.relations.append((m.group(2), m.group(3), m.group(4), n))
        elif m := _A.fullmatch(line):
            out.attributes.append((m.group(2), m.group(3), m.group(4), n))
        elif m := _N.fullmatch(line):
            out.references.append((m.group(2), m.group(3), m.group(4), n))
        elif m := _NOTE.fullmatch(line):
            try:
                note = json.loads(f'"{m.group(3)}"')
            except json.JSONDecodeError:
                note = m.group(3)
            out.notes.append((m.group(2), note, n))
        elif line[:1] in "EM*":
            bad("import-type", f"{line[:1]!r} annotations (events, modifications, equivalences) "
                "are not part of Sokhan's brat layout; expected T, R, A, N and # lines")
        else:
            bad("import-syntax", f"line {line[:60]!r} is not brat standoff; expected "
                "'T<n>\\tTYPE START END\\tTEXT', 'R<n>\\tTYPE Arg1:T Arg2:T', 'A…', 'N…' or '#…'")
    return out
