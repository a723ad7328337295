"""Validation stage: JSON input, JSON Schema and cross-checks, reported as incidents.

Every check has a stable id (see :data:`sokhan.incidents.CHECKS`); all problems
are collected with ``iter_errors()`` and cross-checks before anything fails, so
one run shows everything that needs fixing. This module also reads every JSON
input (:func:`load_json`) and decides which code points are hazards
(:func:`hazards`), so seeds and annotations follow the same rules.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker, validators
from referencing import Registry, Resource

from sokhan.incidents import BuildError, Incident, byte_location
from sokhan.records import NUMERIC_TYPES, Document, Entity, Sentence

SCHEMA_VERSION = "1.0.0"
#: Types a quotation's speaker may have: people, organisations, nations and states.
SPEAKER_TYPES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
#: JSON inputs larger than this are refused unread: they are parsed whole in memory.
#: The largest real annotation file is about 60 KB.
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Messages quote at most this many characters of a found value.
_CLIP = 80


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


def clip(text: str, limit: int = _CLIP) -> str:
    """``repr(text)``, shortened in the middle when long."""
    if len(text) > limit:
        half = limit // 2
        return f"{text[:half]!r}…({len(text) - 2 * half} more characters)…{text[-half:]!r}"
    return repr(text)


def schema_dir() -> Path:
    """The repository's ``schema/`` folder."""
    return Path(str(resources.files("sokhan"))).parents[1] / "schema"


@cache
def _schemas() -> dict[str, dict]:
    out = {}
    for path in sorted(schema_dir().glob("*.schema.json")):
        out[path.name.removesuffix(".schema.json")] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _is_integer(_checker, instance) -> bool:
    # JSON Schema counts 5.0 as an integer; Python cannot slice a text with it.
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


_DEFS = "urn:sokhan:schema:defs#/$defs/"


def _inline(node, defs: dict):
    """``node`` with every reference to the shared definitions replaced by its target.

    Resolving a ``$ref`` costs jsonschema a URL join per use, which made checking
    the published rows of a large article take most of the build; the inlined
    schema accepts exactly the same documents.
    """
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFS) and ref[len(_DEFS):] in defs:
        target = _inline(defs[ref[len(_DEFS):]], defs)
        rest = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
        # beside other keywords a $ref is one more constraint, as allOf says
        return {**rest, "allOf": [target]} if rest else target
    return {k: _inline(v, defs) for k, v in node.items()}


@cache
def validator(name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for ``schema/<name>.schema.json``.

    ``integer`` means a JSON number written without a fraction or exponent.
    """
    schemas = _schemas()
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    schema = _inline(schemas[name], schemas["defs"]["$defs"])
    return _Validator(schema, registry=registry, format_checker=FormatChecker())


def pointer(parts: Iterable) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts) or "/"


def preview(value, limit: int = _CLIP) -> str:
    """A short JSON rendering of a found value, for messages (never the whole file)."""
    if isinstance(value, dict):
        keys = ", ".join(json.dumps(k, ensure_ascii=False) for k in list(value)[:6])
        return "{" + keys + (", …" if len(value) > 6 else "") + ": …}" if value else "{}"
    if isinstance(value, list):
        return f"[… {len(value)} items]" if value else "[]"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _message(err) -> str:
    """One line saying what was found and what was expected."""
    found = preview(err.instance)
    if err.validator in ("oneOf", "anyOf") and err.context:
        # Say why the closest alternative failed, not just "none matched".
        inner = [e for e in err.context if e.validator != "type"] or list(err.context)
        err = min(inner, key=lambda e: (len(e.absolute_path), str(e.message)))
    if err.validator == "pattern" and "description" in err.schema:
        return f"found {found}; expected {err.schema['description']}"
    return f"found {found}: {err.message}"


def schema_incidents(instance, name: str, path: str, check: str,
                     prefix: str = "") -> list[Incident]:
    """Every schema violation of ``instance`` as an incident with a JSON pointer."""
    out = []
    errors = sorted(validator(name).iter_errors(instance),
                    key=lambda e: (list(map(str, e.absolute_path)), str(e.message)))
    for err in errors:
        out.append(Incident(path, prefix + pointer(err.absolute_path), check, _message(err)))
    return out


# --- reading JSON -------------------------------------------------------------------------


class _DuplicateKeys(dict):
    """An object in which some key appeared more than once (JSON allows it; we do not)."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    flagged = _DuplicateKeys(out)
    seen: set[str] = set()
    flagged.duplicates = [k for k, _ in pairs if k in seen or seen.add(k)]
    return flagged


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def walk(value) -> Iterator[tuple[tuple, object]]:
    """Every ``(path, value)`` of a parsed JSON document, depth first, without recursion."""
    stack: list[tuple[tuple, object]] = [((), value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*path, k), v) for k, v in reversed(list(enumerate(node))))


#: What Python's json reads but JSON has no number for (or cannot convert).
_NOT_JSON_NUMBER = r"(?<![\w\"])(?:-?Infinity|NaN|-?[0-9]{4301,})"
#: Where a too-deep document is reported: the first place it is this deep.
_DEEP = 100


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _locate(text: str, pattern: str) -> str:
    m = re.search(pattern, text)
    return _position(text, m.start()) if m else ""


def _deepest(text: str) -> str:
    """Where brackets outside strings first nest :data:`_DEEP` levels deep."""
    depth, in_string, escaped = 0, False, False
    for k, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth == _DEEP:
                return _position(text, k)
        elif char in "]}":
            depth -= 1
    return ""


def load_json(path: Path, check: str) -> tuple[object, list[Incident]]:
    """Parse a JSON input strictly; every failure is an incident, never an exception.

    Refused: a missing or unreadable file, one over :data:`MAX_JSON_BYTES`, bytes
    that are not UTF-8 (with line and column), a byte-order mark, a syntax error
    (line and column), ``NaN`` and ``Infinity``, integers of more than 4300
    digits, nesting deeper than Python's recursion limit, and a key repeated in
    one object (which ``json`` would silently resolve to its last value).

    Returns:
        ``(value, [])`` or ``(None, incidents)``.
    """
    shown = shown_path(path)

    def fail(where: str, message: str) -> tuple[None, list[Incident]]:
        return None, [Incident(shown, where, check, message)]

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would block the build forever
            return fail("", "not a regular file (a folder, pipe or device); expected a JSON file")
        if info.st_size > MAX_JSON_BYTES:
            return fail("", f"{info.st_size} bytes; expected at most {MAX_JSON_BYTES}")
        with path.open("rb") as f:
            data = f.read(MAX_JSON_BYTES + 1)
    except FileNotFoundError:
        return fail("", "file not found")
    except OSError as err:
        return fail("", f"cannot be read ({err.strerror or err}); expected a JSON file")
    if len(data) > MAX_JSON_BYTES:
        return fail("", f"more than {MAX_JSON_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return fail(byte_location(data, err.start),
                    f"byte 0x{data[err.start]:02x} is not UTF-8 ({err.reason}); "
                    "expected UTF-8 JSON")
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        return fail(f"line {err.lineno} column {err.colno}", f"{err.msg}; expected valid JSON")
    except RecursionError:
        return fail(_deepest(text), "nested too deeply; expected at most a few levels")
    except ValueError as err:  # NaN, Infinity, or an integer too long to convert
        return fail(_locate(text, _NOT_JSON_NUMBER), f"{err}; expected valid JSON")
    incidents = [Incident(shown, pointer(p), check,
                          f"key {clip(node.duplicates[0])} appears more than once in this object; "
                          "expected each key once")
                 for p, node in walk(value) if isinstance(node, _DuplicateKeys)]
    return (None, incidents) if incidents else (value, [])


# --- Unicode hazards ----------------------------------------------------------------------

#: Bidirectional controls: marks, embeddings, overrides and isolates.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Invisible characters Persian text may contain: ZWNJ (a letter-joining control of
#: the orthography), tab and line feed.
_ALLOWED = "\t\n\u200c"
_DROP_ALLOWED = str.maketrans("", "", _ALLOWED)


def hazard(char: str) -> str | None:
    """What makes one code point a hazard in Sokhan text, or None when it is fine.

    Hazards are what changes how a text displays, compares or splits without being
    seen: control characters, bidirectional controls, zero-width and other format
    characters (Unicode category Cf) except ZWNJ, line and paragraph separators,
    private-use code points, lone surrogates, noncharacters and U+FFFD (the mark
    of an earlier decoding error).
    """
    if char in _ALLOWED:
        return None
    category = unicodedata.category(char)
    if category == "Cc":
        return "control character"
    if category == "Cf":
        return "bidirectional control" if char in _BIDI else "invisible format character"
    if category in ("Zl", "Zp"):
        return "line or paragraph separator"
    if category == "Co":
        return "private-use character"
    if category == "Cs":
        return "lone surrogate"
    if char == "\ufffd":
        return "replacement character (the text was mis-decoded before it was saved)"
    code = ord(char)
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return "noncharacter"
    return None


def hazards(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(index, kind)`` for every hazardous code point of ``text``."""
    rest = text.translate(_DROP_ALLOWED)
    if rest.isprintable() and "\ufffd" not in rest:
        return  # the common case, decided in C: printable text has none
    for k, char in enumerate(text):
        kind = hazard(char)
        if kind:
            yield k, kind


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE`` for a code point."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def nfc_problem(text: str) -> tuple[int, str, str] | None:
    """Where ``text`` first differs from its NFC form: ``(index, found, nfc)``, or None.

    ``found`` is the two code points from the first difference (a letter and the
    mark that composes with it), ``nfc`` their composed form.
    """
    if unicodedata.is_normalized("NFC", text):
        return None
    nfc = unicodedata.normalize("NFC", text)
    k = next((i for i, (a, b) in enumerate(zip(text, nfc, strict=False)) if a != b),
             min(len(text), len(nfc)))
    found = text[k : k + 2]
    return k, found, unicodedata.normalize("NFC", found)


def string_incidents(value, path: str, check: str = "json-unicode") -> list[Incident]:
    """An incident for every key or string of a JSON value holding a hazard or not in NFC."""
    incidents = []
    for parts, node in walk(value):
        strings = [("", node)] if isinstance(node, str) else []
        if isinstance(node, dict):
            strings += [(" (a key)", k) for k in node]
        for what, text in strings:
            where = pointer(parts) + ("/" + text.replace("~", "~0").replace("/", "~1")
                                      if what else "")
            found = next(hazards(text), None)
            if found:
                k, kind = found
                incidents.append(Incident(path, where, check,
                                          f"{describe(text[k])} ({kind}) at character {k + 1} of "
                                          f"{clip(text)}{what}; expected none"))
                continue
            bad = nfc_problem(text)
            if bad:
                k, before, after = bad
                incidents.append(Incident(path, where, check,
                                          f"{' + '.join(describe(c) for c in before)} at character "
                                          f"{k + 1} of {clip(text)}{what} is not NFC; expected "
                                          f"{' + '.join(describe(c) for c in after)}"))
    return incidents


# --- the card template --------------------------------------------------------------------


def read_card_template(path: Path, known: set[str]) -> str:
    """The dataset card template, checked: readable, UTF-8, every placeholder in ``known``.

    Raises:
        BuildError: with a ``card-template`` incident.
    """
    from sokhan.card import _PLACEHOLDER

    shown = shown_path(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise IsADirectoryError(0, "not a regular file")
        with path.open("rb") as f:
            template = f.read(MAX_JSON_BYTES).decode("utf-8")
    except OSError as err:
        raise BuildError([Incident(shown, "", "card-template",
                                   f"cannot be read ({err.strerror or err}); expected the "
                                   "dataset card template (--card)")]) from None
    except UnicodeDecodeError as err:
        raise BuildError([Incident(shown, f"byte {err.start}", "card-template",
                                   f"not UTF-8 ({err.reason}); expected UTF-8 Markdown")]) from None
    incidents = []
    for line_no, line in enumerate(template.split("\n"), start=1):
        for m in re.finditer(r"\{\{(.*?)\}\}", line):
            name = _PLACEHOLDER.fullmatch(m.group())
            if name is None or name.group(1) not in known:
                incidents.append(Incident(shown, f"line {line_no}", "card-template",
                                          f"unknown placeholder {clip(m.group())}; expected one "
                                          f"of {', '.join(sorted(known))}"))
    if incidents:
        raise BuildError(incidents)
    return template


# --- the registry and annotation files ----------------------------------------------------


class UnusableRegistry(dict):
    """The entities of a registry that failed to load: none, and none can be checked.

    Annotation checks skip every registry lookup against it, so one broken
    registry is one incident, not one ``unknown-entity`` per mention.
    """


def check_registry(registry, path: str) -> tuple[dict[str, Entity], list[Incident]]:
    """Schema-check the entity registry and build its entities by id.

    ``registry`` is None when the file could not be parsed (already reported).
    """
    if registry is None:
        return UnusableRegistry(), []
    incidents = (schema_incidents(registry, "registry", path, "registry-schema")
                 or string_incidents(registry, path))
    if incidents:
        return UnusableRegistry(), incidents
    entities: dict[str, Entity] = {}
    first: dict[str, int] = {}
    for k, e in enumerate(registry["entities"]):
        if e["id"] in entities:
            incidents.append(Incident(path, f"/entities/{k}/id", "duplicate-id",
                                      f"{e['id']!r} is also /entities/{first[e['id']]}; "
                                      "expected unique ids"))
            continue  # the first entry wins, so the messages below describe it
        first[e["id"]] = k
        entities[e["id"]] = Entity(e["id"], e["type"], e["name_fa"], e["name_en"],
                                   tuple(e["aliases"]), e["is_group"], tuple(e["members"]))
    for k, e in enumerate(registry["entities"]):
        for j, member in enumerate(e["members"]):
            if member not in entities:
                incidents.append(Incident(path, f"/entities/{k}/members/{j}", "registry-member",
                                          f"{member!r} is not in the registry"))
    return entities, incidents


def _structure(ann, path: str, doc: Document | None, expected_doc_id: str) -> list[Incident]:
    """Checks every annotation file must pass before its spans are looked at."""
    incidents = schema_incidents(ann, "annotation", path, "annotation-schema")
    if incidents:
        return incidents
    incidents = string_incidents(ann, path)
    if incidents:
        return incidents
    if ann["doc_id"] != expected_doc_id:
        incidents.append(Incident(path, "/doc_id", "annotation-doc-id",
                                  f"found {ann['doc_id']!r}; expected {expected_doc_id!r} "
                                  "(the file name)"))
    if doc is None:
        incidents.append(Incident(path, "/doc_id", "annotation-orphan",
                                  f"no seed article {clip(expected_doc_id)}; expected one of "
                                  "the manifest's doc ids"))
    return incidents


def check_annotation(
    ann, path: str, doc: Document | None, sentences: list[Sentence],
    entities: dict[str, Entity], expected_doc_id: str,
) -> list[Incident]:
    """Every problem of one annotation file: schema first, then cross-checks.

    Args:
        ann: the parsed annotation file.
        path: the file as shown in messages.
        doc: the annotated document, or None when no seed has that id.
        sentences: the document's sentences with tokens.
        entities: the registry by id.
        expected_doc_id: the doc id the file name gives.
    """
    incidents = _structure(ann, path, doc, expected_doc_id)
    if not incidents and "draft" in ann:
        # a machine draft is never published as gold, whatever its status says
        draft = ann["draft"]
        incidents.append(Incident(path, "/draft", "annotation-draft",
                                  f"a draft by {clip(draft['tool'])} {clip(draft['version'])} "
                                  f"with status {draft['status']!r}; expected a gold file: "
                                  "review the draft, set its status to 'reviewed' and run "
                                  "`sokhan accept`"))
    if doc is None or any(i.check not in ("annotation-doc-id", "annotation-draft")
                          for i in incidents):
        return incidents
    spans = _SpanChecker(doc, sentences, path)
    incidents.extend(_duplicate_ids(ann, path))
    incidents.extend(_check_mentions(ann, spans, entities, path))
    incidents.extend(_check_quotes(ann, spans, entities, path))
    return incidents


def check_pass(ann, path: str, doc: Document | None, expected_doc_id: str) -> list[Incident]:
    """Checks of one annotator's pass: schema, article, offsets and copied text.

    Passes are kept as the annotators left them, so token boundaries and
    registry links are checked only in the adjudicated gold files.
    """
    incidents = _structure(ann, path, doc, expected_doc_id)
    if doc is None or any(i.check != "annotation-doc-id" for i in incidents):
        return incidents
    for where, span in _raw_spans(ann):
        incidents.extend(raw_span_problems(doc.raw_text, span, where, path))
    return incidents


def raw_span_problems(raw: str, span: dict, where: str, path: str) -> list[Incident]:
    """``span-range`` or ``span-text``: offsets inside the raw text, copied text equal to it."""
    start, end = span["start"], span["end"]
    if not 0 <= start < end <= len(raw):
        return [Incident(path, where, "span-range",
                         f"offsets [{start}, {end}); expected 0 <= start < end <= {len(raw)} "
                         "(the raw article's length)")]
    found = raw[start:end]
    if found != span["text"]:
        hint = ""
        if unicodedata.normalize("NFC", found) == unicodedata.normalize("NFC", span["text"]):
            hint = " (the same letters in another Unicode normal form: copy the text in NFC)"
        elif found.strip() == span["text"].strip():
            hint = " (they differ in white space at the edges)"
        return [Incident(path, where + "/text", "span-text",
                         f"copied text {clip(span['text'])} but the raw text at [{start}, {end}) "
                         f"(line {raw.count(chr(10), 0, start) + 1}) is {clip(found)}{hint}")]
    return []


def _raw_spans(ann: dict) -> Iterable[tuple[str, dict]]:
    for k, m in enumerate(ann["mentions"]):
        yield f"/mentions/{k}", m
    for k, q in enumerate(ann["quotes"]):
        yield f"/quotes/{k}/cue", q["cue"]
        for j, c in enumerate(q["content"]):
            yield f"/quotes/{k}/content/{j}", c
        if q["speaker"] is not None:
            yield f"/quotes/{k}/speaker", q["speaker"]


def _duplicate_ids(ann: dict, path: str) -> Iterable[Incident]:
    for layer in ("mentions", "quotes"):
        seen: dict[str, int] = {}
        for k, rec in enumerate(ann[layer]):
            if rec["id"] in seen:
                yield Incident(path, f"/{layer}/{k}/id", "duplicate-id",
                               f"{rec['id']!r} is also /{layer}/{seen[rec['id']]}; expected unique")
            seen.setdefault(rec["id"], k)


class _SpanChecker:
    """Checks raw spans against the document and the token boundaries."""

    def __init__(self, doc: Document, sentences: list[Sentence], path: str):
        self.doc, self.sentences, self.path = doc, sentences, path
        self.token_starts = {s.start + t.start for s in sentences for t in s.tokens}
        self.token_ends = {s.start + t.end for s in sentences for t in s.tokens}
        self.sentence_starts = [s.start for s in sentences]  # sorted: sentences are in order

    def check(self, span: dict, where: str) -> list[Incident]:
        found = raw_span_problems(self.doc.raw_text, span, where, self.path)
        if found:
            return found
        ns, ne = self.doc.alignment.raw_to_norm(span["start"], span["end"])
        if ns >= ne:
            return [Incident(self.path, where, "span-empty",
                             f"{clip(span['text'])} normalises to nothing; expected a token")]
        bad = [] if ns in self.token_starts else [f"starts inside a token at {ns}"]
        bad += [] if ne in self.token_ends else [f"ends inside a token at {ne}"]
        if bad:
            return [Incident(self.path, where, "span-token",
                             f"{clip(span['text'])} {' and '.join(bad)} of the normalised text "
                             f"{clip(self._context(ns, ne))}; expected whole tokens")]
        return []

    def sentence_of(self, start: int, end: int) -> Sentence | None:
        """The sentence holding the span, found by bisection (files may hold thousands)."""
        ns, ne = self.doc.alignment.raw_to_norm(start, end)
        k = bisect_right(self.sentence_starts, ns) - 1
        if k >= 0 and ns >= self.sentences[k].start and ne <= self.sentences[k].end:
            return self.sentences[k]
        return None

    def _context(self, ns: int, ne: int) -> str:
        # the words around the span, looked for within a bounded window
        text, window = self.doc.text, 40
        lo = text.rfind(" ", max(ns - window, 0), ns)
        hi = text.find(" ", ne, ne + window)
        return text[max(lo, ns - window, 0) : hi if hi >= 0 else min(ne + window, len(text))
                    ].strip()


def _check_mentions(ann: dict, spans: _SpanChecker, entities: dict[str, Entity],
                    path: str) -> Iterable[Incident]:
    placed: list[tuple[int, int, int]] = []
    for k, m in enumerate(ann["mentions"]):
        where = f"/mentions/{k}"
        found = spans.check(m, where)
        yield from found
        if not found:
            if spans.sentence_of(m["start"], m["end"]) is None:
                yield Incident(path, where, "span-sentence",
                               f"{clip(m['text'])} crosses a sentence boundary; expected one "
                               "sentence")
            placed.append((m["start"], m["end"], k))
        entity = m["entity"]
        if m["type"] in NUMERIC_TYPES:
            if entity is not None:
                yield Incident(path, where + "/entity", "mention-entity-numeric",
                               f"{m['type']} mention links to {entity!r}; expected null")
        elif entity is None:
            yield Incident(path, where + "/entity", "mention-entity-missing",
                           f"{m['type']} mention {clip(m['text'])} has no entity; expected a "
                           "registry id")
        elif isinstance(entities, UnusableRegistry):
            pass
        elif entity not in entities:
            yield Incident(path, where + "/entity", "unknown-entity",
                           f"{entity!r} is not in the registry")
        elif entities[entity].is_group:
            yield Incident(path, where + "/entity", "group-as-mention",
                           f"{entity!r} is a group; expected an individual entity")
        elif (entities[entity].type != m["type"]
              and not _metonymy_ok(entities[entity].type, m["type"])):
            yield Incident(path, where + "/type", "mention-entity-type",
                           f"mention typed {m['type']} links to {entity!r} of type "
                           f"{entities[entity].type}; expected the same type")
    placed.sort()
    # Compare each mention with the furthest-reaching one before it, not only its
    # neighbour: [0, 9) overlaps [5, 6) even when [1, 2) sorts between them.
    reach: tuple[int, int, int] | None = None
    for s2, e2, k2 in placed:
        if reach is not None and s2 < reach[1]:
            yield Incident(path, f"/mentions/{k2}", "mention-overlap",
                           f"[{s2}, {e2}) overlaps /mentions/{reach[2]} [{reach[0]}, {reach[1]}); "
                           "expected flat, non-overlapping spans")
        if reach is None or e2 > reach[1]:
            reach = (s2, e2, k2)


def _metonymy_ok(entity_type: str, mention_type: str) -> bool:
    """Whether a mention may carry another type than its entity.

    The guidelines type a building by its role in the sentence: «کاخ کرملین» is
    FAC as a place and ORG as an actor, linked to one entity.
    """
    return {entity_type, mention_type} <= {"FAC", "ORG"}


def _check_quotes(ann: dict, spans: _SpanChecker, entities: dict[str, Entity],
                  path: str) -> Iterable[Incident]:
    ids = {q["id"] for q in ann["quotes"]}
    parents = {q["id"]: q["parent"] for q in ann["quotes"]}
    cyclic = _cycles(parents)
    for k, q in enumerate(ann["quotes"]):
        where = f"/quotes/{k}"
        yield from spans.check(q["cue"], where + "/cue")
        last_end = -1
        for j, c in enumerate(q["content"]):
            yield from spans.check(c, f"{where}/content/{j}")
            if c["start"] < last_end:
                yield Incident(path, f"{where}/content/{j}", "content-order",
                               f"starts at {c['start']} before the previous span ends at "
                               f"{last_end}; expected ordered, disjoint spans")
            last_end = max(last_end, c["end"])
        if q["speaker"] is not None:
            yield from spans.check(q["speaker"], where + "/speaker")
        if (q["speaker"] is None) != (q["speaker_kind"] == "none"):
            yield Incident(path, where + "/speaker_kind", "speaker-kind",
                           f"speaker_kind {q['speaker_kind']!r} with "
                           f"{'no' if q['speaker'] is None else 'a'} speaker span; expected "
                           "'none' exactly when there is no span")
        speaker, addressee = q["speaker_entity"], q["addressee_entity"]
        usable = not isinstance(entities, UnusableRegistry)
        if speaker == "unknown":
            if q["speaker_kind"] == "pronoun":
                said = clip(q["speaker"]["text"]) if q["speaker"] else "the pronoun"
                yield Incident(path, where + "/speaker_entity", "speaker-unresolved",
                               f"{said} has no entity; expected the registry id the pronoun "
                               "refers to")
        elif not usable:
            pass
        elif speaker not in entities:
            yield Incident(path, where + "/speaker_entity", "unknown-entity",
                           f"{speaker!r} is not in the registry")
        elif not entities[speaker].is_group and entities[speaker].type not in SPEAKER_TYPES:
            yield Incident(path, where + "/speaker_entity", "speaker-type",
                           f"{speaker!r} is {entities[speaker].type}; expected a person, "
                           "organisation, nation or group")
        if usable and addressee is not None and addressee not in entities:
            yield Incident(path, where + "/addressee_entity", "unknown-entity",
                           f"{addressee!r} is not in the registry")
        parent = q["parent"]
        if parent is not None and parent not in ids:
            yield Incident(path, where + "/parent", "quote-parent-missing",
                           f"parent {parent!r} is not a quotation of this file")
        elif parent is not None and q["id"] in cyclic:
            yield Incident(path, where + "/parent", "quote-parent-cycle",
                           f"{q['id']!r} is its own ancestor through {parent!r}; expected a tree")


def _cycles(parents: dict[str, str | None]) -> set[str]:
    """The quotations that are their own ancestors, in time linear in their number.

    A quotation whose ancestors loop among themselves without it is not in the
    set: the quotations of that loop are.
    """
    done: set[str] = set()
    cyclic: set[str] = set()
    for start in parents:
        path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in parents and node not in done and node not in path:
            path[node] = len(path)
            node = parents[node]
        if node in path:  # came back to a node of this walk: the loop is its tail
            cyclic.update(list(path)[path[node]:])
        done.update(path)
    return cyclic
