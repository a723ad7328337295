"""Tokenisation stage: hazm's WordTokenizer, kept to exact substrings.

hazm joins verb parts with ``_`` by default (``خواهد_کرد``), which is not a
substring of the text; ``join_verb_parts=False`` keeps every token verbatim.
Hyphens and dashes are split off as tokens of their own so that a name glued to
a dash (``تهران-``) is a whole token an entity span can cover.
"""

from __future__ import annotations

import re

from hazm import WordTokenizer

from sokhan.checks.incidents import BuildError, Incident
from sokhan.records import Document, Sentence, Token
from sokhan.stages.resources import built_once

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


#: The attribute of hazm's WordTokenizer that holds each option.
_OPTION_ATTRIBUTES = {"join_verb_parts": "_join_verb_parts",
                      "join_abbreviations": "_join_abbreviation"}


@built_once
def _tokenizer() -> WordTokenizer:
    # hazm's Normalizer holds a WordTokenizer; when its options are ours (they are
    # hazm's defaults with verb parts unjoined), share it rather than build another.
    from sokhan.stages.normalise import hazm_normalizer

    shared = getattr(hazm_normalizer(), "tokenizer", None)
    if shared is not None and all(
        getattr(shared, _OPTION_ATTRIBUTES.get(k, k), None) == v
        for k, v in TOKENIZER_OPTIONS.items()
    ):
        return shared
    return WordTokenizer(**TOKENIZER_OPTIONS)


def split_words(text: str) -> list[str]:
    """hazm's tokens for ``text``, with edge and inner dashes split off.

    A hyphen written between a digit and a letter or digit, with no space, stays
    inside one token: «اس-۴۰۰», «F-35», «۲۰۲۵-۲۰۲۶» are one designation, range or
    date (hazm's tokenizer cuts them in three).
    """
    pieces: list[str] = []
    for token in _tokenizer().tokenize(text):
        pieces.extend(p for p in _DASH.split(token) if p)
    return _join_digit_hyphens(text, pieces)


def _join_digit_hyphens(text: str, pieces: list[str]) -> list[str]:
    """Merge ``X - Y`` pieces that stand unspaced in ``text`` around a digit hyphen."""
    located: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        at = text.find(piece, cursor)
        if at < 0:
            return pieces  # tokenise() reports the token that is not a substring
        located.append((at, at + len(piece)))
        cursor = at + len(piece)
    out: list[tuple[int, int]] = []
    for start, end in located:
        if len(out) >= 2 and _joins_across_hyphen(text, out[-2], out[-1], (start, end)):
            out.pop()  # the hyphen
            out[-1] = (out[-1][0], end)
            continue
        out.append((start, end))
    return [text[s:e] for s, e in out]


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
    for sent in sentences:
        cursor, tokens = 0, []
        for word in split_words(sent.text):
            at = sent.text.find(word, cursor)
            if at < 0:
                incidents.append(
                    Incident(
                        provenance,
                        f"line {sent.line}",
                        "tokenisation",
                        f"token {word!r} of {sent.id} is not a substring of the sentence "
                        f"after offset {cursor}",
                    )
                )
                break
            cursor = at + len(word)
            rs, re_ = doc.alignment.norm_to_raw(sent.start + at, sent.start + cursor)
            tokens.append(
                Token(
                    text=word,
                    start=at,
                    end=cursor,
                    raw_text=doc.raw_text[rs:re_],
                    raw_start=rs - sent.raw_start,
                    raw_end=re_ - sent.raw_start,
                )
            )
        sent.tokens = tokens
    if incidents:
        raise BuildError(incidents)
    return sentences
