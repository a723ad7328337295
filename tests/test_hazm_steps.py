"""``stages.hazm_steps``: hazm's normalisation with its tables built once gives hazm's text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SEEDS
from sokhan.stages.hazm_steps import Steps
from sokhan.stages.normalise import hazm_normalizer


@pytest.fixture(scope="module")
def steps() -> Steps:
    return Steps(hazm_normalizer())


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
]


@pytest.mark.parametrize("text", CASES)
def test_the_steps_give_hazms_text(steps, text):
    assert steps.normalize(text) == hazm_normalizer().normalize(text)


def test_every_seed_line_gives_hazms_text(steps):
    lines = [line for path in sorted(SEEDS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").split("\n")]
    assert lines
    for line in lines:
        assert steps.normalize(line) == hazm_normalizer().normalize(line), line


def test_a_normalizer_with_a_step_off_is_refused():
    from hazm import Normalizer

    with pytest.raises(ValueError, match="every step on"):
        Steps(Normalizer(seperate_mi=False))


_ALPHABET = [*"آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیكيـ \u200c\n.،؛:!؟«»\"()[]0123456789۰۱۲۳٫%",
             *"\u064b\u064e\u0651\u0670ﷲﻻ﷼ﷺ-–", "می", "نمی", "ها", "های", "ترین", "...", "  "]


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join))
def test_random_text_gives_hazms_text(text):
    assert Steps(hazm_normalizer()).normalize(text) == hazm_normalizer().normalize(text)
