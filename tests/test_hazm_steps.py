"""``stages.hazm_steps``: hazm's normalisation and tokenizer as plain data give hazm's results."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SEEDS
from sokhan.stages.hazm_steps import GUARDS, Steps
from sokhan.stages.normalise import hazm_normalizer, hazm_steps
from sokhan.stages.tokenise import TOKENIZER_OPTIONS


@pytest.fixture(scope="module")
def steps() -> Steps:
    return Steps.of(hazm_normalizer())


@pytest.fixture(scope="module")
def tokenizer():
    from hazm import WordTokenizer

    return WordTokenizer(**TOKENIZER_OPTIONS)


CASES = [
    "",  # nothing
    "سلام   دنیا",  # extra spaces
    "اِعلاممممم کَرد : « زمین لرزه ای به بُزرگیِ 6 دهم ریشتر ...»",  # hazm's own example
    'او گفت "سلام" و رفت.',  # straight quotes become guillemets
    "قيمت ۱۰.۵ درصد و 20% بود",  # Arabic letters, a decimal point, a Latin percent
    "ﷲ اکبر و ﻻ و ﷼",  # the one-character words unicodes_replacement expands
    "پیامبر اکرم ﷺ",  # a special character that is removed
    "سلاممم را برسان",  # a run of three letters
    "نمیدانم چه میگفت",  # «می» glued to its verb
    "ماه می سال جدید",  # «می» that is not a prefix
    "کتاب ها و زمین لرزه ای",  # affixes hazm joins
    "‌سلام‌ به ‌همه‌",  # stray ZWNJs
    "اس-۴۰۰ و ۲۰۲۵-۲۰۲۶",  # hyphens next to digits
    "خط اول\nخط دوم",  # two lines
    "دنیـــا",  # keshide
    "او می رود و نمی داند",  # «می» and «نمی» as separate words before their stems
    "کتابها و کتاب‌هایی",  # a suffix glued, and one already joined
    "پرداخت شده است",  # a verb pair hazm's look-ahead concerns
    "بین المللی و آیت الله",  # compounds the word list knows
    "سلامممم و خوبببب",  # runs of three letters in and out of the word list
    "نسخه 0.5 در ساعت 22:00 تهران،1396.",  # numbers, times and punctuation the tokenizer pads
    "امام علی (ع) فرمود: برترین زهد، پنهان داشتن زهد است",  # hazm's tokenizer example
    "الف\tب\nج",  # a tab and a line break, which the tokenizer treats as spaces
]


@pytest.mark.parametrize("text", CASES)
def test_the_steps_give_hazms_text(steps, text):
    assert steps.normalize(text) == hazm_normalizer().normalize(text)


@pytest.mark.parametrize("text", CASES)
def test_the_tokens_are_hazms(steps, tokenizer, text):
    assert steps.tokenize(text) == tokenizer.tokenize(text)
    assert steps.tokenize(steps.normalize(text)) == tokenizer.tokenize(steps.normalize(text))


def test_every_seed_line_gives_hazms_text_and_tokens(steps, tokenizer):
    lines = [line for path in sorted(SEEDS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").split("\n")]
    assert lines
    for line in lines:
        assert steps.normalize(line) == hazm_normalizer().normalize(line), line
        assert steps.tokenize(line) == tokenizer.tokenize(line), line


def test_the_process_uses_steps_equal_to_fresh_ones(steps):
    assert hazm_steps() == steps  # the prepared copy, if one was loaded, is up to date


@pytest.mark.parametrize("option", ["join_verb_parts", "separate_emoji", "replace_numbers"])
def test_a_tokenizer_with_other_options_is_refused(option):
    from hazm import Normalizer, WordTokenizer

    normalizer = Normalizer()
    normalizer.tokenizer = WordTokenizer(**{**TOKENIZER_OPTIONS, option: True})
    with pytest.raises(ValueError, match="tokenizer"):
        Steps.of(normalizer)


def test_a_normalizer_with_a_step_off_is_refused():
    from hazm import Normalizer

    with pytest.raises(ValueError, match="every step on"):
        Steps.of(Normalizer(seperate_mi=False))


_ALPHABET = [*"آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیكيـ \u200c\n.،؛:!؟«»\"()[]0123456789۰۱۲۳٫%",
             *"\u064b\u064e\u0651\u0670ﷲﻻ﷼ﷺ-–", "می", "نمی", "ها", "های", "ترین", "...", "  "]


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join))
def test_random_text_gives_hazms_text(text):
    assert hazm_steps().normalize(text) == hazm_normalizer().normalize(text)
    assert hazm_steps().tokenize(text) == _tokenizer().tokenize(text)


@functools.cache
def _tokenizer():
    from hazm import WordTokenizer

    return WordTokenizer(**TOKENIZER_OPTIONS)


def _guarded() -> list[tuple[str, str]]:
    n = hazm_normalizer()
    return [(p, r) for group in (n.persian_style_patterns, n.extra_space_patterns,
                                 n.affix_spacing_patterns, n.punctuation_spacing_patterns)
            for p, r in group if p in GUARDS]


def test_every_guard_belongs_to_one_of_hazms_patterns():
    assert {p for p, _ in _guarded()} == set(GUARDS)


_GUARD_ALPHABET = [*_ALPHABET, *"ًٌْ\r\u00a0{}/", "ه ی ", "می ", " تر", " ها", "ه ا", "هها",
                   " .", "« ", "۱ا", "ا۱", "a", "\u200c\u200c"]


@pytest.mark.fuzz
@pytest.mark.parametrize(("pattern", "repl"), _guarded(), ids=lambda v: v[:20])
@settings(max_examples=150, deadline=None)
@given(text=st.lists(st.sampled_from(_GUARD_ALPHABET), max_size=30).map("".join))
def test_a_pattern_never_changes_a_text_its_guard_does_not_find(pattern, repl, text):
    import re

    if re.search(GUARDS[pattern], text) is None:
        assert re.sub(pattern, repl, text) == text


def test_a_tokenizer_with_another_pattern_is_refused():
    import re

    from hazm import Normalizer

    normalizer = Normalizer()
    normalizer.tokenizer.pattern = re.compile(r"([؟!?]+|[:.،؛»\])}\"«\[({/\\])")  # digits unpadded
    with pytest.raises(ValueError, match="tokenizer pattern"):
        Steps.of(normalizer)
