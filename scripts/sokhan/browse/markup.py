"""Standoff spans to nested HTML.

Annotations overlap freely (a quotation's content crosses sentence ends, a
speaker span is also a mention, one speaker span serves two quotations), but
HTML elements must nest. Each span has a rank (lines outside sentences outside
quotation parts outside mentions); where a span crosses the edge of an outer
one it is drawn in fragments, the first carrying its id and every later one
marked ``data-cont``, so a page query for first fragments finds each span once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from itertools import pairwise


def esc(text: str) -> str:
    """Text or attribute value, HTML-escaped (quotes included)."""
    return escape(text, quote=True)


def attrs(**values: str | None) -> str:
    """`` name="value"`` pairs in the given order; None values are left out.

    A trailing underscore is dropped and other underscores become dashes, so
    ``class_`` and ``data_q`` give ``class`` and ``data-q``.
    """
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{esc(value)}"'
        for name, value in values.items()
        if value is not None
    )


@dataclass(frozen=True)
class Mark:
    """A span to draw: ``open_tag(first)`` gives its start tag, ``first`` for the first fragment."""

    start: int
    end: int
    rank: int
    key: str
    open_tag: Callable[[bool], str]
    tag: str = "span"


def nest(text: str, marks: Iterable[Mark]) -> str:
    """``text`` as HTML with every mark drawn, fragmenting marks that cross outer ones.

    Offsets are indices into ``text``; empty marks are not drawn (a caller that
    needs a zero-width marker puts it on a neighbouring span).
    """
    spans = sorted(
        (m for m in marks if m.start < m.end), key=lambda m: (m.rank, m.start, -m.end, m.key)
    )
    order = {id(m): i for i, m in enumerate(spans)}
    points = sorted({0, len(text), *(p for m in spans for p in (m.start, m.end))})
    out: list[str] = []
    stack: list[Mark] = []
    opened: set[int] = set()
    for a, b in pairwise(points):
        covering = [m for m in spans if m.start <= a and b <= m.end]
        covering.sort(key=lambda m: order[id(m)])
        keep = 0
        while keep < min(len(stack), len(covering)) and stack[keep] is covering[keep]:
            keep += 1
        for m in reversed(stack[keep:]):
            out.append(f"</{m.tag}>")
        for m in covering[keep:]:
            out.append(m.open_tag(id(m) not in opened))
            opened.add(id(m))
        stack = covering
        out.append(esc(text[a:b]))
    out.extend(f"</{m.tag}>" for m in reversed(stack))
    return "".join(out)
