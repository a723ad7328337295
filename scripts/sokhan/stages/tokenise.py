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

from sokhan.checks.incidents import BuildError, Incident
from sokhan.records import Document, Sentence, Token

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

#: hazm's ``WordTokenizer(join_verb_parts=False)`` as spans. hazm pads every match
#: of its pattern ``([؟!?]+|[\d.:]+|[:.،؛»\])}"«\[({/\\])`` with spaces and splits on
#: spaces (tabs and line breaks count as spaces); here the same alternatives, in the
#: same order, are matched in place, a dash is a token of its own, and every other
#: run between them is one token, so each token's offsets come with it instead of
#: being searched for (measured on 790 000 tokens: 2.1 s → 0.6 s). ``tests/test_tokenise.py``
#: checks it against hazm's tokenizer followed by the dash split.
_TOKEN = re.compile(r'[؟!?]+|[\d.:]+|[:.،؛»\])}"«\[({/\\]|[\-–—]'
                    r'|[^ \n\t؟!?\d.:،؛»\])}"«\[({/\\\-–—]+')
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
    out: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
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
    incidents = []
    found: list[list[tuple[int, int]]] = []
    in_document: list[tuple[int, int]] = []
    for sent in sentences:
        spans = token_spans(sent.text)
        problem = _spans_problem(sent.text, spans)
        if problem:
            incidents.append(Incident(provenance, f"line {sent.line}", "tokenisation",
                                      f"{sent.id}: {problem}"))
            continue
        found.append(spans)
        base = sent.start
        in_document.extend((base + s, base + e) for s, e in spans)
    if incidents:
        raise BuildError(incidents)
    # One mapping for the whole document: the alignment answers all tokens at once.
    raw_spans = doc.alignment.norm_spans_to_raw(in_document)
    raw_text, k = doc.raw_text, 0
    for sent, spans in zip(sentences, found, strict=True):
        text, raw_base = sent.text, sent.raw_start
        sent.tokens = [
            Token(text[s:e], s, e, raw_text[rs:re_], rs - raw_base, re_ - raw_base)
            for (s, e), (rs, re_) in zip(spans, raw_spans[k : k + len(spans)], strict=True)
        ]
        k += len(spans)
    return sentences


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
