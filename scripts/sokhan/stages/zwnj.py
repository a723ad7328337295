"""Restore missing zero-width non-joiners (ZWNJ) in hazm-normalised Persian text.

The corpus pipeline runs ``hazm.Normalizer()`` on every paragraph line and then
:func:`restore` on the result. This stage only inserts, deletes or replaces ZWNJ,
spaces and number/comma separators, never letters, so offsets into the text can
still be aligned with the raw article.

Every decision is backed by evidence rather than a list of this corpus's words:

* hazm's bundled lexicon (``hazm/data/words.dat``): which spellings exist, with
  which part-of-speech tags and frequencies;
* hazm's verb list and conjugator: every verb form, including ``می‌``/``نمی‌`` forms;
* Persian morphology: plural «ها/های/هایی», the «ه» + «ای/اند/ام/ایم/اید/اش»
  endings, comparatives «تر/تری/ترین», the verb prefix «می/نمی», derivational
  second elements («…نامه», «…پذیر», «…گیری», …) and Arabic «ال» constructs;
* optionally, word frequencies from the ``wordfreq`` package (its Persian list
  keeps ZWNJs), used only to choose between readings the rules find equally
  good («حرفه‌ای» or «حرف‌های») and for frequent compounds hazm lacks.

A ZWNJ is only inserted after a letter that joins the next one; after «ا د ذ ر ز
ژ و» it would be invisible, and standard spelling leaves it out.

The stage also undoes hazm's wrong joins (a light verb or auxiliary joined to its
noun, «تبدیل‌شده است»), turns «٬» used as a comma into «،», and rejoins the
numbers hazm pads with spaces («۳ ٫ ۵» → «۳٫۵»). Every change is an :class:`Edit`
with a stable ``kind``.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sokhan.stages import prepared
from sokhan.stages.hazm_steps import hazm_data
from sokhan.stages.resources import built_once

ZWNJ = "\u200c"
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # «٬»
ARABIC_DECIMAL_SEPARATOR = "\u066b"  # «٫»
PERSIAN_COMMA = "\u060c"  # «،»

_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيپچژکگیۀ"
# Letters that never connect to the following letter: a ZWNJ after them is invisible.
_NON_JOINING = frozenset("ءآأؤإادذرزژوۀة")
_TOKEN_RE = re.compile(f"[{_LETTERS}]+(?:{ZWNJ}[{_LETTERS}]+)*")

# Inflectional suffixes that standard spelling attaches with a ZWNJ.
_PLURAL_SUFFIXES = (
    "هایشان", "هایتان", "هایمان", "هایش", "هایت", "هایم", "هایی", "هاست", "های", "ها",
)
# After a final «ه» (silent h) these clitics take a ZWNJ: «منطقه‌ای», «رسیده‌اند».
# «ات» is left out: after «ه» it mostly forms Arabic plurals («توجهات», «اشتباهات»).
_H_ENDINGS = ("ایم", "اید", "اند", "ای", "ام", "اش")
_COMPARATIVE_SUFFIXES = ("ترین", "تری", "تر")
# Comparatives that are conventionally written joined (Academy spelling rules).
_JOINED_COMPARATIVE_STEMS = frozenset({"به", "بیش", "کم", "که", "مه"})
# Reviewed exceptions: words ending in «تر» whose first part is accidentally an
# adjective in hazm's lexicon («فیل» is tagged AJ), found by running the comparative
# rule over the lexicon.
NOT_COMPARATIVES = frozenset({"فیلتر", "میلیتر", "دکالیتر", "سانتیلیتر", "کلاستر", "درستر"})
# Suffixes that never take a ZWNJ themselves but may follow a stem that needs one
# («گفت‌وگو» + «ی»).
_NEUTRAL_SUFFIXES = ("شان", "تان", "مان", "یی", "ان", "ی", "ش", "م", "ت")

# Bound second elements of compounds. Each is attested after at least 15 distinct
# first parts in hazm's lexicon (checked in tests/test_zwnj.py), except «مدت» (named
# in the issue; its compounds mostly follow a non-joining letter, «بلندمدت») and
# «کنندگان» (the plural of «کننده»). An element + «ی» counts too («پذیری»).
PRODUCTIVE_SECOND_ELEMENTS = (
    "ناپذیر", "پذیر", "کنندگان", "کننده", "دهنده", "سازی", "آمیز", "گرایانه", "گرایی",
    "گرا", "شناسی", "شناس", "گیری", "گذاری", "انگیز", "برانگیز", "خواهی", "خواه", "نامه",
    "مدت", "ریزی", "بندی", "طلب", "زدایی", "پردازی",
)
# Elements that are also ordinary free words: «تفاهم نامه» and «طولانی مدت» written
# with a space are fine and are never joined.
_FREE_WORD_ELEMENTS = frozenset({"نامه", "مدت", "طلب", "خواه"})
_PRODUCTIVE_SET = frozenset(PRODUCTIVE_SECOND_ELEMENTS)
# Longest first, and one letter longer for «element + ی».
_PRODUCTIVE_LENGTHS = sorted({len(e) + k for e in _PRODUCTIVE_SET for k in (0, 1)}, reverse=True)
# A preposition glued to a determiner is always two words: «دراین» → «در این».
_PREPOSITIONS = frozenset({"در", "به", "از", "با", "بر", "تا"})
_DETERMINERS = frozenset({"این", "آن", "همین", "همان", "هر", "همه", "اینجا", "آنجا"})
# Prepositions that also head a noun phrase glued to them («ازطرف», «درجریان»). «با»
# and «بر» also form joined adjectives and verbs («باسواد», «برکنار»), so with them
# the noun must carry an ezafe or plural ending («بااعضای»).
_NOUN_PREPOSITIONS = frozenset({"در", "از"})
_ENDING_PREPOSITIONS = frozenset({"با", "بر"})
# Endings that show a noun stands inside a phrase: ezafe «ی» and the plurals.
_PHRASE_ENDINGS = ("ی", "ها", "های", "هایی")
# Infinitives of light verbs: «آماده» + «شدن», «برطرف» + «کردن». Compound verbs are
# written as two words (the stage also unjoins hazm's «تبدیل‌شده است»), so a glued
# infinitive gets a space.
_LIGHT_VERB_INFINITIVES = frozenset({
    "شدن", "نشدن", "کردن", "نکردن", "گردیدن", "نمودن", "ساختن", "دادن", "گرفتن", "زدن",
    "داشتن", "یافتن", "کشیدن", "آوردن", "بخشیدن",
})
# A light-verb host hazm lists without a frequency must be this common on the web
# (about once per million words).
_MIN_HOST_ZIPF = 3.0
# A noun after a preposition this frequent in hazm's lexicon is a word of its own.
_MIN_PHRASE_FREQUENCY = 100_000
# Both a noun and its adjective this frequent are evidence enough to split an
# otherwise unexplained glued word («نفتخام»).
_MIN_EZAFE_FREQUENCY = 1_000_000
# Second elements of Persian surnames and place names («…زاده», «…پور», «…آباد»):
# after a noun they make one name, not a noun and its adjective.
_NAME_ELEMENTS = frozenset({
    "زاده", "پور", "نیا", "فر", "راد", "یار", "خانی", "نژاد", "وند", "لو", "کیا", "منش",
    "دوست", "فرد", "مهر", "آباد", "شهر", "دشت", "گرد", "غرب", "شرق", "کلا", "کوه", "رود",
    "سرا", "شاهی", "بخش", "پناه", "زند", "نسب", "دار", "کار", "ساز", "گر",
})
# Preverbs that stay glued to «می‌»: «برمی‌گردد», «درمی‌یابد».
_PREVERBS = ("", "بر", "در", "باز", "فرا", "فرو", "وا", "ور")
# Impersonal verbs used as a bare stem after «می»: «می‌توان», «نمی‌بایست».
_IMPERSONAL_STEMS = ("توان", "بایست", "شاید")

# Past participles of light and auxiliary verbs that hazm sometimes joins to the
# preceding noun («تبدیل‌شده است»).
_LIGHT_VERB_PARTICIPLES = frozenset({
    "شده", "نشده", "کرده", "نکرده", "گردیده", "نگردیده", "نموده", "ننموده", "داده",
    "نداده", "گرفته", "نگرفته", "یافته", "نیافته", "ساخته", "نساخته", "زده", "نزده",
    "داشته", "نداشته", "آمده", "نیامده", "آورده", "نیاورده", "کشیده", "نکشیده",
})
# Parts that never carry a light verb of their own: the «می» prefix («می‌شده») and
# inflectional suffixes («…‌ای‌شده» comes from two words).
_NOT_VERB_HOSTS = frozenset(
    {"می", "نمی", *_PLURAL_SUFFIXES, *_H_ENDINGS, *_COMPARATIVE_SUFFIXES}
)
# Words after a participle that show it is a verb, not an adjective.
_AUXILIARIES = frozenset({
    "است", "نیست", "بود", "بودم", "بودی", "بودیم", "بودید", "بودند", "بوده", "باشد",
    "باشم", "باشی", "باشیم", "باشید", "باشند", "ام", "ای", "ایم", "اید", "اند",
})
# Clause ends or a coordinating «و» right after a participle mark a verb with an
# elided auxiliary («تقویت شده و قوی‌تر می‌شود»).
_CLAUSE_END = frozenset("،.؛:!؟\n")

# «X» + «های» against «Xه» + «ای»: counts of the whole forms in wordfreq's Persian
# list show «Xه» + «ای» is the likelier reading once freq(«Xه») ≥ 0.3 × freq(«X»).
_H_READING_RATIO = 0.3
# A tagged noun this frequent is a word of its own even if it starts with «می».
_MIN_NOUN_FREQUENCY = 10_000
# A numeral and a counter noun are two words («یک بار», «دو بار»).
_NUMERALS = frozenset({"یک", "دو", "سه", "چهار", "پنج", "چند"})
_COUNTERS = frozenset({"بار"})

# Stable ids of the edit kinds (see :class:`Edit`). If two rules ever want the same
# characters, the kind listed first wins.
KINDS = (
    "zwnj-plural",
    "zwnj-ezafe-ye",
    "zwnj-comparative",
    "zwnj-mi-prefix",
    "zwnj-compound",
    "zwnj-lexicon",
    "split-glued",
    "unjoin-light-verb",
    "unjoin-phrase",
    "unjoin-mi-noun",
    "arabic-comma",
    "number-rejoin",
    "split-light-verb",
    "split-preposition",
    "split-ezafe",
    "split-mi-prefix",
    "zwnj-compound-plural",
)
_KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Edit:
    """One change to the input text.

    Attributes:
        start: Offset in the input text.
        end: End offset in the input text (exclusive); equal to ``start`` for an insertion.
        replacement: Text that replaces ``text[start:end]``.
        kind: Stable id of the rule that made the change (see :data:`KINDS`).
    """

    start: int
    end: int
    replacement: str
    kind: str


# An insertion inside a glued word: (offset in the word, separator, kind).
_Insertion = tuple[int, str, str]


@dataclass(frozen=True)
class _Lexicon:
    """Evidence loaded once from hazm's data files."""

    words: dict[str, tuple[int, frozenset[str]]]
    zwnj_spellings: dict[str, str]
    verb_forms: frozenset[str]
    mi_forms: dict[str, str]
    arabic_heads: frozenset[str]


@built_once
def _lexicon() -> _Lexicon:
    """The lexicon: from its prepared copy, keyed by hazm's data and this module's code."""
    key = prepared.key_of({"hazm": version("hazm")},
                          [*hazm_data().glob("*.dat"), prepared.source_of(__name__)])
    return prepared.prepared("zwnj-lexicon", key, _build_lexicon, _Lexicon)


def _build_lexicon() -> _Lexicon:
    """Load hazm's word list and verb conjugations."""
    from hazm.lemmatizer import Conjugation
    from hazm.utils import verbs_list, words_list

    # A few hundred distinct tag sets among 50 000 words: build each frozenset once.
    # Each distinct (frequency, tags) entry is kept once too: 20 119 of them among
    # the 193 350 words, so the prepared copy loads 20 000 tuples, not 193 000
    # (93 against 121 ms for the words, measured with pickle.loads; 10 MB less).
    tag_sets: dict[tuple[str, ...], frozenset[str]] = {}
    entries: dict[tuple[int, frozenset[str]], tuple[int, frozenset[str]]] = {}
    words: dict[str, tuple[int, frozenset[str]]] = {}
    for word, freq, tags in words_list():
        entry = (freq, tag_sets.get(tags) or tag_sets.setdefault(tags, frozenset(tags)))
        words[word] = entries.setdefault(entry, entry)

    # For each glued skeleton keep its best-attested ZWNJ spelling: highest
    # frequency first, then a tagged entry over an untagged one.
    zwnj_spellings: dict[str, str] = {}
    ranks: dict[str, tuple[int, bool]] = {}
    arabic_head_counts: Counter[str] = Counter()
    for word, (freq, tags) in words.items():
        if ZWNJ not in word:
            continue
        parts = word.split(ZWNJ)
        if len(parts) == 2 and parts[1].startswith("ال"):
            arabic_head_counts[parts[0]] += 1
        skeleton = word.replace(ZWNJ, "")
        rank = (freq, tags != {"0"})
        if skeleton not in ranks or rank > ranks[skeleton]:
            ranks[skeleton] = rank
            zwnj_spellings[skeleton] = word

    # verb_forms holds one-word forms spelt without ZWNJ («داشتیم», «رسیده»);
    # mi_forms maps a glued «می/نمی» form to its spelling («میتواند» → «می‌تواند»).
    conjugation = Conjugation()
    verb_forms: set[str] = set()
    mi_forms: dict[str, str] = {}
    for verb in verbs_list():
        if "#" not in verb or verb.startswith("#"):
            continue
        for form in conjugation.get_all(verb):
            if " " in form:
                continue
            if ZWNJ not in form:
                verb_forms.add(form)
            elif form.startswith(("می" + ZWNJ, "نمی" + ZWNJ)):
                mi_forms[form.replace(ZWNJ, "")] = form
    for stem in _IMPERSONAL_STEMS:
        for prefix in ("می", "نمی"):
            mi_forms[prefix + stem] = prefix + ZWNJ + stem
    # The future auxiliary is only conjugated inside two-word forms («خواهد رفت»).
    for ending in ("م", "ی", "د", "یم", "ید", "ند"):
        verb_forms.update({"خواه" + ending, "نخواه" + ending})

    # Heads of Arabic «ال» constructs seen at least twice («بین‌المللی», «بین‌النهرین»).
    arabic_heads = frozenset(h for h, n in arabic_head_counts.items() if n >= 2)
    return _Lexicon(words, zwnj_spellings, frozenset(verb_forms), mi_forms, arabic_heads)


def _joins(char: str) -> bool:
    return char not in _NON_JOINING


def _is_known(word: str) -> bool:
    """A lexicon word (in any «ئ» spelling) or a verb form spelt without ZWNJ."""
    return _entry(word) is not None or word in _lexicon().verb_forms


def _is_tagged(word: str) -> bool:
    """True for a lexicon entry with real part-of-speech tags, or a verb form."""
    lex = _lexicon()
    entry = lex.words.get(word)
    if entry is not None and entry[1] != {"0"}:
        return True
    return word in lex.verb_forms and word not in lex.words


def _stem_score(stem: str) -> tuple[int, int]:
    entry = _entry(stem)
    if entry is None:
        return (0, 0)
    return (int(entry[1] != {"0"}), entry[0])


@functools.lru_cache(maxsize=1 << 18)
def _entry(word: str) -> tuple[int, frozenset[str]] | None:
    """The lexicon entry of ``word``, or of its spelling with «ئ» («مساله» → «مسئله»).

    News sites often write «ئ» as «ا» or «ی» («مساله», «مسایل», «رییس»); hazm's
    lexicon lists mostly the «ئ» spelling.
    """
    words = _lexicon().words
    entry = words.get(word)
    if entry is not None:
        return entry
    for variant in _hamza_variants(word):
        entry = words.get(variant)
        if entry is not None:
            return entry
    return None


def _hamza_variants(word: str) -> Iterable[str]:
    for index in range(1, len(word) - 1):
        if word[index] in "ايی":
            yield word[:index] + "ئ" + word[index + 1 :]
    if "وو" in word:
        yield word.replace("وو", "ئو", 1)


def _insertions_from_spelling(spelling: str) -> tuple[_Insertion, ...]:
    """Turn an attested ZWNJ spelling into insertions, naming each site's rule."""
    insertions = []
    glued_offset = 0
    parts = spelling.split(ZWNJ)
    for index, part in enumerate(parts[:-1]):
        glued_offset += len(part)
        if not _joins(part[-1]):
            continue
        rest = "".join(parts[index + 1 :])
        insertions.append((glued_offset, ZWNJ, _site_kind(part, rest)))
    return tuple(insertions)


def _site_kind(left: str, right: str) -> str:
    if right in _PLURAL_SUFFIXES:
        return "zwnj-plural"
    if left.endswith("ه") and right in _H_ENDINGS:
        return "zwnj-ezafe-ye"
    if right in _COMPARATIVE_SUFFIXES:
        return "zwnj-comparative"
    if left in ("می", "نمی"):
        return "zwnj-mi-prefix"
    return "zwnj-lexicon"


def _shift(insertions: Iterable[_Insertion], offset: int) -> tuple[_Insertion, ...]:
    return tuple((pos + offset, sep, kind) for pos, sep, kind in insertions)


def _resolve(stem: str) -> tuple[_Insertion, ...] | None:
    """Insertions that make ``stem`` a word, ``()`` if it already is one, else None."""
    if len(stem) < 2:
        return None
    insertions = analyse_word(stem)
    if any(sep != ZWNJ for _, sep, _ in insertions):
        return None  # a stem that must be split in two is no stem
    if insertions:
        return insertions
    return () if _is_known(stem) else None


def _is_nominal(stem: str) -> bool:
    """Nouns, adjectives and pronouns take plural and clitics; bare verb forms do not."""
    lex = _lexicon()
    if stem in lex.words:
        return True
    return stem not in lex.verb_forms


_Reading = tuple[tuple[int, int, int, int], tuple[_Insertion, ...]]


def _inflection_analyses(word: str) -> list[_Reading]:
    """All readings of ``word`` as stem + inflectional suffix, with a score each."""
    readings = []

    def add(stem: str, suffix: str, kind: str | None) -> None:
        resolved = _resolve(stem)
        if resolved is None:
            return
        insertions = resolved
        if kind is not None and _joins(stem[-1]):
            insertions = (*resolved, (len(stem), ZWNJ, kind))
        # Keep readings that change nothing («کارهای» = «کار» + «های»): they must
        # still outvote a worse reading that would («کاره» + «ای»).
        tagged, freq = _stem_score(stem)
        if kind == "zwnj-ezafe-ye":
            freq = int(freq / _H_READING_RATIO)
        # Between unknown stems, one the lexicon spells («فوق‌العاده») beats one a
        # rule builds («فوق‌العاد»).
        spelt = all(site_kind == "zwnj-lexicon" for _, _, site_kind in resolved)
        readings.append(((tagged, freq, int(bool(resolved) and spelt), len(suffix)), insertions))

    glued_is_word = _is_known(word)
    for suffix, stem, rule in _split_suffixes(word):
        if rule == "plural" and _can_pluralise(stem):
            add(stem, suffix, "zwnj-plural")
        elif rule == "h-ending" and _can_take_h_ending(stem, suffix):
            add(stem, suffix, "zwnj-ezafe-ye")
        elif rule == "comparative" and _can_compare(stem, glued_is_word=glued_is_word):
            add(stem, suffix, "zwnj-comparative")
        elif rule == "neutral" and len(stem) >= 3:
            # Only a stem the lexicon spells with ZWNJ («گفت‌وگو» + «ی»); stacking
            # inflections («ه‌ای» + «ی») would build forms Persian does not have.
            resolved = _resolve(stem)
            if resolved and all(site_kind in _LEXICAL_KINDS for _, _, site_kind in resolved):
                add(stem, suffix, None)
    return readings


_LEXICAL_KINDS = frozenset({"zwnj-lexicon", "zwnj-compound"})


def _suffix_rules() -> dict[str, tuple[str, ...]]:
    rules: dict[str, tuple[str, ...]] = {}
    for rule, suffixes in (
        ("plural", _PLURAL_SUFFIXES),
        ("h-ending", _H_ENDINGS),
        ("comparative", _COMPARATIVE_SUFFIXES),
        ("neutral", _NEUTRAL_SUFFIXES),
    ):
        for suffix in suffixes:
            rules[suffix] = (*rules.get(suffix, ()), rule)
    return rules


_SUFFIX_RULES = _suffix_rules()
_LONGEST_SUFFIX = max(map(len, _SUFFIX_RULES))


def _split_suffixes(word: str) -> Iterable[tuple[str, str, str]]:
    """Every (suffix, stem, rule) whose suffix ends ``word``: one dict lookup per length."""
    for length in range(1, min(_LONGEST_SUFFIX, len(word) - 1) + 1):
        suffix = word[-length:]
        for rule in _SUFFIX_RULES.get(suffix, ()):
            yield suffix, word[:-length], rule


def _can_pluralise(stem: str) -> bool:
    """Nouns of three letters or more; two-letter ones only if tagged and frequent.

    Short Arabic words end in «ها» without being plurals («منتها», «فقها»), so
    two-letter stems need strong evidence («شب» + «ها»).
    """
    if not _is_nominal(stem):
        return False
    if len(stem) >= 3:
        return True
    entry = _entry(stem)
    return entry is not None and "N" in entry[1] and entry[0] >= 1_000_000


def _can_take_h_ending(stem: str, suffix: str) -> bool:
    """«ه» + «ای/اش» on nouns; «ام/ایم/اید/اند» on participles and adjectives.

    Names such as «آبراهام» and «بکهام» end in «ه» + «ام», so the person endings
    need a stem that can be a predicate.
    """
    if len(stem) < 3 or not stem.endswith("ه"):
        return False
    if stem in _lexicon().verb_forms:
        return True
    entry = _entry(stem)
    if entry is None:
        return bool(analyse_word(stem))
    if entry[1] == {"0"} or entry[0] == 0:
        return False  # an unattested stem is too weak for a clitic
    if suffix in ("ای", "اش"):
        return True
    return "AJ" in entry[1]


def _can_compare(stem: str, *, glued_is_word: bool) -> bool:
    """Attested adjectives and adverbs take «تر».

    An untagged «…ی» adjective («اصلی») also qualifies, but only when the glued
    form is no lexicon word: glued entries like «دکالیتر» are units, not comparatives.
    """
    if len(stem) < 3 or stem in _JOINED_COMPARATIVE_STEMS:
        return False
    entry = _entry(stem)
    if entry is None:
        return False
    freq, tags = entry
    if tags & {"AJ", "ADV"} and freq > 0:
        return True
    return tags == {"0"} and stem.endswith("ی") and not glued_is_word


def _mi_prefix(word: str) -> tuple[_Insertion, ...]:
    if "می" not in word[:6]:
        return ()
    mi_forms = _lexicon().mi_forms
    for preverb in _PREVERBS:
        rest = word[len(preverb) :]
        if word.startswith(preverb) and rest in mi_forms:
            prefix_length = mi_forms[rest].index(ZWNJ)
            return ((len(preverb) + prefix_length, ZWNJ, "zwnj-mi-prefix"),)
    return ()


def _compound(word: str) -> tuple[_Insertion, ...]:
    """Glued derivational compounds: «طولانی» + «مدت», «بین» + «اللملی»."""
    lex = _lexicon()
    for length in _PRODUCTIVE_LENGTHS:
        head = word[:-length]
        if _is_bound_element(word[-length:]) and _can_head_compound(head):
            resolved = _resolve(head)
            if resolved is not None:
                return (*resolved, (len(head), ZWNJ, "zwnj-compound"))
    # «به» + a frequent noun is a compound preposition or adverb written with ZWNJ
    # («به‌دنبال», «به‌عنوان»); the lexicon has dozens of «به‌…» entries.
    rest = word[2:]
    if word.startswith("به") and _is_content_word(rest) and lex.words[rest][0] >= 1_000_000:
        return ((2, ZWNJ, "zwnj-compound"),)
    cut = word.find("ال", 3)
    while 0 < cut < len(word) - 3:
        if word[:cut] in lex.arabic_heads and _joins(word[cut - 1]):
            return ((cut, ZWNJ, "zwnj-compound"),)
        cut = word.find("ال", cut + 1)
    return ()


def _is_bound_element(part: str) -> bool:
    """A productive second element, or one followed by «ی» («پذیری», «طلبی»)."""
    return part in _PRODUCTIVE_SET or (part.endswith("ی") and part[:-1] in _PRODUCTIVE_SET)


def _can_head_compound(head: str) -> bool:
    """A first part that joins the next letter and is a real word (or restorable)."""
    if len(head) < 3 or not _joins(head[-1]):
        return False
    entry = _lexicon().words.get(head)
    if entry is None:
        return bool(analyse_word(head))
    return (entry[1] != {"0"} and entry[0] > 0) or len(head) >= 4


def _split_glued(word: str) -> tuple[_Insertion, ...]:
    """Split two words written together where the evidence is strong.

    Each shape has a frequent function word, verb prefix or light verb as glue, or
    two frequent content words: a noun before a «می» verb («صورتمیگیرد»), a
    preposition before a determiner («دراین») or a noun («ازطرف», «بااعضای»), a verb
    before «که» («داشتیمکه»), a light-verb infinitive after its noun or adjective
    («آمادهشدن»), and a noun before its ezafe adjective («نفتخام»).
    """
    lex = _lexicon()
    best: tuple[tuple[int, int], tuple[_Insertion, ...]] | None = None
    for cut in range(2, len(word) - 1):
        left, right = word[:cut], word[cut:]
        left_insertions: tuple[_Insertion, ...] = ()
        right_insertions: tuple[_Insertion, ...] = ()
        kind = "split-glued"
        if (
            right in _LIGHT_VERB_INFINITIVES
            and _can_host_light_verb(left)
            and (len(left) >= 3 or _unattested(word))  # «بدزدن» is «بدزد» + «ن»
        ):
            kind = "split-light-verb"
            score = (5, len(left))
        elif right in lex.mi_forms and _is_content_word(left) and left not in _PREVERBS:
            right_insertions = _shift(_mi_prefix(right), cut)
            score = (4, len(left))
        elif left in _PREPOSITIONS and right in _DETERMINERS:
            score = (3, len(right))
        elif (
            left in _NOUN_PREPOSITIONS | _ENDING_PREPOSITIONS
            and len(right) >= 3
            # «دریافته» is a preverb + participle; a past stem may be a noun («نشست»)
            and not (right in lex.verb_forms and right.endswith("ه"))
            and _is_phrase_noun(right, ending_required=left in _ENDING_PREPOSITIONS)
            and (left in _NOUN_PREPOSITIONS or _unattested(word))
        ):
            kind = "split-preposition"
            score = (2, len(right))
        elif right == "که" and (_is_verb_only(left) or left in lex.mi_forms):
            left_insertions = _mi_prefix(left)  # «میکنندکه» → «می‌کنند که»
            score = (1, len(left))
        elif _is_noun_and_adjective(left, right) and _unattested(word):
            kind = "split-ezafe"
            score = (0, min(lex.words[left][0], _lexicon_frequency(right)))
        else:
            continue
        if best is None or score > best[0]:
            best = (score, (*left_insertions, (cut, " ", kind), *right_insertions))
    return best[1] if best else ()


def _is_noun_and_adjective(left: str, right: str) -> bool:
    """A very frequent noun and a very frequent adjective, both of three letters or more.

    Persian names are often built the same way («…زاده», «…شهر»), so the right part
    must not be a name-forming element and the glued word must be unknown to
    wordfreq's web list too (checked by the caller, :func:`_unattested`).
    """
    if len(left) < 3 or len(right) < 3 or left in _PREVERBS or right.startswith("می"):
        return False
    if right in _NAME_ELEMENTS or right[:-1] in _NAME_ELEMENTS:
        return False
    entry = _lexicon().words.get(left)
    return (
        entry is not None
        and "N" in entry[1]
        and entry[0] >= _MIN_EZAFE_FREQUENCY
        and _is_adjective(right)
    )


def _unattested(word: str) -> bool:
    """Neither hazm's lexicon (in any «ئ» spelling) nor wordfreq's web list has ``word``."""
    zipf = _corpus_frequency()
    return _entry(word) is None and (zipf is None or zipf(word) == 0)


def _split_listed_phrase(word: str) -> tuple[_Insertion, ...]:
    """Split an untagged, unattested lexicon entry that is «در/از» + a frequent noun.

    hazm's lexicon lists many glued phrases with no part of speech and frequency 0
    («درمورد», «درحال», «ازدست»); with a tagged noun of a million occurrences after
    the preposition they are two words.
    """
    freq, tags = _lexicon().words[word]
    if freq or tags != {"0"} or word[:2] not in _NOUN_PREPOSITIONS:
        return ()
    rest = word[2:]
    entry = _lexicon().words.get(rest)
    if rest in _lexicon().verb_forms:
        return ()  # «دریافته»: a preverb and a participle
    if len(rest) >= 3 and entry is not None and "N" in entry[1] and entry[0] >= 1_000_000:
        return ((2, " ", "split-preposition"),)
    return ()


def _is_phrase_noun(word: str, *, ending_required: bool) -> bool:
    """A tagged noun or adjective after a preposition; with an ending if required."""
    if not ending_required and _is_tagged_noun(word, _MIN_PHRASE_FREQUENCY):
        return True
    if _is_phrase_stem(word) and "PL" in _lexicon().words[word][1]:
        return True  # a plural noun listed as such
    if word.endswith("گان") and _is_tagged_noun(word[:-3] + "ه", _MIN_PHRASE_FREQUENCY):
        return True  # «نماینده» → «نمایندگان»
    if word.endswith("ان") and _is_tagged_noun(word[:-2], _MIN_PHRASE_FREQUENCY):
        return True  # «کارشناس» → «کارشناسان»
    return any(
        word.endswith(ending) and _is_phrase_stem(word[: -len(ending)])
        for ending in _PHRASE_ENDINGS
    )


def _is_phrase_stem(stem: str) -> bool:
    """A frequent noun, or a broken plural (hazm lists «اعضا» tagged PL, frequency 0)."""
    entry = _lexicon().words.get(stem)
    if entry is None or len(stem) < 2:
        return False
    return _is_tagged_noun(stem, _MIN_PHRASE_FREQUENCY) or "PL" in entry[1]


def _is_tagged_noun(word: str, min_freq: int) -> bool:
    entry = _lexicon().words.get(word)
    return (
        entry is not None
        and len(word) >= 2
        and entry[0] >= min_freq
        and bool(entry[1] & {"N", "AJ"})
    )


def _is_adjective(word: str) -> bool:
    """A frequent tagged adjective, or a frequent noun or adjective + relational «ی»."""
    entry = _lexicon().words.get(word)
    if entry is not None and entry[1] != {"0"}:
        return "AJ" in entry[1] and entry[0] >= _MIN_EZAFE_FREQUENCY
    stem = word[:-1]
    return word.endswith("ی") and len(stem) >= 3 and _is_tagged_noun(stem, _MIN_EZAFE_FREQUENCY)


def _is_content_word(word: str) -> bool:
    """A tagged, attested noun/adjective/adverb of three letters or more."""
    entry = _lexicon().words.get(word)
    return (
        entry is not None
        and len(word) >= 3
        and entry[0] > 0
        and bool(entry[1] & {"N", "AJ", "ADV"})
    )


def _can_host_light_verb(word: str) -> bool:
    """A tagged, attested noun or adjective: «آماده», «برطرف», «حل»; not a preverb.

    hazm lists some common nouns with frequency 0 («کنترل»); wordfreq's web list
    attests those.
    """
    entry = _lexicon().words.get(word)
    if (
        entry is None
        or len(word) < 2
        or word in _PREVERBS
        or word in _PREPOSITIONS
        or not entry[1] & {"N", "AJ"}
    ):
        return False
    zipf = _corpus_frequency()
    return entry[0] > 0 or (zipf is not None and zipf(word) >= _MIN_HOST_ZIPF)


def _lexicon_frequency(word: str) -> int:
    entry = _lexicon().words.get(word)
    if entry is not None and entry[1] != {"0"}:
        return entry[0]
    return _lexicon().words[word[:-1]][0]  # «خارجی» = «خارج» + «ی», see _is_adjective


def _is_verb_only(word: str) -> bool:
    lex = _lexicon()
    return word in lex.verb_forms and word not in lex.words


@functools.lru_cache(maxsize=1 << 16)
def _is_inflected_known(word: str) -> bool:
    """A known word plus any inflection, e.g. «درمانی» = «درمان» + «ی»."""
    return any(len(stem) >= 2 and _is_known(stem) for _, stem, _ in _split_suffixes(word))


@functools.lru_cache(maxsize=1 << 18)
def analyse_word(word: str) -> tuple[_Insertion, ...]:
    """Find the ZWNJs (and spaces) a glued word is missing.

    Args:
        word: A run of Persian letters without ZWNJ.

    Returns:
        Insertions ``(offset, separator, kind)`` sorted by offset; empty when the
        word should stay as it is.
    """
    if len(word) < 3 or _is_tagged(word) or word in NOT_COMPARATIVES:
        return ()
    lex = _lexicon()
    known = word in lex.words

    # The lexicon spells this word with ZWNJ: trust it for an unknown glued word,
    # or over an untagged glued entry when the ZWNJ spelling is tagged and more
    # frequent («موافقتنامه» → «موافقت‌نامه»).
    attested = lex.zwnj_spellings.get(word)
    if attested is not None:
        if known and not _better_attested(attested):
            # Both spellings are listed and the glued one is kept; no other reading
            # may contradict the lexicon («بینهایت» is not «بین» + «هایت»).
            return ()
        insertions = _insertions_from_spelling(attested)
        if insertions:
            return insertions

    if _is_tagged_word_plus_ye(word):
        return ()  # «ریشتری» is «ریشتر» + «ی», not «ریش» + «تری»
    readings = _inflection_analyses(word)
    if readings:
        return _best_reading(word, readings)
    if known:
        return _split_listed_phrase(word)
    mi_prefix = _mi_prefix(word)
    if mi_prefix or _is_inflected_known(word):
        return mi_prefix
    return _compound(word) or _split_glued(word) or _corpus_spelling(word)


def _best_reading(word: str, readings: list[_Reading]) -> tuple[_Insertion, ...]:
    """The best-scored reading; corpus frequencies (if available) break real ambiguity."""
    zipf = _corpus_frequency()
    spellings = {_spell(word, insertions) for _, insertions in readings}
    if zipf is not None and len(spellings) > 1:
        counted = [(zipf(_spell(word, ins)), score, ins) for score, ins in readings]
        best = max(counted, key=lambda item: (item[0], item[1]))
        if best[0] > 0:
            return best[2]
    return max(readings, key=lambda reading: reading[0])[1]


def _spell(word: str, insertions: Iterable[_Insertion]) -> str:
    return apply_edits(word, (Edit(pos, pos, sep, kind) for pos, sep, kind in insertions))


@functools.cache
def _wordfreq_key() -> str:
    # found, not imported: not importing wordfreq is the point of the prepared copies
    spec = importlib.util.find_spec("wordfreq")
    folder = Path(next(iter(spec.submodule_search_locations or ()))) if spec else Path()
    return prepared.key_of({"wordfreq": version("wordfreq")},
                           [*folder.glob("data/*_fa.msgpack.gz"), prepared.source_of(__name__)])


def _zipf(word: str) -> float:
    import wordfreq

    return wordfreq.zipf_frequency(word, "fa")


@functools.cache
def _corpus_frequency() -> Callable[[str], float] | None:
    """Zipf frequency of a Persian word from ``wordfreq``, remembered across runs.

    wordfreq's Persian list (web, subtitles, Wikipedia) spells words with their
    ZWNJs, so it tells «حرفه‌ای» from «حرف‌های». It is a pinned dependency: the
    stage's output must not depend on what happens to be installed. Importing it
    and loading its list cost 0.3–0.4 s of CPU for the handful of words a build
    asks about, so answers are kept in a :class:`~sokhan.stages.prepared.Memo`.
    """
    return prepared.Memo("wordfreq-zipf-fa", _wordfreq_key(), _zipf, float)


@built_once
def _corpus_spellings() -> dict[str, str]:
    """Glued skeleton → ZWNJ spelling for frequent wordfreq words (a prepared copy)."""
    return prepared.prepared("wordfreq-spellings-fa", _wordfreq_key(), _build_corpus_spellings,
                             dict)


def _build_corpus_spellings() -> dict[str, str]:
    import wordfreq

    spellings: dict[str, str] = {}
    for word in wordfreq.top_n_list("fa", 100_000):
        if ZWNJ in word.strip(ZWNJ) and wordfreq.zipf_frequency(word, "fa") >= _MIN_CORPUS_ZIPF:
            spellings.setdefault(word.replace(ZWNJ, ""), word)  # the list is by frequency
    return spellings


# A word seen about once per ten million words or more: rare enough spellings are noise.
_MIN_CORPUS_ZIPF = 2.0


def _corpus_spelling(word: str) -> tuple[_Insertion, ...]:
    """Insertions from a frequent corpus spelling of an otherwise unexplained word."""
    spelling = _corpus_spellings().get(word)
    if spelling is None:
        return ()
    return _insertions_from_spelling(spelling)


def _is_tagged_word_plus_ye(word: str) -> bool:
    if not word.endswith("ی"):
        return False
    words = _lexicon().words
    for suffix in ("یی", "ی"):
        stem = word[: -len(suffix)]
        entry = words.get(stem)
        attested = entry is not None and entry[0] > 0 and entry[1] != {"0"}
        if word.endswith(suffix) and len(stem) >= 3 and attested:
            return True
    return False


def _better_attested(spelling: str) -> bool:
    """Whether a ZWNJ spelling should replace an untagged glued lexicon entry.

    Many glued entries are standard («اینجانب», «فیمابین»), so the ZWNJ spelling
    only wins when morphology agrees with the lexicon: its last part is an
    inflection («مهم‌ترین», «کتاب‌ها») or, for a tagged spelling, a productive
    compound element («موافقت‌نامه», «اجتناب‌ناپذیر»).
    """
    *first, last = spelling.split(ZWNJ)
    if last in _COMPARATIVE_SUFFIXES and first[-1] in _JOINED_COMPARATIVE_STEMS:
        return False  # «بیشترین» stays joined
    if last in _SUFFIX_RULES and last not in _NEUTRAL_SUFFIXES:
        return True
    tags = _lexicon().words[spelling][1]
    return tags != {"0"} and _is_bound_element(last)


def _token_edits(text: str) -> list[Edit]:
    """ZWNJ edits inside words, unjoins of verb phrases and joins of bound elements."""
    edits: list[Edit] = []
    # A 50 MB text has millions of words but far fewer distinct ones: decide once per
    # distinct word what could apply, and skip the rest with one dict lookup.
    plans: dict[str, _Plan | None] = {}
    known = plans.get
    previous = None
    for match in _TOKEN_RE.finditer(text):
        plan = known(token := match.group(), _UNPLANNED)
        if plan is _UNPLANNED:
            plan = plans[token] = _plan(token)
        if plan is not None:
            edits.extend(_plan_edits(text, match, previous, plan))
        previous = match
    return edits


#: A word of the line not looked at yet (its plan may be None: nothing applies).
_UNPLANNED: Any = object()


@dataclass(frozen=True)
class _Plan:
    """What may apply to one distinct word, whatever its context."""

    insertions: tuple[_Insertion, ...]
    may_unjoin: bool
    may_be_bound: bool
    #: length of a «می/نمی» glued to the end of the word («دولتمی»), else 0
    mi_tail: int = 0
    #: the stem if the word reads «stemه» + «ای» but could be «stem» + «های»
    plural_stem: str | None = None


# Across lines too: news vocabulary repeats from article to article (bounded cache).
@functools.lru_cache(maxsize=1 << 16)
def _plan(token: str) -> _Plan | None:
    insertions: list[_Insertion] = []
    offset = 0
    for piece in token.split(ZWNJ):
        insertions.extend(_shift(analyse_word(piece), offset))
        offset += len(piece) + 1
    plan = _Plan(
        tuple(insertions),
        _may_unjoin(token),
        _may_be_bound(token),
        _mi_tail(token, insertions),
        _plural_stem(token, insertions),
    )
    if not (
        plan.insertions or plan.may_unjoin or plan.may_be_bound or plan.mi_tail
        or plan.plural_stem
    ):
        return None
    return plan


def _mi_tail(token: str, insertions: list[_Insertion]) -> int:
    """Length of a «می/نمی» the writer glued to the end of a content word, else 0.

    «دولتمی خواهد»: the prefix belongs to the next word, which the caller checks.
    The word must be unexplained otherwise: «رسمی», «سهمی» (= «سهم» + «ی») stay.
    """
    if insertions or ZWNJ in token or _is_known(token) or _is_inflected_known(token):
        return 0
    for prefix in ("نمی", "می"):
        head = token[: -len(prefix)]
        if token.endswith(prefix) and _is_content_word(head) and _is_tagged(head):
            return len(prefix)
    return 0


def _plural_stem(token: str, insertions: list[_Insertion]) -> str | None:
    """The stem of «stemهای» read as «stemه» + «ای», when «stem» + «های» is possible too."""
    if ZWNJ in token or not token.endswith("های"):
        return None
    stem = token[:-3]
    ezafe_site = (len(stem) + 1, ZWNJ, "zwnj-ezafe-ye")
    if ezafe_site not in insertions or len(stem) < 2:
        return None
    return stem


def _plan_edits(
    text: str, match: re.Match[str], previous: re.Match[str] | None, plan: _Plan
) -> list[Edit]:
    start = match.start()
    edits = [Edit(start + at, start + at, sep, kind) for at, sep, kind in plan.insertions]
    if plan.may_unjoin:
        edits.extend(_unjoin_edits(text, match, previous))
    if (
        plan.may_be_bound
        and previous is not None
        and previous.end() + 1 == start
        and text[start - 1] == " "
    ):
        kind = _bound_join_kind(previous.group().split(ZWNJ)[-1], match.group())
        if kind is not None:
            edits.append(Edit(start - 1, start, ZWNJ, kind))
    if plan.mi_tail:
        edits.extend(_mi_tail_edits(text, match, plan.mi_tail))
    if plan.plural_stem and _spaced_compound(previous, match, text, plan.plural_stem):
        edits = _plural_reading(edits, start, plan.plural_stem)
    return edits


def _mi_tail_edits(text: str, match: re.Match[str], length: int) -> list[Edit]:
    """«دولتمی خواهد» → «دولت می‌خواهد» when «می» + the next word is a verb form."""
    end = match.end()
    following = _NEXT_WORD_RE.match(text, end)
    assert following is not None  # the pattern also matches the empty string
    verb = following.group(1)
    if verb is None or following.start(1) != end + 1 or text[end] != " ":
        return []
    prefix = match.group()[-length:]
    if prefix + verb not in _lexicon().mi_forms:
        return []
    return [
        Edit(end - length, end - length, " ", "split-mi-prefix"),
        Edit(end, end + 1, ZWNJ, "split-mi-prefix"),
    ]


def _spaced_compound(
    previous: re.Match[str] | None, match: re.Match[str], text: str, stem: str
) -> bool:
    """Whether the previous word and ``stem``, across one space, make a known compound.

    «پیش نویسهای»: «پیش‌نویس» is a tagged lexicon word, so the plural «نویس» + «های»
    wins over «نویسه» + «ای». The «ه» reading keeps its own compound («تازه واردهای»
    is not decided here if «تازه‌وارده» were a word as well).
    """
    if previous is None or text[previous.end() : match.start()] != " ":
        return False
    left = previous.group().split(ZWNJ)[-1]
    return _is_listed_compound(left, stem) and not _is_listed_compound(left, stem + "ه")


def _is_listed_compound(left: str, right: str) -> bool:
    words = _lexicon().words
    for spelling in (left + ZWNJ + right, left + right):
        entry = words.get(spelling)
        if entry is not None and entry[0] > 0 and entry[1] != {"0"}:
            return True
    return False


def _plural_reading(edits: list[Edit], start: int, stem: str) -> list[Edit]:
    """Swap the «ه» + «ای» insertion for the plural one («نویس‌های»)."""
    ezafe_at = start + len(stem) + 1
    kept = [e for e in edits if not (e.start == ezafe_at and e.kind == "zwnj-ezafe-ye")]
    if _joins(stem[-1]):
        at = start + len(stem)
        kept.append(Edit(at, at, ZWNJ, "zwnj-compound-plural"))
    return kept


def _may_unjoin(token: str) -> bool:
    """Whether a joined word has a part that one of the unjoin rules looks at."""
    if ZWNJ not in token:
        return False
    parts = token.split(ZWNJ)
    return (
        parts[0] in ("به", "می", "نمی")
        or parts[0] in _NUMERALS
        or any(_participle_and_ending(part)[0] for part in parts[1:])
    )


_NEXT_WORD_RE = re.compile(f" *([{_LETTERS}]+(?:{ZWNJ}[{_LETTERS}]+)*)?")


def _next_context(text: str, match: re.Match[str]) -> str:
    """The word after ``match`` if only spaces separate them, else the next character."""
    following = _NEXT_WORD_RE.match(text, match.end())
    assert following is not None  # the pattern also matches the empty string
    if following.group(1):
        return following.group(1)
    return text[following.end() : following.end() + 1] or "\n"


def _unjoin_edits(text: str, match: re.Match[str], previous: re.Match[str] | None) -> list[Edit]:
    token = match.group()
    if ZWNJ not in token:
        return []
    parts = token.split(ZWNJ)
    edits = []
    # «روز به‌روز» → «روز به روز»: a reduplicated noun around «به» is a phrase.
    if (
        len(parts) == 2
        and parts[0] == "به"
        and previous is not None
        and previous.group() == parts[1]
        and text[previous.end() : match.start()] == " "
    ):
        edits.append(Edit(match.start() + 2, match.start() + 3, " ", "unjoin-phrase"))
    # hazm splits «می» off every string that is also a verb form; a few are nouns
    # that hazm's lexicon tags and counts («میانجی», mediator), so they are rejoined.
    if len(parts) == 2 and parts[0] in ("می", "نمی"):
        glued = parts[0] + parts[1]
        entry = _lexicon().words.get(glued)
        if entry is not None and entry[1] != {"0"} and entry[0] >= _MIN_NOUN_FREQUENCY:
            position = match.start() + len(parts[0])
            edits.append(Edit(position, position + 1, "", "unjoin-mi-noun"))
    # «یک‌بار» is «disposable» only before «مصرف»; elsewhere it is «یک بار» (once).
    if (
        len(parts) == 2
        and parts[0] in _NUMERALS
        and parts[1] in _COUNTERS
        and _next_context(text, match) != "مصرف"
    ):
        position = match.start() + len(parts[0])
        edits.append(Edit(position, position + 1, " ", "unjoin-phrase"))
    for index in range(1, len(parts)):
        participle, ending = _participle_and_ending(parts[index])
        if participle is None or not _can_precede_light_verb(parts[index - 1]):
            continue
        after = ending or (parts[index + 1] if index + 1 < len(parts) else None)
        context = _next_context(text, match)
        verbal = (
            after in _AUXILIARIES
            or (after is None and (context in _AUXILIARIES or context == "و"))
            or (after is None and context in _CLAUSE_END)
        )
        if verbal:
            zwnj_at = match.start() + sum(len(p) + 1 for p in parts[:index]) - 1
            edits.append(Edit(zwnj_at, zwnj_at + 1, " ", "unjoin-light-verb"))
        break
    return edits


def _participle_and_ending(part: str) -> tuple[str | None, str | None]:
    """Split «شده» or a glued «شدهاند» into the participle and its person ending."""
    if part in _LIGHT_VERB_PARTICIPLES:
        return part, None
    for ending in _H_ENDINGS:
        if part.endswith(ending) and part[: -len(ending)] in _LIGHT_VERB_PARTICIPLES:
            return part[: -len(ending)], ending
    return None, None


def _can_precede_light_verb(part: str) -> bool:
    """A noun, adjective or participle: not «می», an affix or another participle."""
    return (
        len(part) >= 2
        and part not in _NOT_VERB_HOSTS
        and part not in _LIGHT_VERB_PARTICIPLES
        and _is_known(part)
    )


def _bound_join_kind(left: str, right: str) -> str | None:
    """Kind of the ZWNJ that should replace the space in «left right», if any.

    «یکجانبه گرایی» → «یکجانبه‌گرایی»: the caller has checked that the second word
    may be bound (:func:`_may_be_bound`); reading the two glued together must put a
    ZWNJ exactly at the space.
    """
    if len(left) < 2 or not _joins(left[-1]):
        return None
    return _glued_boundary_kind(left, right)


def _may_be_bound(right: str) -> bool:
    """A bound element, or a fragment that is neither a word nor an inflected word."""
    if ZWNJ in right or len(right) < 2:
        return False
    if _is_bound_element(right) and right not in _FREE_WORD_ELEMENTS:
        return True
    return not (_is_known(right) or _is_inflected_known(right))


@functools.lru_cache(maxsize=1 << 16)
def _glued_boundary_kind(left: str, right: str) -> str | None:
    insertions = analyse_word(left + right)
    # The glued reading must agree with how the right word is read on its own (the
    # left word's own sites are its own business).
    in_right = tuple((pos, sep) for pos, sep, _ in insertions if pos > len(left))
    expected_in_right = tuple((pos + len(left), sep) for pos, sep, _ in analyse_word(right))
    if in_right != expected_in_right:
        return None
    return next((kind for pos, sep, kind in insertions if (pos, sep) == (len(left), ZWNJ)), None)


# hazm's Normalizer pads separators inside numbers with spaces: «۳٫۵» → «۳ ٫ ۵».
_DIGIT_SEPARATOR_RE = re.compile(
    rf"(?<=\d)( ?)([{ARABIC_DECIMAL_SEPARATOR}{ARABIC_THOUSANDS_SEPARATOR},/])( ?)(?=\d)"
)
_DIGITS_RE = re.compile(r"\d*")
_PERCENT_RE = re.compile(r"(?<=\d) (?=٪)")
_THOUSANDS_RE = re.compile(ARABIC_THOUSANDS_SEPARATOR)


def _number_edits(text: str) -> list[Edit]:
    """Rejoin numbers hazm split («۳ ٫ ۵» → «۳٫۵») and turn «٬» used as a comma into «،»."""
    edits = []
    for match in _DIGIT_SEPARATOR_RE.finditer(text):
        before, separator, after = match.groups()
        if not (before or after):
            continue
        digits = _DIGITS_RE.match(text, match.end())
        assert digits is not None  # the pattern also matches the empty string
        grouped = digits.end() - match.end() == 3
        if separator in ARABIC_THOUSANDS_SEPARATOR + "," and not grouped:
            continue  # «۱۲ ٬ ۵» is not a grouped number, and may be a list: leave it
        if before:
            edits.append(Edit(match.start(1), match.end(1), "", "number-rejoin"))
        if after:
            edits.append(Edit(match.start(3), match.end(3), "", "number-rejoin"))
    for match in _PERCENT_RE.finditer(text):
        edits.append(Edit(match.start(), match.end(), "", "number-rejoin"))
    rejoined = {edit.start for edit in edits}
    for match in _THOUSANDS_RE.finditer(text):
        position = match.start()
        if _between_digits(text, position):
            continue
        start = position
        if position > 0 and text[position - 1] == " " and position - 1 not in rejoined:
            start = position - 1  # the Persian comma takes no space before it
        edits.append(Edit(start, position + 1, PERSIAN_COMMA, "arabic-comma"))
        after = text[position + 1 : position + 2]
        if after and not after.isspace() and after not in "»)]":
            edits.append(Edit(position + 1, position + 1, " ", "arabic-comma"))
    return edits


def _between_digits(text: str, position: int) -> bool:
    """True if a digit is on both sides of ``position``, allowing one space each side."""
    left = position - 1
    if left >= 0 and text[left] == " ":
        left -= 1
    right = position + 1
    if right < len(text) and text[right] == " ":
        right += 1
    return left >= 0 and right < len(text) and text[left].isdigit() and text[right].isdigit()


def restore(text: str) -> tuple[str, list[Edit]]:
    """Return the repaired text and the edits (non-overlapping, sorted by start) that turn `text` into it.

    Args:
        text: One or more lines already normalised by ``hazm.Normalizer()``.

    Returns:
        The repaired text, and the edits as offsets into ``text``.
    """  # noqa: E501
    # Sorting on every field keeps the output independent of set order; where two
    # rules would touch the same characters the one listed first in KINDS wins.
    edits = sorted(
        set(_number_edits(text) + _token_edits(text)),
        key=lambda e: (e.start, e.end, _KIND_RANK[e.kind], e.replacement),
    )
    kept: list[Edit] = []
    for edit in edits:
        if kept and edit.start < kept[-1].end:
            continue
        if kept and edit.start == kept[-1].start == kept[-1].end == edit.end:
            continue  # one insertion per position
        kept.append(edit)
    return apply_edits(text, kept), kept


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits to ``text`` in one linear pass."""
    pieces = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def count_kinds(edits: Iterable[Edit]) -> Counter[str]:
    """Count edits by kind."""
    return Counter(edit.kind for edit in edits)
