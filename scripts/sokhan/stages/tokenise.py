"""Tokenisation stage: hazm's WordTokenizer, kept to exact substrings.

hazm joins verb parts with ``_`` by default (``خواهد_کرد``), which is not a
substring of the text; ``join_verb_parts=False`` keeps every token verbatim.
The tokens are matched in place with hazm's own rule (:data:`_TOKEN`), so each
comes with its offsets; a test checks them against ``WordTokenizer``.
Hyphens and dashes are split off as tokens of their own so that a name glued to
a dash (``تهران-``) is a whole token an entity span can cover.
"""

from __future__ import annotations

import re
from itertools import chain

import numpy as np

from sokhan.checks.incidents import BuildError, Incident
from sokhan.records import Document, Sentence, TokenColumns
from sokhan.stages.hazm_steps import token_rule

#: Options that change the tokens; recorded in the build manifest.
TOKENIZER_OPTIONS: dict[str, bool] = {
    "join_verb_parts": False,
    "join_abbreviations": False,
    "separate_emoji": False,
    "replace_links": False,
    "replace_ids": False,
    "replace_emails": False,
    "replace_numbers": False,
    "replace_hashtags": False,
}

#: hazm's ``WordTokenizer(join_verb_parts=False)`` tokens as spans
#: (:func:`~sokhan.stages.hazm_steps.token_rule`), with a dash as a token of its own,
#: so each token's offsets come with it instead of being searched for (measured on
#: 790 000 tokens: 2.1 s → 0.6 s). ``tests/test_tokenise.py`` checks it against
#: hazm's tokenizer followed by the dash split.
_TOKEN = re.compile(token_rule(r"[\-–—]", r"\-–—"))
#: What separates tokens (everything else is in one).
_GAPS = (" ", "\n", "\t")


def split_words(text: str) -> list[str]:
    """hazm's tokens for ``text``, with edge and inner dashes split off.

    A hyphen written between a digit and a letter or digit, with no space, stays
    inside one token: «اس-۴۰۰», «F-35», «۲۰۲۵-۲۰۲۶» are one designation, range or
    date (hazm's tokenizer cuts them in three).
    """
    return [text[s:e] for s, e in token_spans(text)]


def token_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every token of :func:`split_words` in ``text``."""
    spans = [m.span() for m in _TOKEN.finditer(text)]
    if "-" not in text and "–" not in text:
        return spans  # no hyphen to join across (most sentences)
    out: list[tuple[int, int]] = []
    for start, end in spans:
        # only a one-character hyphen token can join its neighbours: test that inline
        if len(out) >= 2 and out[-1][1] - out[-1][0] == 1 and text[out[-1][0]] in "-–" \
                and _joins_across_hyphen(text, out[-2], out[-1], (start, end)):
            out.pop()  # the hyphen
            out[-1] = (out[-1][0], end)
            continue
        out.append((start, end))
    return out


def _joins_across_hyphen(
    text: str, left: tuple[int, int], hyphen: tuple[int, int], right: tuple[int, int]
) -> bool:
    if text[hyphen[0] : hyphen[1]] not in ("-", "–") or not (
        left[1] == hyphen[0] and hyphen[1] == right[0]
    ):
        return False
    before, after = text[left[1] - 1], text[right[0]]
    return before.isalnum() and after.isalnum() and (before.isdigit() or after.isdigit())


def tokenise(doc: Document, sentences: list[Sentence], provenance: str) -> list[Sentence]:
    """Attach tokens to every sentence, with offsets in both texts.

    Raises:
        BuildError: when the tokens of a sentence are not exact, ordered, non-empty
            substrings that cover every character but the spaces between them.
    """
    found = [token_spans(sent.text) for sent in sentences]
    local, bounds, counts = _checked_bounds(sentences, found, provenance)
    # One mapping for the whole document: the alignment answers all tokens at once,
    # and the offsets relative to each sentence are taken in one array operation.
    raw = doc.alignment.norm_bounds_to_raw(bounds)
    sentence_raw = np.repeat(np.fromiter((s.raw_start for s in sentences), np.int64,
                                         len(sentences)), 2 * counts)
    offsets = np.asarray(raw, dtype=np.int64) - sentence_raw
    _check_raw_bounds(sentences, counts, offsets, provenance)
    relative = offsets.tolist()
    counts = 2 * counts  # two bounds per token
    within = local.tolist()
    cut_raw, k = doc.raw_text.__getitem__, 0
    for sent, n in zip(sentences, counts.tolist(), strict=True):
        starts, ends = within[k : k + n : 2], within[k + 1 : k + n : 2]
        # slices taken by C loops (map), not one by one
        sent.tokens = TokenColumns(
            list(map(sent.text.__getitem__, map(slice, starts, ends))), starts, ends,
            list(map(cut_raw, map(slice, raw[k : k + n : 2], raw[k + 1 : k + n : 2]))),
            relative[k : k + n : 2], relative[k + 1 : k + n : 2])
        k += n
    return sentences


def _checked_bounds(sentences: list[Sentence], found: list[list[tuple[int, int]]],
                    provenance: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The token bounds in each sentence and in the document, flat, and the token counts.

    Returned once :func:`_spans_problem` holds for every sentence. The check runs on
    the whole document at once; only a failing document is looked at sentence by
    sentence, for the message.

    Raises:
        BuildError: listing each sentence whose spans fail.
    """
    counts = np.fromiter((len(spans) for spans in found), np.int64, len(found))
    total = int(counts.sum())
    local = np.fromiter(chain.from_iterable(chain.from_iterable(found)), np.int64, 2 * total)
    starts, ends = local[0::2], local[1::2]
    lengths = np.repeat(np.fromiter((len(s.text) for s in sentences), np.int64,
                                    len(sentences)), counts)
    first = np.cumsum(counts) - counts  # the index of each sentence's first token
    nonempty = counts > 0
    previous_end = np.concatenate(([0], ends[:-1]))
    previous_end[first[nonempty]] = 0  # a sentence's first token follows nothing
    covered = np.zeros(len(found), np.int64)
    if total:
        covered[nonempty] = np.add.reduceat(ends - starts, first[nonempty])
    words = np.fromiter((len(s.text) - sum(s.text.count(g) for g in _GAPS) for s in sentences),
                        np.int64, len(sentences))
    ordered = (previous_end <= starts) & (starts < ends) & (ends <= lengths)
    if not (ordered.all() and (covered == words).all()):
        incidents = [
            Incident(provenance, f"line {sent.line}", "tokenisation", f"{sent.id}: {problem}")
            for sent, spans in zip(sentences, found, strict=True)
            if (problem := _spans_problem(sent.text, spans))
        ]
        raise BuildError(incidents)
    bases = np.repeat(np.fromiter((s.start for s in sentences), np.int64, len(sentences)),
                      counts)
    out = np.empty(2 * total, np.int64)
    out[0::2], out[1::2] = starts + bases, ends + bases
    return local, out, counts


def _check_raw_bounds(sentences: list[Sentence], counts: np.ndarray, offsets: np.ndarray,
                      provenance: str) -> None:
    """Check that every token's raw span lies in its sentence's raw text, in order.

    Each raw token is then the slice of its sentence's raw text at its offsets, as
    the row check would find it: the tokens are cut from the text at those offsets.

    Raises:
        BuildError: listing each sentence with a raw span outside its raw text.
    """
    starts, ends = offsets[0::2], offsets[1::2]
    lengths = np.repeat(np.fromiter((s.raw_end - s.raw_start for s in sentences), np.int64,
                                    len(sentences)), counts)
    inside = (starts >= 0) & (starts <= ends) & (ends <= lengths)
    if inside.all():
        return
    first = np.cumsum(counts) - counts
    incidents = []
    for sent, k, n in zip(sentences, first.tolist(), counts.tolist(), strict=True):
        bad = np.flatnonzero(~inside[k : k + n])
        if len(bad):
            t = k + int(bad[0])
            incidents.append(Incident(
                provenance, f"line {sent.line}", "tokenisation",
                f"{sent.id}: raw token span ({starts[t]}, {ends[t]}) lies outside the "
                f"sentence's raw text (length {len(sent.raw_text)})"))
    raise BuildError(incidents)


def _spans_problem(text: str, spans: list[tuple[int, int]]) -> str | None:
    """What is wrong with a sentence's token spans, if anything (a bug, not an input error)."""
    cursor = covered = 0
    for start, end in spans:
        if not cursor <= start < end <= len(text):
            return (f"token span ({start}, {end}) is empty, overlaps the previous token or "
                    f"lies outside the sentence (length {len(text)}, previous end {cursor})")
        cursor, covered = end, covered + end - start
    gaps = sum(text.count(g) for g in _GAPS)
    if covered + gaps != len(text):
        return (f"the tokens cover {covered} of the {len(text) - gaps} characters that are "
                f"not spaces")
    return None
