"""Tokenisation stage: hazm's WordTokenizer, kept to exact substrings.

hazm joins verb parts with ``_`` by default (``خواهد_کرد``), which is not a
substring of the text; ``join_verb_parts=False`` keeps every token verbatim.
That is the tokenizer hazm's Normalizer holds, which :mod:`sokhan.stages.hazm_steps`
runs without importing hazm (a test checks it against ``WordTokenizer``).
Hyphens and dashes are split off as tokens of their own so that a name glued to
a dash (``تهران-``) is a whole token an entity span can cover.
"""

from __future__ import annotations

import re

from sokhan.checks.incidents import BuildError, Incident
from sokhan.records import Document, Sentence, Token
from sokhan.stages.normalise import hazm_steps

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

_DASH = re.compile(r"([\-–—])")


def split_words(text: str) -> list[str]:
    """hazm's tokens for ``text``, with edge and inner dashes split off.

    A hyphen written between a digit and a letter or digit, with no space, stays
    inside one token: «اس-۴۰۰», «F-35», «۲۰۲۵-۲۰۲۶» are one designation, range or
    date (hazm's tokenizer cuts them in three).
    """
    pieces = _pieces(text)
    spans = _join_digit_hyphens(text, pieces)
    return pieces if spans is None else [text[s:e] for s, e in spans]


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for token in hazm_steps().tokenize(text):
        # Most tokens hold no dash: a substring test is ~10× cheaper than the split
        # (measured: 0.25 s of 400 000 tokens), and gives the same pieces.
        if "-" in token or "–" in token or "—" in token:
            pieces.extend(p for p in _DASH.split(token) if p)
        elif token:
            pieces.append(token)
    return pieces


def _join_digit_hyphens(text: str, pieces: list[str]) -> list[tuple[int, int]] | None:
    """The spans of ``pieces`` in ``text``, with unspaced ``X - Y`` around a digit hyphen merged.

    None when a piece is not found in order.
    """
    located: list[tuple[int, int]] = []
    cursor = 0
    find = text.find
    for piece in pieces:
        at = find(piece, cursor)
        if at < 0:
            return None  # tokenise() reports the token that is not a substring
        cursor = at + len(piece)
        located.append((at, cursor))
    out: list[tuple[int, int]] = []
    for start, end in located:
        # only a one-character hyphen piece can join its neighbours: test that inline
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
        BuildError: when a token is not found verbatim in its sentence.
    """
    incidents = []
    raw_text, norm_to_raw = doc.raw_text, doc.alignment.norm_spans_to_raw
    for sent in sentences:
        pieces = _pieces(sent.text)
        # The spans found while joining digit hyphens are where tokenise's own search
        # from the previous token's end finds each word: each word is the first match
        # after that point, so they are used as they are (measured: a third of the stage).
        spans = _join_digit_hyphens(sent.text, pieces)
        if spans is None:
            incidents.append(_missing(sent, pieces, provenance))
            continue
        base, raw_base = sent.start, sent.raw_start
        raw_spans = norm_to_raw([(base + s, base + e) for s, e in spans])
        text = sent.text
        sent.tokens = [
            Token(text[s:e], s, e, raw_text[rs:re_], rs - raw_base, re_ - raw_base)
            for (s, e), (rs, re_) in zip(spans, raw_spans, strict=True)
        ]
    if incidents:
        raise BuildError(incidents)
    return sentences


def _missing(sent: Sentence, words: list[str], provenance: str) -> Incident:
    """The incident for the first word not found in order in its sentence."""
    cursor = 0
    for word in words:
        at = sent.text.find(word, cursor)
        if at < 0:
            return Incident(provenance, f"line {sent.line}", "tokenisation",
                            f"token {word!r} of {sent.id} is not a substring of the sentence "
                            f"after offset {cursor}")
        cursor = at + len(word)
    raise AssertionError("every word was found")  # _join_digit_hyphens said otherwise
