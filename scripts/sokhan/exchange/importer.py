"""Import: a corrected brat or XMI export back into a Sokhan annotation file.

The reader of each format turns its file into an annotation dict anchored to
raw offsets, reporting everything it cannot use as incidents (``import-*``
check ids); the dict is then checked exactly like a gold file
(:func:`sokhan.validate.check_annotation`: schema, spans on token boundaries,
registry links, quotation structure). Records come out in the gold files'
order: mentions by position, quotations by id, keys in schema order; a record
the annotation tool added without a Sokhan id gets the next free one.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cassis import Cas, load_cas_from_xmi, load_typesystem

from sokhan.checks.annotations import check_annotation
from sokhan.checks.incidents import (
    BuildError,
    Incident,
    Unreadable,
    clip,
    read_bounded,
    shown_path,
)
from sokhan.checks.jsonfile import MAX_JSON_BYTES, parse_json
from sokhan.exchange import xmi
from sokhan.exchange.brat import ATTRIBUTES, NORMALISATION_DBS, RELATIONS, parse_ann
from sokhan.records import ENTITY_TYPES, Corpus, Document

FORMATS = ("xmi", "brat")
_ID = re.compile(r"[mq]([1-9][0-9]{0,8})")


@dataclass
class _Draft:
    """Records of the file being imported, and what went wrong, as the reader finds them."""

    path: str
    mentions: list[dict]
    quotes: list[dict]
    incidents: list[Incident]

    def bad(self, where: str, check: str, message: str) -> None:
        self.incidents.append(Incident(self.path, where, check, message))


def _number(ident, prefix: str) -> int | None:
    m = _ID.fullmatch(ident) if isinstance(ident, str) else None
    return int(m.group(1)) if m and ident[0] == prefix else None


def _fill_ids(records: list[dict], prefix: str) -> None:
    """Give every record without a usable id the next free one (in text order)."""
    used = {n for r in records if (n := _number(r["id"], prefix)) is not None}
    seen: set[int] = set()
    nxt = max(used, default=0) + 1
    for r in records:
        n = _number(r["id"], prefix)
        if n is None or n in seen:
            r["id"] = f"{prefix}{nxt}"
            n, nxt = nxt, nxt + 1
        seen.add(n)


def annotation(doc_id: str, annotator: str, mentions: list[dict], quotes: list[dict]) -> dict:
    """An annotation file in the gold files' order and key order."""
    _fill_ids(mentions, "m")
    _fill_ids(quotes, "q")
    mentions = sorted(mentions, key=lambda m: (m["start"], m["end"], _number(m["id"], "m")))
    quotes = sorted(quotes, key=lambda q: _number(q["id"], "q") or 0)
    keys_m = ("id", "start", "end", "text", "type", "entity", "note")
    keys_q = ("id", "form", "cue", "content", "speaker", "speaker_kind", "speaker_entity",
              "addressee_entity", "parent", "note")
    for q in quotes:
        q["content"] = sorted(q["content"], key=lambda c: (c["start"], c["end"]))
    return {
        "doc_id": doc_id,
        "annotator": annotator,
        "mentions": [{k: m[k] for k in keys_m if k in m and not (k == "note" and m[k] is None)}
                     for m in mentions],
        "quotes": [{k: q[k] for k in keys_q if k in q and not (k == "note" and q[k] is None)}
                   for q in quotes],
    }


def _raw_span(raw: str, start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": raw[start:end]}


# --- brat ----------------------------------------------------------------------------------


def _read_bytes(path: Path, draft: _Draft, check: str, what: str) -> bytes | None:
    """The bytes of one imported file, through the build's bounded reader.

    A pipe, a device or a folder where the file should be is refused without
    being opened for reading, and a file over the limit is never read whole.
    """
    data = read_bounded(path, MAX_JSON_BYTES)
    if isinstance(data, Unreadable):
        draft.bad("", check, f"{what} {shown_path(path)}: {data.message}"
                  + ("" if data.kind == "missing" else "; expected a regular file"))
        return None
    return data


def _read_text(path: Path, draft: _Draft, check: str, what: str) -> str | None:
    data = _read_bytes(path, draft, check, what)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        draft.bad(f"byte {err.start}", check, f"{what} is not UTF-8 ({err.reason})")
    return None


def _export_annotator(folder: Path, doc_id: str, draft: _Draft) -> str | None:
    """The annotator the export recorded in ``sokhan.json`` beside the file."""
    meta_path = folder / "sokhan.json"
    data = _read_bytes(meta_path, draft, "import-document", "the export metadata sokhan.json")
    if data is None:
        return None
    # the strict parser: NaN, a repeated key or a file nested 100 000 deep is refused
    meta, found = parse_json(data, shown_path(meta_path), "import-document")
    if found:
        draft.incidents.extend(found)
        return None
    documents = meta.get("documents") if isinstance(meta, dict) else None
    entry = documents.get(doc_id) if isinstance(documents, dict) else None
    annotator = entry.get("annotator") if isinstance(entry, dict) else None
    if not isinstance(annotator, str):
        draft.bad("", "import-document", f"sokhan.json names no annotator for {doc_id!r}; "
                  "expected the metadata the export wrote (or give --annotator)")
        return None
    return annotator


def read_brat(path: Path, doc: Document, annotator: str | None) -> tuple[dict | None, list]:
    """An annotation dict from ``<doc_id>.ann`` and the ``.txt`` beside it (raw offsets)."""
    ann_path = path.with_suffix(".ann")
    draft = _Draft(shown_path(ann_path), [], [], [])
    ann_text = _read_text(ann_path, draft, "import-syntax", "the .ann file")
    raw = _read_text(path.with_suffix(".txt"), draft, "import-text", "the .txt file")
    if annotator is None:
        annotator = _export_annotator(path.parent, doc.doc_id, draft)
    if ann_text is None or raw is None or annotator is None:
        return None, draft.incidents
    if raw != doc.raw_text:
        k = next((i for i, (a, b) in enumerate(zip(raw, doc.raw_text, strict=False)) if a != b),
                 min(len(raw), len(doc.raw_text)))
        draft.bad("", "import-text", f"the .txt differs from the article {doc.doc_id} at "
                  f"character {k}; expected the raw article unchanged")
        return None, draft.incidents
    parsed = parse_ann(ann_text, raw)
    for p in parsed.problems:
        draft.bad(f"line {p.line}", p.check, p.message)
    spans = parsed.spans
    mentions: dict[str, dict] = {}
    quotes: dict[str, dict] = {}
    for tid, s in spans.items():
        if s.type in ENTITY_TYPES:
            mentions[tid] = {"id": f"m{tid[1:]}", "start": s.start, "end": s.end, "text": s.text,
                             "type": s.type, "entity": None}
        elif s.type == "Cue":
            quotes[tid] = {"id": None, "form": None, "cue": _raw_span(raw, s.start, s.end),
                           "content": [], "speaker": None, "speaker_kind": None,
                           "speaker_entity": None, "addressee_entity": None, "parent": None}

    def target(tid: str, line: int, kinds: str) -> bool:
        if tid in parsed.refused:
            return False  # its own line is reported
        if tid not in spans:
            draft.bad(f"line {line}", "import-relation", f"{tid!r} is not a span of this file")
            return False
        if (kinds == "Cue") != (tid in quotes) or (kinds == "entity" and tid not in mentions):
            draft.bad(f"line {line}", "import-relation",
                      f"{tid!r} is a {spans[tid].type} span; expected a {kinds} span")
            return False
        return True

    claimed: dict[str, int] = {}
    parents: list[tuple[str, str]] = []
    for kind, arg1, arg2, line in parsed.relations:
        if kind not in RELATIONS:
            draft.bad(f"line {line}", "import-type", f"relation type {kind!r}; expected one of "
                      f"{', '.join(RELATIONS)}")
            continue
        want1, want2 = RELATIONS[kind]
        if not (target(arg1, line, want1) and arg2 in spans):
            if arg2 not in spans and arg2 not in parsed.refused:
                draft.bad(f"line {line}", "import-relation", f"{arg2!r} is not a span of this file")
            continue
        if spans[arg2].type != want2:
            draft.bad(f"line {line}", "import-relation", f"{kind} points at a {spans[arg2].type} "
                      f"span {arg2}; expected a {want2} span")
            continue
        if kind == "NestedIn":
            parents.append((arg1, arg2))
            continue
        if arg2 in claimed:
            draft.bad(f"line {line}", "import-relation", f"{arg2} already belongs to the cue of "
                      f"line {claimed[arg2]}; expected one quotation per span")
            continue
        claimed[arg2] = line
        span = _raw_span(raw, spans[arg2].start, spans[arg2].end)
        if kind == "HasContent":
            quotes[arg1]["content"].append(span)
        elif quotes[arg1]["speaker"] is not None:
            draft.bad(f"line {line}", "import-relation", f"cue {arg1} has a second speaker "
                      f"{arg2}; expected at most one")
        else:
            quotes[arg1]["speaker"] = span
    for tid, s in spans.items():
        if s.type in ("Source", "Content") and tid not in claimed:
            draft.bad(f"line {s.line}", "import-relation", f"{s.type} span {tid} belongs to no "
                      "cue; expected a HasSource or HasContent relation to it")
    fields = {"Form": "form", "SpeakerKind": "speaker_kind", "Quote": "id"}
    for name, tid, value, line in parsed.attributes:
        if name not in fields:
            draft.bad(f"line {line}", "import-type", f"attribute {name!r}; expected one of "
                      f"{', '.join(fields)}")
        elif target(tid, line, "Cue"):
            if name in ATTRIBUTES and value not in ATTRIBUTES[name]:
                draft.bad(f"line {line}", "import-type", f"{name} {value!r}; expected one of "
                          f"{', '.join(ATTRIBUTES[name])}")
            quotes[tid][fields[name]] = value
    for tid, db, ident, line in parsed.references:
        if db not in NORMALISATION_DBS:
            draft.bad(f"line {line}", "import-type", f"reference database {db!r}; expected one "
                      f"of {', '.join(NORMALISATION_DBS)}")
        elif target(tid, line, NORMALISATION_DBS[db]):
            if db == "registry":
                mentions[tid]["entity"] = ident
            else:
                quotes[tid][f"{db}_entity"] = ident
    for tid, note, line in parsed.notes:
        if tid in mentions:
            mentions[tid]["note"] = note
        elif target(tid, line, "Cue"):
            quotes[tid]["note"] = note
    _fill_ids(list(quotes.values()), "q")  # a parent needs its id before it is named
    for child, parent in parents:
        quotes[child]["parent"] = quotes[parent]["id"]
    if draft.incidents:
        return None, draft.incidents
    return annotation(doc.doc_id, annotator, list(mentions.values()), list(quotes.values())), []


# --- XMI -----------------------------------------------------------------------------------


def raw_offsets(doc: Document, begin: int, end: int, raw_begin, raw_end) -> tuple[int, int]:
    """Raw offsets of a normalised span: the exported ones while the span has not moved."""
    if isinstance(raw_begin, int) and isinstance(raw_end, int) and 0 <= raw_begin < raw_end \
            <= len(doc.raw_text) and doc.alignment.raw_to_norm(raw_begin, raw_end) == (begin, end):
        return raw_begin, raw_end
    return doc.alignment.norm_to_raw(begin, end)


def load_xmi(path: Path, typesystem: Path, draft: _Draft) -> Cas | None:
    """The CAS of an XMI file with its type system; unreadable input is an ``import-xml``."""
    ts_bytes = _read_bytes(typesystem, draft, "import-xml", "the type system")
    xmi_bytes = _read_bytes(path, draft, "import-xml", "the XMI file") if ts_bytes else None
    if ts_bytes is None or xmi_bytes is None:
        return None
    try:
        ts = load_typesystem(io.BytesIO(ts_bytes))
    except Exception as err:  # lxml and cassis raise many kinds; all mean "not usable"
        draft.bad("", "import-xml", f"the type system {shown_path(typesystem)} cannot be "
                  f"loaded ({type(err).__name__}: {clip(str(err))}); expected TypeSystem.xml")
        return None
    try:
        with warnings.catch_warnings():
            # cassis warns of offsets outside the text and keeps them; the span checks
            # report each one as an import-offsets incident instead
            warnings.simplefilter("ignore", UserWarning)
            return load_cas_from_xmi(io.BytesIO(xmi_bytes), typesystem=ts)
    except Exception as err:  # as above: malformed XML, unknown types, dangling references
        draft.bad("", "import-xml", f"not a UIMA CAS XMI file of this type system "
                  f"({type(err).__name__}: {clip(str(err))})")
        return None


def _where(fs) -> str:
    return f"xmi:id {fs.xmiID}"


def read_xmi(path: Path, typesystem: Path, corpus_docs: dict[str, Document],
             annotator: str | None = None) -> tuple[dict | None, list]:
    """An annotation dict from an XMI file (normalised offsets mapped to raw ones).

    The article is the one ``DocumentMetaData.documentId`` names, with or without a
    file extension (INCEpTION names a document after the file it was given), or else
    the one the file is named after. ``annotator`` overrides the one the export
    recorded, and is needed when that record is gone (INCEpTION keeps only layers).
    """
    draft = _Draft(shown_path(path), [], [], [])
    cas = load_xmi(path, typesystem, draft)
    if cas is None:
        return None, draft.incidents
    ts = cas.typesystem
    missing = [t for t in (xmi.METADATA, xmi.NAMED_ENTITY, xmi.QUOTATION,
                           xmi.QUOTATION_RELATION) if not ts.contains_type(t)]
    if missing:
        draft.bad("", "import-type", f"the type system lacks {', '.join(missing)}; expected "
                  "the TypeSystem.xml of a Sokhan export")
        return None, draft.incidents
    metas = list(cas.select(xmi.METADATA))
    doc_id = metas[0].get("documentId") if metas else None
    names = [doc_id, doc_id.rsplit(".", 1)[0]] if isinstance(doc_id, str) else []
    doc = next((corpus_docs[n] for n in [*names, path.stem] if n in corpus_docs), None)
    if doc is None:
        draft.bad("", "import-document", f"document id {doc_id!r} is no article of the corpus; "
                  "expected the DocumentMetaData documentId of an exported article")
        return None, draft.incidents
    if cas.sofa_string != doc.text:
        text = cas.sofa_string or ""
        k = next((i for i, (a, b) in enumerate(zip(text, doc.text, strict=False)) if a != b),
                 min(len(text), len(doc.text)))
        draft.bad("", "import-text", f"the document text differs from the normalised article "
                  f"{doc.doc_id} at character {k}; expected it unchanged")
        return None, draft.incidents
    infos = list(cas.select(xmi.EXPORT_INFO)) if ts.contains_type(xmi.EXPORT_INFO) else []
    if annotator is None:
        annotator = infos[0].get("annotator") if infos else None
    if not isinstance(annotator, str):
        draft.bad("", "import-document", "no ExportInfo annotator (INCEpTION drops it); "
                  "expected the provenance the Sokhan export writes, or --annotator")
        return None, draft.incidents

    def span(fs) -> dict | None:
        b, e = fs.begin, fs.end
        if not (isinstance(b, int) and isinstance(e, int) and 0 <= b < e <= len(doc.text)):
            draft.bad(_where(fs), "import-offsets", f"offsets [{b}, {e}); expected 0 <= begin "
                      f"< end <= {len(doc.text)}")
            return None
        rs, re_ = raw_offsets(doc, b, e, fs.get("rawBegin"), fs.get("rawEnd"))
        if rs >= re_:
            draft.bad(_where(fs), "import-offsets", f"[{b}, {e}) covers no raw character")
            return None
        return _raw_span(doc.raw_text, rs, re_)

    mentions = []
    for fs in cas.select(xmi.NAMED_ENTITY):
        value = fs.get("value")
        if value not in ENTITY_TYPES:
            draft.bad(_where(fs), "import-type", f"named entity value {value!r}; expected an "
                      "OntoNotes type (PERSON … CARDINAL)")
            continue
        s = span(fs)
        if s is not None:
            mentions.append({"id": fs.get("sokhanId"), **s, "type": value,
                             "entity": fs.get("identifier") or None, "note": fs.get("note")})
    quotes: dict[int, dict] = {}
    parts: dict[int, Any] = {}  # speaker and content spans by xmi:id (cassis is untyped)
    for fs in cas.select(xmi.QUOTATION):
        role = fs.get("role")
        if role not in xmi.ROLES:
            draft.bad(_where(fs), "import-type", f"Quotation role {role!r}; expected one of "
                      f"{', '.join(xmi.ROLES)}")
            continue
        if role != "cue":
            stray = [f for f in xmi.CUE_FEATURES if fs.get(f) is not None]
            if stray:
                draft.bad(_where(fs), "import-relation", f"a {role} span carries "
                          f"{', '.join(stray)}; expected the quotation's fields on its cue")
            parts[fs.xmiID] = fs
            continue
        s = span(fs)
        if s is not None:
            quotes[fs.xmiID] = {
                "id": fs.get("quoteId"), "form": fs.get("form"), "cue": s, "content": [],
                "speaker": None, "speaker_kind": fs.get("speakerKind"),
                "speaker_entity": fs.get("speakerEntity"),
                "addressee_entity": fs.get("addresseeEntity"), "parent": fs.get("parent"),
                "note": fs.get("note")}
    claimed: set[int] = set()
    for rel in cas.select(xmi.QUOTATION_RELATION):
        gov, dep, role = rel.get("Governor"), rel.get("Dependent"), rel.get("role")
        if role not in ("speaker", "content"):
            draft.bad(_where(rel), "import-type", f"QuotationRelation role {role!r}; expected "
                      "speaker or content")
            continue
        if gov is None or dep is None or gov.xmiID not in quotes or dep.xmiID not in parts:
            draft.bad(_where(rel), "import-relation", "a QuotationRelation without a cue as "
                      "Governor and a speaker or content span as Dependent")
            continue
        if dep.get("role") != role:
            draft.bad(_where(rel), "import-relation", f"a {role} relation to a "
                      f"{dep.get('role')} span; expected the same role")
            continue
        if dep.xmiID in claimed:
            draft.bad(_where(rel), "import-relation", "a span claimed by a second relation; "
                      "expected one quotation per span")
            continue
        claimed.add(dep.xmiID)
        s = span(dep)
        if s is None:
            continue
        if role == "content":
            quotes[gov.xmiID]["content"].append(s)
        elif quotes[gov.xmiID]["speaker"] is not None:
            draft.bad(_where(rel), "import-relation", "a second speaker for one cue; "
                      "expected at most one")
        else:
            quotes[gov.xmiID]["speaker"] = s
    for ident, fs in parts.items():
        if ident not in claimed:
            draft.bad(_where(fs), "import-relation", f"{fs.get('role')} span "
                      f"{fs.get_covered_text()!r} belongs to no cue; expected a "
                      "QuotationRelation from a cue to it")
    if draft.incidents:
        return None, draft.incidents
    return annotation(doc.doc_id, annotator, mentions, list(quotes.values())), []


# --- both ----------------------------------------------------------------------------------


def import_annotation(fmt: str, path: Path, corpus: Corpus, *, typesystem: Path | None = None,
                      annotator: str | None = None) -> dict:
    """Read ``path`` in ``fmt`` and return the annotation file, checked like a gold file.

    Raises:
        BuildError: with every incident: the reader's, then the annotation checks'.
    """
    docs = {d.doc_id: d for d in corpus.docs}
    if fmt == "brat":
        doc = docs.get(path.stem)
        if doc is None:
            raise BuildError([Incident(shown_path(path), "", "import-document",
                                       f"{path.stem!r} is no article of the corpus; expected "
                                       "<doc_id>.ann beside <doc_id>.txt")])
        ann, incidents = read_brat(path, doc, annotator)
    else:
        ann, incidents = read_xmi(path, typesystem or path.parent / "TypeSystem.xml", docs,
                                  annotator)
    if ann is None:
        raise BuildError(incidents)
    doc = docs[ann["doc_id"]]
    _, found = check_annotation(ann, shown_path(path), doc, corpus.sentences[doc.doc_id],
                             corpus.entities, doc.doc_id)
    if found:
        raise BuildError(found)
    return ann


def annotation_bytes(ann: dict) -> bytes:
    """An annotation file as the gold files are written (one-space indent, letters unescaped)."""
    return (json.dumps(ann, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
