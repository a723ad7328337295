"""Tokens of normalised text: a hyphen next to a digit stays inside its token."""

from __future__ import annotations

import pytest

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
