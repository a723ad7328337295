"""Tests for sokhan.stages.zwnj: restoring lost ZWNJs on top of hazm's Normalizer.

In the tables «|» stands for ZWNJ (U+200C), which is invisible in source code.
Inputs are written the way hazm's Normalizer leaves them.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import SEEDS
from sokhan.evaluation import zwnj as evaluate_zwnj
from sokhan.stages import zwnj
from sokhan.stages.zwnj import ZWNJ, Edit, apply_edits, restore

# Characters an edit may insert, delete or replace: never letters or digits.
SEPARATORS = frozenset(" " + ZWNJ + "٬٫،,/")


def zw(text: str) -> str:
    return text.replace("|", ZWNJ)


def repaired(text: str) -> str:
    return restore(zw(text))[0]


@pytest.mark.parametrize("text,expected", [
    ("همکاریهای دو کشور", "همکاری|های دو کشور"),  # plural «های» after «ی»
    ("تحریمها را", "تحریم|ها را"),  # plural «ها» after «م»
    ("کتابهایشان", "کتاب|هایشان"),  # plural with a possessive clitic
    ("تیمهای ملی", "تیم|های ملی"),  # stem tagged only «0» in hazm's lexicon
    ("تفاهمنامهها", "تفاهم|نامه|ها"),  # compound stem, then plural
    ("کشورهای غربی", "کشورهای غربی"),  # «ر» does not join: no ZWNJ needed
    ("سالهای اخیر", "سال|های اخیر"),  # plural, not «ساله» + «ای»
    ("کارهای دیگر", "کارهای دیگر"),  # «کار» + «های», not «کاره» + «ای»
    ("منطقهای", "منطقه|ای"),  # «ه» + «ای», not «منطق» + «های»
    ("هفتهای", "هفته|ای"),  # «ه» + «ای», not «هفت» + «های»
    ("مسالهای", "مساله|ای"),  # «مساله» is read as «مسئله»
    ("رسیدهاند", "رسیده|اند"),  # participle + «اند»
    ("کردهام", "کرده|ام"),  # glued form listed (untagged) in hazm's lexicon
    ("آمادهایم", "آماده|ایم"),  # adjective + «ایم»
    ("خانهاش", "خانه|اش"),  # noun + «اش»
    ("خامنهای", "خامنه|ای"),  # surname: «خامنه» + «ای»
    ("سریعتر", "سریع|تر"),  # comparative
    ("اصلیترین", "اصلی|ترین"),  # superlative of an untagged «…ی» adjective
    ("نزدیکتر", "نزدیک|تر"),  # glued form listed (untagged) in hazm's lexicon
    ("میتوان گفت", "می|توان گفت"),  # impersonal bare stem after «می»
    ("نمیتوان", "نمی|توان"),  # negative impersonal
    ("برمیگردد", "برمی|گردد"),  # preverb + «می»
    ("رئیسجمهور", "رئیس|جمهور"),  # compound attested in hazm's lexicon
    ("بینالمللی", "بین|المللی"),  # Arabic «ال» compound attested in the lexicon
    ("بیناللملی", "بین|اللملی"),  # misspelt, but «بین» heads «ال» compounds
    ("اجتنابناپذیر", "اجتناب|ناپذیر"),  # «…ناپذیر»
    ("طولانیمدت", "طولانی|مدت"),  # «…مدت», not in the lexicon
    ("موافقتنامه", "موافقت|نامه"),  # glued entry untagged; «…نامه» spelling tagged
    ("شکلگیری", "شکل|گیری"),  # «…گیری»
    ("تمامیتخواهی", "تمامیت|خواهی"),  # «…خواهی»
    ("عملگرایانه", "عمل|گرایانه"),  # «…گرایانه»
    ("گفتوگوی ما", "گفت|وگوی ما"),  # lexicon compound + «ی»
    ("بهدنبال", "به|دنبال"),  # «به» + a frequent noun
    ("یکجانبه گرایی", "یکجانبه|گرایی"),  # bound element written apart
    ("گفت وگویی", "گفت|وگویی"),  # «وگویی» is no word on its own
    ("صورتمیگیرد", "صورت می|گیرد"),  # noun glued to a «می» verb
    ("دراین سفر", "در این سفر"),  # preposition glued to a determiner
    ("داشتیمکه", "داشتیم که"),  # verb glued to «که»
    ("میکنندکه", "می|کنند که"),  # «می» verb glued to «که»
])
def test_restores_missing_zwnj(text, expected):
    assert repaired(text) == zw(expected)


@pytest.mark.parametrize("text", [
    "میز",  # starts with «می» but is no verb
    "میان",  # likewise
    "میزبان",  # likewise, and a lexicon word
    "میزبانی",  # untagged in the lexicon, still no verb
    "همایش",  # no suffix at all
    "نمایشگاه",  # «…گاه» is part of the word
    "بیش",  # comparative-looking adverb
    "بیشتر",  # conventionally joined comparative
    "بهترین",  # conventionally joined superlative
    "مهم",  # short, ends in «ه»-like shapes
    "شهادت",  # contains «ها» but is no plural
    "تنها",  # «تن» + «ها» is a real word, «alone»
    "شانگهای",  # a name ending in «های»
    "دفتر",  # ends in «تر» but is no comparative
    "فیلتر",  # likewise; «فیل» is tagged AJ in hazm's lexicon
    "ریشتری",  # «ریشتر» + «ی», not «ریش» + «تری»
    "شبکه",  # ends in «که» but is one word
    "اینکه",  # standard joined spelling
    "اینجانب",  # glued entry kept: «جانب» is no productive element
    "خوشحال",  # tagged glued compound
    "گفتگو",  # standard joined variant of «گفت‌وگو»
    "قراردادهایی",  # «قرارداد» + «هایی», not «قرارداده» + «ایی»
    "آندری",  # a name, not «آن» + «دری»
    "ملاقات خواهم داشت",  # future auxiliary is a word, not a bound element
    "تفاهم نامه",  # «نامه» written apart is a free word: fine as it is
    "رئیس جمهور",  # written apart by the writer: kept
    "مطرح|شده در بریکس",  # adjectival participle: joined spelling is standard
])
def test_leaves_words_alone(text):
    assert repaired(text) == zw(text)


@pytest.mark.parametrize("text,expected,kind", [
    ("تبدیل|شده است", "تبدیل شده است", "unjoin-light-verb"),  # passive + auxiliary
    ("تقویت|شده و قوی|تر", "تقویت شده و قوی|تر", "unjoin-light-verb"),  # elided «است»
    ("افزوده|شده.", "افزوده شده.", "unjoin-light-verb"),  # clause end
    ("کشته|شده|اند", "کشته شده|اند", "unjoin-light-verb"),  # perfect ending on the participle
    ("تحصیل|کرده است", "تحصیل کرده است", "unjoin-light-verb"),  # «کرده» too
    ("روز به|روز", "روز به روز", "unjoin-phrase"),  # reduplication, not «به‌روز»
    ("یک|بار دیگر", "یک بار دیگر", "unjoin-phrase"),  # «once»
    ("نقش می|انجی", "نقش میانجی", "unjoin-mi-noun"),  # hazm split a noun as a verb
])
def test_undoes_wrong_joins(text, expected, kind):
    out, edits = restore(zw(text))
    assert out == zw(expected)
    assert kind in {edit.kind for edit in edits}


@pytest.mark.parametrize("text", [
    "کتاب چاپ|شده را خواندم",  # adjective before «را»
    "ظروف یک|بار مصرف",  # «disposable»
    "مطالب مطرح|شده در جلسه",  # adjective before a preposition
])
def test_keeps_right_joins(text):
    assert repaired(text) == zw(text)


@pytest.mark.parametrize("text,expected", [
    ("ایران٬ روسیه", "ایران، روسیه"),  # Arabic thousands separator used as a comma
    ("ایران٬روسیه", "ایران، روسیه"),  # ... with the space after it restored
    ("در سال ۱۴۰۲ ٬ ایران", "در سال ۱۴۰۲، ایران"),  # after a number, not between digits
    ("«ایران٬» گفت", "«ایران،» گفت"),  # before a closing quote: no space added
    ("۱ ٬ ۰۰۰ نفر", "۱٬۰۰۰ نفر"),  # grouped number hazm split
    ("۲۵ ٬ ۰۰۰ ٬ ۰۰۰ ریال", "۲۵٬۰۰۰٬۰۰۰ ریال"),  # several groups
    ("۲۵ , ۰۰۰", "۲۵,۰۰۰"),  # Latin comma grouping
    ("۳ ٫ ۵ درصد", "۳٫۵ درصد"),  # decimal hazm split («۳٫۵» and «3.5» both end so)
    ("۱۲ ٫ ۵ ٪", "۱۲٫۵٪"),  # decimal and percent sign
    ("۱۴۰۲ / ۰۵ / ۱۲", "۱۴۰۲/۰۵/۱۲"),  # a date
    ("۱۲ ٬ ۵ درصد", "۱۲ ٬ ۵ درصد"),  # not a three-digit group: left alone
    ("ساعت ۱۲:۳۰", "ساعت ۱۲:۳۰"),  # untouched
])
def test_numbers_and_commas(text, expected):
    assert repaired(text) == expected


@pytest.mark.parametrize("raw,expected", [
    ("۳.۵ درصد", "۳٫۵ درصد"),  # hazm turns «.» into «٫» and pads it
    ("۳٫۵ درصد", "۳٫۵ درصد"),  # hazm pads «٫»
    ("1,000 نفر", "۱,۰۰۰ نفر"),  # hazm pads «,»
    ("میتواند", "می|تواند"),  # hazm does this one itself
    ("تبدیل شده است", "تبدیل شده است"),  # hazm joins, Sokhan undoes
])
def test_after_hazm(raw, expected):
    assert evaluate_zwnj.hazm_and_sokhan(raw) == zw(expected)


def test_edit_kinds_and_offsets():
    text = zw("همکاریهای منطقهای سریعتر میتوان صورتمیگیرد تبدیل|شده است ایران٬ ۳ ٫ ۵")
    out, edits = restore(text)
    kinds = Counter(edit.kind for edit in edits)
    assert kinds == {
        "zwnj-plural": 1, "zwnj-ezafe-ye": 1, "zwnj-comparative": 1, "zwnj-mi-prefix": 2,
        "split-glued": 1, "unjoin-light-verb": 1, "arabic-comma": 1, "number-rejoin": 2,
    }
    assert Edit(6, 6, ZWNJ, "zwnj-plural") in edits  # offsets are in the input text
    assert apply_edits(text, edits) == out
    assert set(kinds) <= set(zwnj.KINDS)


def _check_edits(text: str) -> None:
    out, edits = restore(text)
    assert apply_edits(text, edits) == out
    # Applying right to left, one edit at a time, gives the same text.
    manual = text
    for edit in reversed(edits):
        manual = manual[: edit.start] + edit.replacement + manual[edit.end :]
    assert manual == out
    assert edits == sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in itertools.pairwise(edits):
        assert before.end <= after.start and before != after
    for edit in edits:
        assert 0 <= edit.start <= edit.end <= len(text)
        assert set(text[edit.start : edit.end]) <= SEPARATORS
        assert set(edit.replacement) <= SEPARATORS
    assert [c for c in out if c not in SEPARATORS] == [c for c in text if c not in SEPARATORS]
    assert restore(text) == (out, edits)  # deterministic


def test_arabic_commas_of_seed_003():
    lines = evaluate_zwnj.seed_lines(SEEDS)["003_6bdf49eb73ba74a2"]
    raw = "\n".join(lines)
    out, edits = restore("\n".join(evaluate_zwnj.hazm_alone(line) for line in lines))
    assert raw.count("٬") == 13
    assert Counter(edit.kind for edit in edits)["arabic-comma"] == 13
    assert "٬" not in out


def test_edits_reproduce_output_on_seeds():
    for doc_lines in evaluate_zwnj.seed_lines(SEEDS).values():
        text = "\n".join(evaluate_zwnj.hazm_alone(line) for line in doc_lines)
        _check_edits(text)
        assert restore(restore(text)[0])[1] == []  # a second pass finds nothing left


_WORDS = [
    "همکاری", "ها", "های", "منطقه", "ای", "سریع", "تر", "ترین", "می", "توان", "تواند",
    "رئیس", "جمهور", "بین", "المللی", "تبدیل", "شده", "است", "به", "روز", "یک", "بار",
    "کرده", "اند", "در", "این", "که", "صورت", "گیرد", "گفت", "وگو", "گرایی", "میز", "۱۲",
    "۳", "۰۰۰", "کار", "نامه", "تفاهم", "و", "خانه",
]
_GLUE = [" ", "", ZWNJ, "  ", " ٬ ", "٬", " ٫ ", "، ", ".", "\n", " , ", "٪", " / "]


@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=30))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_edits_reproduce_output_on_word_salad(pieces):
    _check_edits("".join(word + glue for word, glue in pieces))


@given(st.text(alphabet="ابپتجدرزسشکگلمنوهیئآ۰۱۲۳ \u200c٬٫،,.\n٪/", max_size=80))
@settings(max_examples=300, deadline=None)
def test_edits_reproduce_output_on_any_text(text):
    _check_edits(text)


def test_productive_elements_are_attested_in_hazm_lexicon():
    heads: Counter[str] = Counter()
    for word in zwnj._lexicon().words:
        if ZWNJ in word:
            heads[word.split(ZWNJ)[-1]] += 1
    unattested = {
        element for element in zwnj.PRODUCTIVE_SECOND_ELEMENTS if heads[element] < 15
    }
    assert unattested == {"مدت", "کنندگان"}  # the two documented exceptions


def test_is_fast_enough():
    # Distinct words cost an analysis each, repeats a dict lookup: a 50 MB text of
    # news takes well under a minute; here 2 MB with thousands of new words.
    base = "\n".join(
        evaluate_zwnj.hazm_alone(line)
        for doc_lines in evaluate_zwnj.seed_lines(SEEDS).values()
        for line in doc_lines
    )
    novel = " ".join(f"{word}{suffix}" for word in _novel_words() for suffix in ("ها", "تر"))
    text = base * 70 + novel
    started = time.perf_counter()
    restore(text)
    assert time.perf_counter() - started < 10


def _novel_words() -> list[str]:
    words = [w for w in zwnj._lexicon().words if ZWNJ not in w and re.fullmatch(r"\w{4,7}", w)]
    return words[::40]


def test_evaluation_list_is_consistent():
    rows = evaluate_zwnj.load_rows()
    assert len(rows) > 250
    for row in rows:
        letters = re.sub(f"[ {ZWNJ}]", "", evaluate_zwnj._letters_like_hazm(row.raw))
        for form in row.correct:
            assert re.sub(f"[ {ZWNJ}]", "", form) == letters.replace("\u0650", ""), row
        if row.expect == "keep":
            assert row.correct == (row.raw,), row


def test_evaluation_meets_targets():
    rows, lines = evaluate_zwnj.load_rows(), evaluate_zwnj.seed_lines(SEEDS)
    hazm = evaluate_zwnj.evaluate("hazm alone", evaluate_zwnj.hazm_alone, rows, lines)
    sokhan = evaluate_zwnj.evaluate("hazm + sokhan", evaluate_zwnj.hazm_and_sokhan, rows, lines)
    assert evaluate_zwnj.meets_targets(sokhan), evaluate_zwnj.format_table([hazm, sokhan])
    assert sokhan.visible.recall > hazm.visible.recall
    assert sokhan.wrong_changes <= hazm.wrong_changes
