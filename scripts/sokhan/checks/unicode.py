"""Unicode hazards: the code points that change how a text displays, compares or splits.

Seeds and every JSON string are checked with the same rules (:func:`hazards`,
:func:`nfc_problem`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from sokhan.checks.incidents import Incident, clip
from sokhan.checks.jsonfile import pointer, walk

#: Bidirectional controls: marks, embeddings, overrides and isolates.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Invisible characters Persian text may contain: ZWNJ (a letter-joining control of
#: the orthography), tab and line feed.
_ALLOWED = "\t\n\u200c"


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
    # The common case, decided in C: printable text has none. ``replace`` finds the
    # allowed characters with a fast search and returns the text itself when there is
    # none (measured on 11 000 news lines: 0.12 s with ``translate``, 0.01 s here).
    rest = text.replace("\u200c", "").replace("\n", "").replace("\t", "")
    if rest.isprintable() and "\ufffd" not in rest:
        return
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
