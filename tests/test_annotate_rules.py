"""The pre-annotator's rules on made-up Persian sentences (none is from the seeds)."""

from __future__ import annotations

import pytest

from sokhan.annotate import draft, numbers
from sokhan.annotate.gazetteer import Entry, build_gazetteer, match
from sokhan.annotate.text import read_article

#: A small made-up registry: generic names any Persian news article might use.
REGISTRY = (
    Entry("iran", "GPE", "ایران", ("ایران", "جمهوری اسلامی ایران")),
    Entry("russia", "GPE", "روسیه", ("روسیه",)),
    Entry("ali-rezaei", "PERSON", "علی رضایی", ("علی رضایی",)),
    Entry("sergey-ivanov", "PERSON", "سرگئی ایوانف", ("سرگئی ایوانف",)),
    Entry("foo-agency", "ORG", "خبرگزاری فو", ("خبرگزاری فو",)),
)


def numeric(text: str) -> list[tuple[str, str]]:
    article = read_article(text, "t")
    return [(article.span_text(p.sent, p.i, p.j)[2], p.type) for p in numbers.propose(article)]


def test_counting_yek_is_the_one_before_bar():
    # the article «یک» before «گزارش» is skipped; the one in «یک بار» counts
    text = "یک گزارش تازه فقط یک بار منتشر شد."
    article = read_article(text, "t")
    [p] = numbers.propose(article)
    assert article.span_text(p.sent, p.i, p.j)[0] == text.index("یک بار")


@pytest.mark.parametrize(("text", "expected"), [
    # Solar Hijri day-month with «روز» and a weekday, one span
    ("این نشست روز دوشنبه ۱۲ مهر برگزار شد.", [("روز دوشنبه ۱۲ مهر", "DATE")]),
    # Gregorian day-month-year with Latin digits
    ("قرارداد در 3 مارس 2021 امضا شد.", [("3 مارس 2021", "DATE")]),
    # a fused «ماه» after the month: «آبانماه»
    ("سفر او ۵ آبانماه آغاز می شود.", [("۵ آبانماه", "DATE")]),
    # conjoined days sharing a month are one DATE
    ("روزهای ۲ و ۹ ژوئن تعطیل است.", [("۲ و ۹ ژوئن", "DATE")]),
    # a weekday written with the writer's space, «سه شنبه», is one name
    ("جلسه سه شنبه ۳ دی ۱۴۰۳ است.", [("سه شنبه ۳ دی ۱۴۰۳", "DATE")]),
    # a weekday alone, with «روز»
    ("وزیر روز پنجشنبه به پکن رفت.", [("روز پنجشنبه", "DATE")]),
    # deictic and relative dates
    ("او امروز گفت که هفته آینده باز می گردد.", [("امروز", "DATE"), ("هفته آینده", "DATE")]),
    # «سال» plus a year
    ("در سال ۱۳۹۹ صادرات کم شد.", [("سال ۱۳۹۹", "DATE")]),
    # "ago" is inside, the modifier «حدود» outside
    ("از حدود دو سال پیش آغاز شد.", [("دو سال پیش", "DATE")]),
    # «پیش از» introduces an anchor: outside
    ("یک هفته پیش از انتخابات آمد.", [("یک هفته", "DATE")]),
    # durations of a day or more: DATE; adjectives of duration too
    ("برنامه ای ۱۰ ساله تصویب شد.", [("۱۰ ساله", "DATE")]),
    # under a day: TIME, with a ZWNJ-less «ای» inside
    ("پس از ۴۵ دقیقه ای گفتگو پایان یافت.", [("۴۵ دقیقه ای", "TIME")]),
    # part of the day plus a deictic date is TIME
    ("صبح امروز هیات وارد شد.", [("صبح امروز", "TIME")]),
    # percent with its unit, Persian digits
    ("تورم ۱۲ درصد کاهش یافت.", [("۱۲ درصد", "PERCENT")]),
    # money with a scale word, the modifier «بیش از» outside
    ("بیش از ۳ میلیون یورو هزینه شد.", [("۳ میلیون یورو", "MONEY")]),
    # quantity with a unit of distance
    ("خط لوله ۳۰۰ کیلومتر طول دارد.", [("۳۰۰ کیلومتر", "QUANTITY")]),
    # «تن» as a classifier for people is not a unit
    ("۶ تن از مسافران زخمی شدند.", [("۶", "CARDINAL")]),
    # a counted noun stays outside CARDINAL; number words count
    ("سه کشور و ۱۲ شرکت حاضر بودند.", [("سه", "CARDINAL"), ("۱۲", "CARDINAL")]),
    # a range is one CARDINAL
    ("۲۰ الی ۳۰ نفر آمدند.", [("۲۰ الی ۳۰", "CARDINAL")]),
    # «یک» as an indefinite article is not CARDINAL, «یک بار» is
    ("یک گزارش تازه فقط یک بار منتشر شد.", [("یک", "CARDINAL")]),
    # «یکی از» counts
    ("یکی از نمایندگان رفت.", [("یکی", "CARDINAL")]),
    # «دو» inside a compound does not count
    ("روابط دو جانبه گسترش یافت.", []),
    # ordinals by suffix and by word; «نخست» in the job title is not
    ("در دومین دیدار، نخست وزیر برای نخستین بار آمد.",
     [("دومین", "ORDINAL"), ("نخستین", "ORDINAL")]),
])
def test_numeric_and_temporal_rules(text, expected):
    assert numeric(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Arabic «ي» and «ك» fold to the Persian letters the registry uses
    ("سفير روسيه گفت", [("روسيه", "GPE", "russia")]),
    # a name written fused, the registry spells it with a space
    ("علیرضایی به تهران رفت", [("علیرضایی", "PERSON", "ali-rezaei")]),
    # the longest name wins: «جمهوری اسلامی ایران» is one GPE
    ("سفیر جمهوری اسلامی ایران آمد", [("جمهوری اسلامی ایران", "GPE", "iran")]),
    # a surname alone names the person
    ("ایوانف گفت", [("ایوانف", "PERSON", "sergey-ivanov")]),
])
def test_registry_names_match_spelling_variants(text, expected):
    article = read_article(text, "t")
    found = [(article.span_text(p.sent, p.i, p.j)[2], p.type, p.entity)
             for p in match(article, build_gazetteer(REGISTRY))]
    assert found == expected


def quotes_of(text: str) -> list[dict]:
    return draft.annotate(text, "t", REGISTRY, None)["quotes"]


def test_colon_quote_runs_to_the_end_of_the_line_over_sentences():
    # a direct quotation after «گفت:»; two sentences, one content span, final «.» out
    text = "علی رضایی گفت: ما آماده ایم. گفتگوها ادامه دارد.\nخبر دیگر."
    [q] = quotes_of(text)
    assert (q["cue"]["text"], q["form"]) == ("گفت", "direct")
    assert q["content"][0]["text"] == "ما آماده ایم. گفتگوها ادامه دارد"
    assert (q["speaker"]["text"], q["speaker_kind"], q["speaker_entity"]) == (
        "علی رضایی", "name", "ali-rezaei")


def test_complementizer_content_is_indirect_and_pronoun_resolves_to_previous_speaker():
    # «وی» resolves to the speaker of the preceding top-level quotation
    text = "سرگئی ایوانف گفت: همکاری ادامه دارد.\nوی تاکید کرد که روسیه آماده است."
    _first, second = quotes_of(text)
    assert (second["cue"]["text"], second["form"]) == ("تاکید کرد", "indirect")
    assert second["content"][0]["text"] == "روسیه آماده است"
    assert (second["speaker_kind"], second["speaker_entity"]) == ("pronoun", "sergey-ivanov")


def test_ba_bayan_gives_two_quotations_sharing_the_speaker():
    # «با بیان اینکه X، گفت: Y»: two quotations, X stops before the comma
    text = "علی رضایی با بیان اینکه فشارها بی اثر است، گفت: ما ادامه می دهیم."
    a, b = quotes_of(text)
    assert (a["cue"]["text"], a["content"][0]["text"], a["form"]) == (
        "با بیان", "فشارها بی اثر است", "indirect")
    assert (b["cue"]["text"], b["form"], b["parent"]) == ("گفت", "direct", None)
    assert a["speaker"] == b["speaker"]


def test_headline_colon_is_the_cue():
    # a headline «Name: text»: the colon alone is the cue
    [q] = quotes_of("ایوانف: روابط گسترش می یابد")
    assert (q["cue"]["text"], q["form"], q["speaker_entity"]) == (":", "direct", "sergey-ivanov")
    assert q["content"][0]["text"] == "روابط گسترش می یابد"


def test_source_credit_and_talk_are_not_quotations():
    # «منبع:» is a credit line; «گفت وگو کرد» reports talk with no content
    assert quotes_of("منبع: خبرگزاری فو") == []
    assert quotes_of("علی رضایی با سرگئی ایوانف گفت وگو کرد.") == []


def test_nested_quotation_has_a_parent_and_a_passive_is_unknown():
    # «تاکید شد که» inside a colon quotation: nested, passive, speaker unknown
    text = "علی رضایی گفت: در این نشست تاکید شد که روسیه باید کمک کند."
    outer, inner = quotes_of(text)
    assert inner["parent"] == outer["id"]
    assert (inner["speaker"], inner["speaker_kind"], inner["speaker_entity"]) == (
        None, "none", "unknown")
    assert inner["content"][0]["text"] == "روسیه باید کمک کند"


def test_noun_phrase_content_and_be_gofte():
    # «از X خبر داد»: X; «به گفته وی، …»: the rest of the sentence
    text = "علی رضایی از افزایش صادرات خبر داد. به گفته وی، قراردادها امضا می شود."
    a, b = quotes_of(text)
    assert (a["cue"]["text"], a["content"][0]["text"]) == ("خبر داد", "افزایش صادرات")
    assert (b["cue"]["text"], b["speaker"]["text"], b["speaker_entity"]) == (
        "به گفته", "وی", "ali-rezaei")
    assert b["content"][0]["text"] == "قراردادها امضا می شود"


def test_mixed_form_for_a_verbatim_fragment():
    # indirect content with a «» fragment that is not a full clause
    [q] = quotes_of("علی رضایی اعلام کرد که روسیه «شریک راهبردی» ایران است.")
    assert q["form"] == "mixed"


def test_dropped_subject_is_carried_over_from_the_previous_quotation():
    # «در ادامه افزود:» with no subject: kind none, entity of the previous speaker
    text = "سرگئی ایوانف گفت: ما آماده ایم.\nدر ادامه افزود: مذاکره ادامه دارد."
    _, q = quotes_of(text)
    assert (q["speaker"], q["speaker_kind"], q["speaker_entity"]) == (
        None, "none", "sergey-ivanov")


@pytest.mark.parametrize("text", [
    # «گفته» as a noun ("this remark") heads no quotation
    "این گفته علی رضایی بازتاب زیادی داشت.",
    # «پاسخ» alone is a noun; only «پاسخ داد» reports speech
    "در پاسخ به این پرسش نشست ادامه یافت.",
    # «خواست» as the noun "will" with no complementizer
    "خواست مردم ایران صلح است.",
    # a negated verb reports nothing
    "علی رضایی در این باره چیزی اعلام نکرد.",
])
def test_words_that_look_like_cues_are_not_quotations(text):
    assert quotes_of(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    # a nationality adjective from a country name in CLDR
    ("هیات چینی وارد شد.", [("چینی", "NORP")]),
    # a final «یه» is dropped: «ترکیه» → «ترکی»
    ("شرکتهای ترکی فعالند.", [("ترکی", "NORP")]),
    # the plural people noun
    ("ایرانیان مقیم کانادا رای دادند.", [("ایرانیان", "NORP"), ("کانادا", "GPE")]),
    # a language after «زبان» is LANGUAGE, not NORP
    ("او به زبان روسی سخن گفت.", [("روسی", "LANGUAGE")]),
    # a common word that CLDR also lists as a place is left alone («مالی» "financial")
    ("مشکلات مالی ادامه دارد.", []),
])
def test_world_names_nationalities_and_languages(text, expected):
    found = [(m["text"], m["type"]) for m in draft.annotate(text, "t", (), None)["mentions"]]
    assert found == expected
