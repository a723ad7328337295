"""Tokens of normalised text: a hyphen next to a digit stays inside its token."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sokhan.stages.normalise import normalise
from sokhan.stages.tokenise import split_words


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        ("سامانه اس-۴۰۰", ["سامانه", "اس-۴۰۰"]),  # designation: letters, hyphen, digits
        ("جنگنده F-35", ["جنگنده", "F-۳۵"]),  # Latin letters; hazm makes the digits Persian
        ("سال ۲۰۲۵-۲۰۲۶", ["سال", "۲۰۲۵-۲۰۲۶"]),  # a range of years
        ("۲۰۲۵–۲۰۲۶", ["۲۰۲۵–۲۰۲۶"]),  # an en dash range
        ("۲۰۲۴-۰۸-۱۵", ["۲۰۲۴-۰۸-۱۵"]),  # an ISO date
        ("بند ۱۲-الف", ["بند", "۱۲-الف"]),  # digits, hyphen, letters
        ("۱۰ - ۱۵ درصد", ["۱۰", "-", "۱۵", "درصد"]),  # the writer's spaces stay: three tokens
        ("۲۰۲۵ -۲۰۲۶", ["۲۰۲۵", "-", "۲۰۲۶"]),  # one writer's space: the hyphen is split off
        ("تهران- مسکو", ["تهران", "-", "مسکو"]),  # no digit: dash split off as before
        ("تمدنها-مبنای", ["تمدن\u200cها", "-", "مبنای"]),  # letters on both sides: split
        ("میزان - حسین", ["میزان", "-", "حسین"]),  # a spaced dash
    ],
)
def test_digit_hyphens_stay_in_one_token(raw, tokens):
    doc = normalise(raw)
    assert split_words(doc.text) == tokens


@pytest.mark.parametrize(
    "raw",
    [
        "سامانه اس-۴۰۰ و اف-۱۴",  # designations
        "سال ۲۰۲۵-۲۰۲۶ و ۱۰ - ۱۵",  # a range, and one the writer spaced
        "تاریخ ۲۰۲۴-۰۸-۱۵",  # an ISO date
    ],
)
def test_digit_hyphens_align_exactly(raw):
    doc = normalise(raw)
    # hazm's padding is undone: nothing else in these lines changes
    assert doc.text == raw
    cursor = 0
    for token in split_words(doc.text):
        start = doc.text.index(token, cursor)
        cursor = start + len(token)
        rs, re_ = doc.alignment.norm_to_raw(start, cursor)
        assert raw[rs:re_] == token


@functools.cache
def _hazms_tokenizer():
    from hazm import WordTokenizer

    from sokhan.stages.tokenise import TOKENIZER_OPTIONS

    return WordTokenizer(**TOKENIZER_OPTIONS)


def _hazms_pieces(text: str) -> list[str]:
    """What the stage must give: hazm's tokens, dashes split off, digit hyphens joined."""
    import re

    from sokhan.stages.tokenise import _joins_across_hyphen

    pieces = [p for token in _hazms_tokenizer().tokenize(text)
              for p in re.split(r"([\-–—])", token) if p]
    spans, cursor = [], 0
    for piece in pieces:
        at = text.index(piece, cursor)
        cursor = at + len(piece)
        if len(spans) >= 2 and _joins_across_hyphen(text, spans[-2], spans[-1], (at, cursor)):
            spans.pop()
            spans[-1] = (spans[-1][0], cursor)
        else:
            spans.append((at, cursor))
    return [text[s:e] for s, e in spans]


_ALPHABET = [*"آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی \u200c\n\t\u00a0.،؛:!؟?«»\"()[]{}/\\",
             *"0123456789۰۱۲۳٫٬-–—_a", "می", "ها", "اس-۴۰۰", "۱۰ - ۱۵", "..."]


@pytest.mark.slow
def test_every_seed_line_gives_hazms_tokens():
    from helpers import SEEDS

    lines = [line for path in sorted(SEEDS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").split("\n")]
    for line in lines:
        for text in (line, normalise(line).text):
            assert split_words(text) == _hazms_pieces(text), text


@pytest.mark.fuzz
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join))
def test_random_text_gives_hazms_tokens(text):
    assert split_words(text) == _hazms_pieces(text)


def test_token_columns_read_as_tokens():
    from sokhan.records import Token, TokenColumns

    tokens = [Token("ما", 0, 2, "ما", 0, 2), Token("رفتیم", 3, 8, "رفتيم", 3, 8)]
    columns = TokenColumns(*(list(c) for c in zip(*tokens, strict=True)))
    assert len(columns) == 2 and list(columns) == tokens
    assert columns[1] == tokens[1] and columns[-1].raw_text == "رفتيم"
    assert columns[:1] == tokens[:1]
    assert columns == tokens and tokens == columns  # compares as a sequence of tokens
    assert columns != tokens[:1]
    with pytest.raises(ValueError, match="different lengths"):
        TokenColumns(["ما"], [0], [2], ["ما"], [0], [])


def test_a_sentences_tokens_are_its_columns():
    from sokhan.records import Document, SeedFile, TokenColumns
    from sokhan.stages.segment import segment
    from sokhan.stages.tokenise import tokenise

    raw = "پوتين گفت: «ما آماده ايم» .\nرئیسی افزود"
    norm = normalise(raw)
    doc = Document(SeedFile("d", "d.txt", raw, "0", len(raw), {}), norm.text, norm.alignment,
                   norm.repairs)
    for sent in tokenise(doc, segment(doc), "d.txt"):
        assert isinstance(sent.tokens, TokenColumns)
        for t in sent.tokens:
            assert sent.text[t.start : t.end] == t.text
            assert sent.raw_text[t.raw_start : t.raw_end] == t.raw_text
