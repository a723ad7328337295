"""Anchors: a span written as ``{line, text, occurrence}`` instead of raw offsets.

A reviewer corrects a draft by copying strings from the article: a span is the
``text`` as it stands on 1-based ``line``, the ``occurrence``-th time (from 1) it
starts on that line. :func:`to_offsets` turns anchors into the raw ``start`` /
``end`` offsets of the annotation files, :func:`to_anchors` turns offsets back, and
a file may mix both forms (a span with ``start`` and ``end`` is left as it is).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

from sokhan.checks.incidents import Incident, clip


@dataclass(frozen=True)
class Anchor:
    """Where a copied string is: its line (from 1), text, and occurrence on the line (from 1)."""

    line: int
    text: str
    occurrence: int = 1


def line_starts(raw: str) -> list[int]:
    """The raw offset at which each line starts (index 0 is line 1)."""
    starts = [0]
    starts += [k + 1 for k, c in enumerate(raw) if c == "\n"]
    return starts


def locate(raw: str, anchor: Anchor) -> tuple[int, int] | str:
    """The ``(start, end)`` offsets of an anchor, or why it does not resolve."""
    starts = line_starts(raw)
    if not 1 <= anchor.line <= len(starts):
        return f"line {anchor.line} does not exist; the article has {len(starts)} lines"
    if not anchor.text:
        return "the anchor text is empty; expected the span's text copied from the article"
    lo = starts[anchor.line - 1]
    hi = starts[anchor.line] if anchor.line < len(starts) else len(raw) + 1
    found, at = 0, raw.find(anchor.text, lo)
    while 0 <= at < hi:
        found += 1
        if found == anchor.occurrence:
            return at, at + len(anchor.text)
        at = raw.find(anchor.text, at + 1)
    return (f"{clip(anchor.text)} starts {found} time(s) on line {anchor.line}; expected "
            f"occurrence {anchor.occurrence}")


def anchor_of(raw: str, start: int, end: int) -> Anchor:
    """The anchor of raw offsets ``[start, end)``: its line and its occurrence there."""
    line = raw.count("\n", 0, start) + 1
    lo = raw.rfind("\n", 0, start) + 1
    text = raw[start:end]
    occurrence, at = 1, raw.find(text, lo)
    while at != start:
        occurrence += 1
        at = raw.find(text, at + 1)
    return Anchor(line, text, occurrence)


def _spans(ann: dict) -> Iterator[tuple[str, dict]]:
    """Every span object of an annotation file with its JSON pointer."""
    for k, m in enumerate(ann.get("mentions", [])):
        yield f"/mentions/{k}", m
    for k, q in enumerate(ann.get("quotes", [])):
        if isinstance(q.get("cue"), dict):
            yield f"/quotes/{k}/cue", q["cue"]
        for j, c in enumerate(q.get("content", [])):
            yield f"/quotes/{k}/content/{j}", c
        if isinstance(q.get("speaker"), dict):
            yield f"/quotes/{k}/speaker", q["speaker"]


def to_offsets(ann: dict, raw: str, path: str) -> tuple[dict, list[Incident]]:
    """A copy of ``ann`` with every anchored span given ``start`` and ``end``.

    An anchored span has ``line`` (and optionally ``occurrence``) beside its
    ``text``; both keys are removed. Spans that do not resolve are reported as
    ``anchor-unresolved`` incidents.
    """
    out = copy.deepcopy(ann)
    incidents = []
    for ptr, span in _spans(out):
        if not isinstance(span, dict) or "line" not in span:
            continue
        line, occurrence = span.pop("line"), span.pop("occurrence", 1)
        text = span.get("text")
        if not (isinstance(line, int) and isinstance(occurrence, int)
                and isinstance(text, str)):
            incidents.append(Incident(path, ptr, "anchor-unresolved",
                                      "line and occurrence must be integers and text a string"))
            continue
        where = locate(raw, Anchor(line, text, occurrence))
        if isinstance(where, str):
            incidents.append(Incident(path, ptr, "anchor-unresolved", where))
            continue
        span["start"], span["end"] = where
        _reorder(span)
    return out, incidents


def to_anchors(ann: dict, raw: str) -> dict:
    """A copy of ``ann`` with every span's ``start`` / ``end`` replaced by an anchor.

    Spans whose offsets fall outside the text are left as they are (the checks
    report them).
    """
    out = copy.deepcopy(ann)
    for _, span in _spans(out):
        start, end = span.get("start"), span.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw)):
            continue
        anchor = anchor_of(raw, start, end)
        del span["start"], span["end"]
        span["line"], span["text"], span["occurrence"] = anchor.line, anchor.text, \
            anchor.occurrence
        _reorder(span, anchored=True)
    return out


#: Key order of a span, so an anchored file reads like a gold one.
_FIRST = ("id", "start", "end", "line", "occurrence", "text")


def _reorder(span: dict, anchored: bool = False) -> None:
    items = dict(span)
    span.clear()
    for key in (("id", "line", "occurrence", "text") if anchored else _FIRST):
        if key in items:
            span[key] = items.pop(key)
    span.update(items)
