"""Exact character alignment between a raw text and its normalised form.

The normaliser inserts and deletes spaces and ZWNJs, maps letters and digits one
to one (Arabic to Persian forms), and rewrites a few sequences (``...`` → ``…``).
:func:`align` recovers those edit operations with a linear left-to-right walk,
so every offset in one text maps to an offset in the other; nothing is guessed
from string similarity except, as a last resort, inside one line: a short line is
diffed whole, a long one only in a window around each change the walk cannot
explain, so a line of any length costs time linear in its length. Runs of
characters that agree are compared as slices, not one by one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

#: Characters the normaliser may delete without a trace.
DELETABLE = frozenset(
    " \t\r\u200c\u200b\u200d\u200e\u200f\u0640\ufeff"
    + "".join(chr(c) for c in range(0x064B, 0x0653))  # harakat and shadda
    + "\u0653\u0654\u0655\u0670"
)
#: Characters the normaliser may insert.
INSERTABLE = frozenset(" \u200c")
#: Letters of which hazm shortens a run of three or more (``decrease_repeated_chars``).
REPEATABLE = frozenset("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")
#: Lines up to this many characters (raw plus normalised) fall back to a diff of
#: the whole line: ``difflib`` is quadratic, and 1 000 characters take ~10 ms.
WHOLE_LINE_DIFF = 1_000
#: In a longer line the fallback diffs a window: it starts this many characters
#: before the failure (the walk's last choices there may have been wrong) …
BACKUP = 16
#: … and reaches this far past it at first, widening up to ``MAX_WINDOW`` …
WINDOW = 32
MAX_WINDOW = 128
#: … until it finds a run of this many equal characters after the failure, where
#: the walk takes over again.
RESYNC = 8


class Fold:
    """A one-for-one map of characters (the normaliser's letter and digit tables), callable.

    :func:`align` folds a whole line with ``str.translate`` on the table itself; any
    other callable makes it build a table per line from the line's characters first,
    which cost 40% of the alignment (measured on 11 000 synthetic news lines).
    """

    def __init__(self, table: dict[int, str]) -> None:
        if any(len(v) != 1 for v in table.values()):
            raise ValueError("a Fold maps each character to exactly one character")
        self.table = table
        # Most lines hold no character to fold: one search instead of a translate,
        # which looks up every character (measured: a fifth of the alignment).
        self.changes = re.compile(
            "[" + re.escape("".join(sorted(chr(k) for k, v in table.items() if chr(k) != v))) + "]")

    def line(self, text: str) -> str:
        """``text`` with every character folded."""
        return text.translate(self.table) if self.changes.search(text) else text

    def __call__(self, char: str) -> str:
        """The character ``char`` folds to."""
        return self.table.get(ord(char), char)


class Segment(NamedTuple):
    """A piece of the alignment: ``raw[rs:re]`` became ``norm[ns:ne]``.

    ``same`` segments are one-to-one runs (``re - rs == ne - ns``) whose characters
    correspond position by position; the others are replacements, insertions
    (``rs == re``) or deletions (``ns == ne``).

    A named tuple, not a frozen dataclass: the walk makes about ten per line, and a
    frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``,
    three times the cost (4.5% of ``sokhan process``'s time, sampled on 1 000
    synthetic articles, went to those ``__init__`` calls).
    """

    rs: int
    re: int
    ns: int
    ne: int
    same: bool


@dataclass(frozen=True)
class Alignment:
    """A monotone alignment covering both texts end to end."""

    raw_len: int
    norm_len: int
    segments: tuple[Segment, ...]
    _ns: list[int] = field(default_factory=list, repr=False, compare=False)
    _rs: list[int] = field(default_factory=list, repr=False, compare=False)
    _columns: list[np.ndarray] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._ns.extend(s.ns for s in self.segments)
        self._rs.extend(s.rs for s in self.segments)

    def norm_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span to the smallest raw span that produced it."""
        return (
            _boundary(self.segments, self._ns, start, "n", is_start=True),
            _boundary(self.segments, self._ns, end, "n", is_start=False),
        )

    def norm_bounds_to_raw(self, bounds: np.ndarray) -> list[int]:
        """:meth:`norm_to_raw` of spans given flat as ``start, end, start, end, …``.

        The common case, a boundary strictly inside a run of agreeing text, is
        answered for all boundaries at once with NumPy; the rest go to the general
        rule one by one. Per token this is a fifth of two method calls (measured on
        790 000 tokens: 1.3 s of method calls, 0.25 s here).
        """
        if not len(bounds):
            return []
        if not self.segments:
            return [_boundary(self.segments, self._ns, int(p), "n", is_start=k % 2 == 0)
                    for k, p in enumerate(bounds.tolist())]
        ns, ne, rs, same = self._arrays()
        k = np.searchsorted(ns, bounds, side="right") - 1
        k[k < 0] = 0  # before the first segment: left to the general rule below
        inside = same[k] & (ns[k] < bounds) & (bounds < ne[k])
        mapped: list[int] = (rs[k] + (bounds - ns[k])).tolist()
        for index in np.flatnonzero(~inside).tolist():
            mapped[index] = _boundary(self.segments, self._ns, int(bounds[index]), "n",
                                      is_start=index % 2 == 0)
        return mapped

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The segments' ``ns``, ``ne``, ``rs`` and ``same`` as arrays, made once."""
        if not self._columns:
            segs = self.segments
            self._columns.extend([
                np.fromiter((s.ns for s in segs), np.int64, len(segs)),
                np.fromiter((s.ne for s in segs), np.int64, len(segs)),
                np.fromiter((s.rs for s in segs), np.int64, len(segs)),
                np.fromiter((s.same for s in segs), np.bool_, len(segs)),
            ])
        ns, ne, rs, same = self._columns
        return ns, ne, rs, same

    def raw_to_norm(self, start: int, end: int) -> tuple[int, int]:
        """Map a raw span to the normalised span it became."""
        return (
            _boundary(self.segments, self._rs, start, "r", is_start=True),
            _boundary(self.segments, self._rs, end, "r", is_start=False),
        )

    def changes(self, raw: str, norm: str) -> Iterable[tuple[str, str]]:
        """Yield ``(raw_piece, norm_piece)`` for every segment that changed text."""
        for s in self.segments:
            before, after = raw[s.rs : s.re], norm[s.ns : s.ne]
            if before != after:
                yield before, after


def _boundary(
    segments: tuple[Segment, ...], keys: list[int], pos: int, side: str, *, is_start: bool
) -> int:
    """Map boundary ``pos`` of one text to a boundary of the other.

    At a boundary several positions of the other text may qualify (around deleted
    or inserted characters); a span start takes the last of them and a span end
    the first, so spans never absorb characters that were added or dropped at
    their edges. Inside a replacement the span is widened to the whole of it.
    """
    from_norm = side == "n"
    # Most boundaries fall strictly inside one segment (a run of agreeing text).
    k = bisect_right(keys, pos) - 1
    if k >= 0:
        s = segments[k]
        lo, hi, lo_out, hi_out = (s.ns, s.ne, s.rs, s.re) if from_norm else (
            s.rs, s.re, s.ns, s.ne)
        if lo < pos < hi:
            if s.same:
                return lo_out + (pos - lo)
            return lo_out if is_start else hi_out
    candidates: list[int] = []
    # Segments that start at pos, and the one just before them (may end at or contain pos).
    first = bisect_left(keys, pos)
    last = bisect_right(keys, pos)
    for i in range(max(first - 1, 0), min(last + 1, len(segments))):
        s = segments[i]
        if from_norm:
            lo, hi, lo_out, hi_out = s.ns, s.ne, s.rs, s.re
        else:
            lo, hi, lo_out, hi_out = s.rs, s.re, s.ns, s.ne
        if lo == pos:
            candidates.append(lo_out)
        if hi == pos:
            candidates.append(hi_out)
        if lo < pos < hi:
            if s.same:
                return lo_out + (pos - lo)
            return lo_out if is_start else hi_out
    if not candidates:
        if pos == 0 and not segments:
            return 0
        raise ValueError(f"offset {pos} lies outside the aligned text")
    return max(candidates) if is_start else min(candidates)


def align(raw: str, norm: str, fold: Callable[[str], str], rewrites: dict[str, str]) -> Alignment:
    """Align ``raw`` with ``norm``, its normalised form.

    Args:
        raw: the original text.
        norm: the normalised text.
        fold: maps one raw character to the character the normaliser turns it into.
        rewrites: multi-character rewrites the normaliser makes (``"..." -> "…"``).

    Returns:
        The alignment. Falls back to a character diff for a line only when the
        walk meets a change it cannot explain (for example a deleted letter).
    """
    segments: list[Segment] = []
    line_raw_start = line_norm_start = 0
    raw_lines, norm_lines = raw.split("\n"), norm.split("\n")
    if len(raw_lines) != len(norm_lines):
        raise ValueError("normalisation must keep the number of lines")
    # A rewrite can only start at its first character: most changes (a space, a
    # ZWNJ) skip the scan of every rewrite (measured: ~10% of the alignment).
    starts = {before[:1] for before in rewrites}
    for k, (r, n) in enumerate(zip(raw_lines, norm_lines, strict=True)):
        if k:
            segments.append(Segment(line_raw_start - 1, line_raw_start,
                                    line_norm_start - 1, line_norm_start, True))
        for s in _align_line(r, n, fold, rewrites, starts):
            segments.append(Segment(s.rs + line_raw_start, s.re + line_raw_start,
                                    s.ns + line_norm_start, s.ne + line_norm_start, s.same))
        line_raw_start += len(r) + 1
        line_norm_start += len(n) + 1
    return Alignment(len(raw), len(norm), tuple(_merge(segments)))


def _merge(segments: list[Segment]) -> list[Segment]:
    """Merge adjacent one-to-one segments into runs; drop empty ones."""
    out: list[Segment] = []
    for s in segments:
        if s.rs == s.re and s.ns == s.ne:
            continue
        if out and s.same and out[-1].same and out[-1].re == s.rs and out[-1].ne == s.ns:
            p = out.pop()
            s = Segment(p.rs, s.re, p.ns, s.ne, True)
        out.append(s)
    return out


def _align_line(
    raw: str, norm: str, fold: Callable[[str], str], rewrites: dict[str, str],
    starts: set[str],
) -> list[Segment]:
    i = j = 0
    out: list[Segment] = []
    # With a one-for-one fold the walk compares whole runs at C speed; it gives the
    # same segments as a character-by-character walk once they are merged.
    if isinstance(fold, Fold):
        folded: str | None = fold.line(raw)
    else:
        table = {ord(c): fold(c) for c in set(raw)}
        folded = raw.translate(table) if all(len(f) == 1 for f in table.values()) else None
    while i < len(raw) or j < len(norm):
        rc = raw[i] if i < len(raw) else None
        nc = norm[j] if j < len(norm) else None
        if folded is not None and rc is not None and nc is not None and folded[i] == nc:
            n = _equal_run(folded, i, norm, j)
            _append_run(out, raw, norm, i, j, n)
            i += n
            j += n
            continue
        if rc is not None and nc is not None and (rc == nc or fold(rc) == nc):
            out.append(Segment(i, i + 1, j, j + 1, rc == nc))
            i += 1
            j += 1
            continue
        rewritten = _rewrite_at(raw, i, norm, j, rewrites) if rc in starts else None
        if rewritten:
            a, b = rewritten
            out.append(Segment(i, i + a, j, j + b, False))
            i, j = i + a, j + b
        elif _in_shortened_run(raw, i, fold):
            # «سلاممممم» → «سلامم»: the letters hazm dropped go with the word
            _split_last(out)
            prev = out.pop() if out else Segment(i, i, j, j, False)
            out.append(Segment(prev.rs, i + 1, prev.ns, prev.ne, False))
            i += 1
        elif rc in INSERTABLE and nc in INSERTABLE:  # space ↔ ZWNJ
            out.append(Segment(i, i + 1, j, j + 1, False))
            i, j = i + 1, j + 1
        elif rc is not None and rc in DELETABLE:
            _split_last(out)
            last = out[-1] if out else None
            if last and last.ne > last.ns and unicodedata.category(rc) == "Mn":
                # A removed diacritic belongs to the letter it sits on: a word's raw
                # span keeps its marks («مستقیماً»), so it stays one segment with it.
                out[-1] = Segment(last.rs, i + 1, last.ns, last.ne, False)
            else:
                out.append(Segment(i, i + 1, j, j, False))
            i += 1
        elif nc is not None and nc in INSERTABLE:
            out.append(Segment(i, i, j, j + 1, False))
            j += 1
        elif rc is not None and nc is not None and _is_substitution(raw, i, norm, j, fold):
            out.append(Segment(i, i + 1, j, j + 1, False))
            i, j = i + 1, j + 1
        elif len(raw) + len(norm) <= WHOLE_LINE_DIFF:
            return _diff_line(raw, norm, fold)
        else:
            i, j = _diff_window(raw, norm, fold, out, i, j)
    return out


def _diff_window(raw: str, norm: str, fold: Callable[[str], str], out: list[Segment],
                 fi: int, fj: int) -> tuple[int, int]:
    """Align the neighbourhood of a failure at ``(fi, fj)`` by a diff; return where to resume.

    Replaces the last segments of ``out`` (up to :data:`BACKUP` characters before
    the failure) and appends the diff's segments up to the end of the first run of
    :data:`RESYNC` equal characters that lies past the failure in both texts. The
    returned position is past ``(fi, fj)`` in both texts unless one is exhausted,
    so the walk always makes progress, and each call costs at most
    ``O(MAX_WINDOW²)``.
    """
    # Only segments lying wholly within BACKUP characters of the failure are
    # undone, so a window never grows with what earlier windows produced.
    while out:
        s = out[-1]
        if s.same and s.re - s.rs > 1:
            # a run stands for one-character segments: undo those within BACKUP
            keep = max(fi - BACKUP - s.rs, fj - BACKUP - s.ns, 0)
            if keep >= s.re - s.rs:
                break
            out.pop()
            if keep:
                out.append(Segment(s.rs, s.rs + keep, s.ns, s.ns + keep, True))
                break
        elif s.rs >= fi - BACKUP and s.ns >= fj - BACKUP:
            out.pop()
        else:
            break
    i0, j0 = (out[-1].re, out[-1].ne) if out else (0, 0)
    width = WINDOW
    while True:
        ri, nj = min(len(raw), fi + width), min(len(norm), fj + width)
        folded = "".join(fold(c) for c in raw[i0:ri])
        matcher = difflib.SequenceMatcher(None, folded, norm[j0:nj], autojunk=False)
        segments: list[Segment] = []
        for tag, rs, re_, ns, ne in matcher.get_opcodes():
            rs, re_, ns, ne = rs + i0, re_ + i0, ns + j0, ne + j0
            if tag != "equal":
                segments.append(Segment(rs, re_, ns, ne, False))
                continue
            segments.extend(Segment(rs + k, rs + k + 1, ns + k, ns + k + 1,
                                    raw[rs + k] == norm[ns + k]) for k in range(re_ - rs))
            if re_ - rs >= RESYNC and re_ > fi and ne > fj:
                out.extend(segments)
                return re_, ne
        if (ri, nj) == (len(raw), len(norm)) or width >= MAX_WINDOW:
            # Both texts end in the window, or nothing re-synchronises within
            # the widest one: take the diff of the whole window as it is.
            out.extend(segments)
            return ri, nj
        width *= 2


def _equal_run(a: str, i: int, b: str, j: int) -> int:
    """Length of the common run of ``a[i:]`` and ``b[j:]`` (galloping slice compares).

    Most runs end where the normaliser put a ZWNJ the raw text lacks: that guess
    is tried first, with one compare (measured: the walk's runs cost a third less).
    """
    limit = min(len(a) - i, len(b) - j)
    n, step = 0, 16
    guess = b.find("\u200c", j, j + limit) - j
    if guess > 0 and a[i : i + guess] == b[j : j + guess]:
        if a[i + guess] != b[j + guess]:
            return guess
        n = guess + 1
    while n < limit:
        size = min(step, limit - n)
        if a[i + n : i + n + size] == b[j + n : j + n + size]:
            n += size
            step *= 2
        elif size == 1:
            break
        else:
            step = size // 2
    return n


def _append_run(out: list[Segment], raw: str, norm: str, i: int, j: int, n: int) -> None:
    """Segments for ``n`` characters that fold equal: runs of identical ones, single others."""
    if raw[i : i + n] == norm[j : j + n]:
        out.append(Segment(i, i + n, j, j + n, True))
        return
    start = 0
    for k in range(n):
        if raw[i + k] != norm[j + k]:
            if k > start:
                out.append(Segment(i + start, i + k, j + start, j + k, True))
            out.append(Segment(i + k, i + k + 1, j + k, j + k + 1, False))
            start = k + 1
    if n > start:
        out.append(Segment(i + start, i + n, j + start, j + n, True))


def _split_last(out: list[Segment]) -> None:
    """Split the last character off a trailing run, for the steps that extend or drop it."""
    if out and out[-1].same and out[-1].re - out[-1].rs > 1:
        s = out.pop()
        out.append(Segment(s.rs, s.re - 1, s.ns, s.ne - 1, True))
        out.append(Segment(s.re - 1, s.re, s.ne - 1, s.ne, True))


def _in_shortened_run(raw: str, i: int, fold: Callable[[str], str]) -> bool:
    """Whether ``raw[i]`` repeats the letter before it in a run of three or more.

    Only reached when the normalised text does not continue with that letter, so
    the normaliser shortened the run here.
    """
    if i == 0 or i >= len(raw):
        return False
    letter = fold(raw[i])
    if letter not in REPEATABLE or fold(raw[i - 1]) != letter:
        return False
    return (i >= 2 and fold(raw[i - 2]) == letter) or (
        i + 1 < len(raw) and fold(raw[i + 1]) == letter)


def _rewrite_at(raw: str, i: int, norm: str, j: int, rewrites: dict[str, str]):
    for before, after in rewrites.items():
        if raw.startswith(before, i) and norm.startswith(after, j):
            return len(before), len(after)
    return None


def _is_substitution(raw: str, i: int, norm: str, j: int, fold: Callable[[str], str]) -> bool:
    """A one-for-one swap of punctuation (``"`` → ``«``, ``.`` → ``٫``, ``٬`` → ``،``).

    Letters never swap, so a letter mismatch sends the line to the diff fallback.
    """
    return not raw[i].isalpha() and not norm[j].isalpha()


def _diff_line(raw: str, norm: str, fold: Callable[[str], str]) -> list[Segment]:
    folded = "".join(fold(c) for c in raw)
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, folded, norm, autojunk=False)
    for tag, rs, re_, ns, ne in matcher.get_opcodes():
        if tag == "equal":
            out.extend(Segment(rs + k, rs + k + 1, ns + k, ns + k + 1, raw[rs + k] == norm[ns + k])
                       for k in range(re_ - rs))
        else:
            out.append(Segment(rs, re_, ns, ne, False))
    return out
