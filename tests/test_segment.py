"""Segmentation matches the hand-checked sentences of every seed exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sokhan.stages.normalise import normalise_line
from sokhan.stages.segment import line_role, repeat_key, split_line

FIXTURE = Path(__file__).parent / "fixtures" / "expected_sentences.json"
EXPECTED = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_sentences_match_the_hand_checked_fixture(assembled, doc_id):
    got = [
        {"n": s.n, "line": s.line, "role": s.role, "raw_text": s.raw_text, "repeat_of": s.repeat_of}
        for s in assembled.sentences[doc_id]
    ]
    assert got == EXPECTED[doc_id]


def test_fixture_covers_every_seed(assembled):
    assert sorted(EXPECTED) == sorted(assembled.sentences)


@pytest.mark.parametrize(
    ("line", "sentences"),
    [
        # a colon opens a quote and never ends a sentence
        ("وی تاکید کرد: آنچه امروز رخ می‌دهد. دوم", ["وی تاکید کرد: آنچه امروز رخ می‌دهد.", "دوم"]),
        # the closing guillemet belongs to the sentence it ends
        (
            "به گفته وی، «افق را مشخص خواهد کرد.» سپس",
            ["به گفته وی، «افق را مشخص خواهد کرد.»", "سپس"],
        ),
        # an unpunctuated headline is one sentence
        ("روابط ایران و روسیه مفید است", ["روابط ایران و روسیه مفید است"]),
        # an ellipsis ends a sentence
        ("گفت … و رفت", ["گفت …", "و رفت"]),
        # a decimal point does not (no space follows it)
        ("رشد ۳.۵ درصدی داشت. پایان", ["رشد ۳.۵ درصدی داشت.", "پایان"]),
        # a Persian question mark ends a sentence
        ("چه شد؟ هیچ", ["چه شد؟", "هیچ"]),
    ],
)
def test_split_line(line, sentences):
    assert [line[s:e] for s, e in split_line(line)] == sentences


@pytest.mark.parametrize(
    ("line", "line_no", "n", "role"),
    [
        ("روابط ایران و روسیه مفید است", 1, 1, "headline"),  # first line, no final stop
        ("پزشکیان: امیدواریم مشکلات را کاهش دهیم", 9, 1, "subheadline"),  # inner unpunctuated line
        ("منبع: ایسنا", 12, 1, "source_credit"),  # agency credit
        ("با ما در شبکه‌های اجتماعی همراه باشید: اینستاگرام", 11, 1, "boilerplate"),  # plug
        ("رئیس‌جمهور گفت: روابط خوب است.", 1, 1, "body"),  # a punctuated first line is body
        ("***", 4, 1, "separator"),  # asterisks between parts of a page
        ("|", 4, 1, "separator"),  # a lone bar
        ("-", 4, 1, "separator"),  # a lone hyphen
        ("—", 4, 1, "separator"),  # a lone em dash
        ("…", 4, 1, "separator"),  # «...» after hazm
        ("- - -", 4, 1, "separator"),  # spaced marks
        ("عکس: ایرنا", 3, 1, "caption"),  # photo credit
        ("عکس:ایرنا", 3, 1, "caption"),  # ... without a space
        ("تصویر: دیدار دو وزیر در تهران", 3, 1, "caption"),  # caption opened by «تصویر:»
        ("دیدار دو وزیر در تهران / عکس: مهر", 3, 1, "caption"),  # credit closing the line
        ("عکس از علی احمدی", 3, 1, "caption"),  # «عکس از …» credit
        ("سه‌شنبه ۲۵ مرداد ۱۴۰۳", 2, 1, "date"),  # weekday, day, month, year
        ("سه شنبه ۲۵ مرداد ۱۴۰۳ - ۱۰:۳۰", 2, 1, "date"),  # with a time
        ("۱۴۰۳/۰۵/۲۵", 2, 1, "date"),  # numeric date
        ("۲۰۲۴-۰۸-۱۵", 2, 1, "date"),  # ISO date (hyphens kept by the normaliser)
        ("تاریخ انتشار: ۱۲ مرداد ۱۴۰۳", 2, 1, "date"),  # labelled date
        ("۱۵ اوت ۲۰۲۴", 2, 1, "date"),  # Gregorian month in Persian
        ("۵", 2, 1, "subheadline"),  # a lone number is no date
        ("دی ماه گذشته توافق شد", 2, 1, "subheadline"),  # a month name in a sentence
        ("عکس‌های این دیدار منتشر شد", 2, 1, "subheadline"),  # «عکس» without a colon
        ("وی گفت: عکس: هیچ", 2, 1, "subheadline"),  # «عکس:» not at the start of the line
        ("منبع: ایسنا | عکس: ایرنا", 12, 1, "source_credit"),  # the source credit wins
        ("قیمت‌ها - به‌ویژه نفت - کاهش یافت.", 3, 1, "body"),  # dashes inside a sentence
    ],
)
def test_line_role(line, line_no, n, role):
    assert line_role(line, line_no, n) == role


@pytest.mark.parametrize(
    ("raw", "sentences"),
    [
        # hazm puts a space after a period glued to the next sentence, so it splits
        ("این کار انجام شد.او افزود", ["این کار انجام شد.", "او افزود"]),
        # likewise after a question mark
        ("چه شد؟سپس رفت", ["چه شد؟", "سپس رفت"]),
        # and after a closing guillemet
        ("«مهم است.»وی گفت", ["«مهم است.»", "وی گفت"]),
        # a decimal point stays inside its number
        ("رشد ۳.۵ درصد بود.سپس", ["رشد ۳٫۵ درصد بود.", "سپس"]),
    ],
)
def test_glued_sentences_split_after_normalisation(raw, sentences):
    line = normalise_line(raw)[0]
    assert [line[s:e] for s, e in split_line(line)] == sentences


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("رئیس جمهوری گفت", "رئیس‌جمهوری گفت", True),  # space vs ZWNJ
        ("صورت می‌گیرد", "صورت می‌گیرد.", True),  # final period
        ("پوتین گفت", "پوتین افزود", False),  # different words
    ],
)
def test_repeat_key(a, b, same):
    assert (repeat_key(a) == repeat_key(b)) is same


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="اب .!?؟…\u200c\n\t\u00a0", max_size=20))
def test_repeat_key_removes_what_its_pattern_removes(text):
    from sokhan.stages.segment import _REPEAT_NOISE

    assert repeat_key(text) == _REPEAT_NOISE.sub("", text)
