r"""Normalisation stage: hazm's Normalizer, then Sokhan's ZWNJ repair, with alignment.

Each paragraph line is normalised on its own, so line breaks (hard sentence
boundaries) survive exactly; the document's normalised text is the lines joined
by ``\\n``. The stage returns the text and an exact :class:`~sokhan.stages.alignment.Alignment`
back to the raw text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from typing import TYPE_CHECKING

from sokhan.stages import prepared, zwnj
from sokhan.stages.alignment import Alignment, Fold, align
from sokhan.stages.hazm_steps import Steps, hazm_data
from sokhan.stages.resources import built_once

if TYPE_CHECKING:  # hazm itself is imported only to build the steps (hazm_steps)
    from hazm import Normalizer

#: hazm options; recorded in the build manifest. The defaults of hazm 0.10.0,
#: written out so that a change of default cannot change the corpus silently.
HAZM_OPTIONS: dict[str, bool] = {
    "correct_spacing": True,
    "remove_diacritics": True,
    "remove_specials_chars": True,
    "decrease_repeated_chars": True,
    "persian_style": True,
    "persian_numbers": True,
    "unicodes_replacement": True,
    "seperate_mi": True,
}

#: Sequences hazm rewrites to a different length (its ``persian_style`` and
#: ``unicodes_replacement`` steps); the aligner treats each as one replacement.
REWRITES: dict[str, str] = {
    "...": "…",
    "﷽": "بسم الله الرحمن الرحیم",
    "﷼": "ریال",
    "ﷰ": "صلی",
    "ﷹ": "صلی",
    "ﷲ": "الله",
    "ﷳ": "اکبر",
    "ﷴ": "محمد",
    "ﷵ": "صلعم",
    "ﷶ": "رسول",
    "ﷷ": "علیه",
    "ﷸ": "وسلم",
    **{c: "لا" for c in "ﻵﻶﻷﻸﻹﻺﻻﻼ"},
}


@dataclass(frozen=True)
class NormalisedText:
    """A normalised document and how it maps back to the raw text."""

    raw: str
    text: str
    alignment: Alignment
    #: counts of what Sokhan's ZWNJ stage changed, by edit kind
    repairs: dict[str, int]


@cache
def _share_hazm_data() -> None:
    """Make hazm parse its word list and conjugate its verbs once per process.

    hazm's Normalizer builds a WordTokenizer and a Lemmatizer (which builds another),
    and the ZWNJ stage reads the list and conjugates every verb too: four parses of
    the same 50 000-word file (0.5 s each) and two conjugations of 1 400 verbs. Both
    are pure functions of hazm's data files, only read by their users, so one result
    serves them all.
    """
    import hazm.lemmatizer
    import hazm.utils
    import hazm.word_tokenizer

    parse = cache(hazm.utils.words_list)

    def shared(words_file: str = hazm.utils.default_words):
        return parse(str(words_file))  # one key for the default, however it is passed

    hazm.utils.words_list = shared
    hazm.word_tokenizer.words_list = shared

    conjugate = hazm.lemmatizer.Conjugation.get_all  # Conjugation holds no state
    forms: dict[str, list[str]] = {}

    def get_all(self, verb: str) -> list[str]:
        if verb not in forms:
            forms[verb] = conjugate(self, verb)
        return list(forms[verb])

    hazm.lemmatizer.Conjugation.get_all = get_all


def _construct_hazm() -> Normalizer:
    from hazm import Normalizer

    _share_hazm_data()
    return Normalizer(**HAZM_OPTIONS)


def _construct_steps() -> Steps:
    return Steps.of(_construct_hazm())


def hazm_key() -> str:
    """The key of the prepared steps: hazm's version and data files, our options and code."""
    # this module too: it shapes how the Normalizer is built (_share_hazm_data)
    return prepared.key_of({"hazm": version("hazm"), "options": HAZM_OPTIONS},
                           [*hazm_data().glob("*.dat"), prepared.source_of(__name__),
                            prepared.source_of("sokhan.stages.hazm_steps")])


@built_once
def hazm_steps() -> Steps:
    """The process's hazm steps (:data:`HAZM_OPTIONS`), from their prepared copy."""
    return prepared.prepared("hazm-steps", hazm_key(), _construct_steps, Steps)


@built_once
def hazm_normalizer() -> Normalizer:
    """hazm's own Normalizer with :data:`HAZM_OPTIONS`, to compare the steps with."""
    return _construct_hazm()


#: Lines whose normalisation is remembered: the seeds' 70 lines, for the card's
#: evaluation, which normalises them again; small, so a long run holds no more.
LINE_CACHE = 256


@functools.lru_cache(maxsize=LINE_CACHE)
def hazm_normalize(line: str) -> str:
    """hazm's normalisation of one line (cached: the card's evaluation asks again)."""
    return hazm_steps().normalize(line)


@cache
def _fold_table() -> dict[int, str]:
    steps = hazm_steps()
    return {**steps.translations, **steps.numbers}


@cache
def folding() -> Fold:
    """hazm's translation tables as one :class:`~sokhan.stages.alignment.Fold`."""
    return Fold(_fold_table())


def fold(char: str) -> str:
    """The character hazm's translation tables turn ``char`` into."""
    return folding()(char)


#: What hazm may attach to the previous word across a space the writer typed:
#: inflectional suffixes (its own ``suffixes`` list and the «ه» + «ای/ام…» endings).
AFFIXES = frozenset({"ها", "های", "هایی", "تر", "تری", "ترین", "گر", "گری", "ی",
                     "ای", "ام", "ات", "اش", "اند", "ایم", "اید"})
#: ... and the verbal prefixes it may attach to the next word.
PREFIXES = frozenset({"می", "نمی"})
_EDGES = " \u200c\n.،؛:!؟«»()\\[\\]"
#: A ZWNJ with the words on either side of it (runs of characters between two edges):
#: the left word starts after an edge or at the start, so no match starts inside one.
_JOIN = re.compile(f"(?<![^{_EDGES}])([^{_EDGES}]*)\u200c(?=([^{_EDGES}]*))")


def keep_writer_spaces(raw: str, text: str) -> tuple[str, int]:
    """Undo hazm's joins of two words the writer separated with a space.

    hazm's ``token_spacing`` fuses any two words its lexicon lists as a compound
    («آیت الله» → «آیت‌الله», «رئیس جمهوری» → «رئیس‌جمهوری», «تبدیل شده» →
    «تبدیل‌شده»). It also pads a hyphen next to a digit with spaces («اس-۴۰۰» →
    «اس- ۴۰۰», «۲۰۲۵-۲۰۲۶» → «۲۰۲۵ - ۲۰۲۶»), which splits a designation or a range;
    those spaces are removed again. Sokhan keeps the writer's word boundaries, so a name such as
    «جمهوری اسلامی ایران» after «رئیس جمهوری» stays a whole-token span; only an
    affix (plural, comparative, «ه» + ending), the «می/نمی» prefix, or a piece that
    is not a word on its own («بین المللی» → «بین‌المللی») is attached.

    Returns:
        The text with those ZWNJs turned back into spaces, and how many.
    """
    joins = _separable_joins(text)
    padded = any(pad in text for pad in _PADDED)
    if not joins and not padded:
        # nothing hazm may have joined or padded: skip the alignment (a third of the
        # lines with a ZWNJ, measured on synthetic news)
        return text, 0
    chars, undone = list(text), 0
    for seg in align(raw, text, folding(), REWRITES).segments:
        if seg.same:  # text the writer typed: neither a padding nor a join
            continue
        if padded and _is_padded_hyphen(raw[seg.rs:seg.re], text, seg.ns, seg.ne):
            chars[seg.ns] = ""
            undone += 1
        elif seg.ns in joins and raw[seg.rs:seg.re] == " " and seg.ne == seg.ns + 1:
            chars[seg.ns] = " "
            undone += 1
    return "".join(chars), undone


def _separable_joins(text: str) -> set[int]:
    """The ZWNJs of ``text`` between two words a writer would separate.

    A piece that is no word on its own («المللی» in «بین المللی») is bound: a
    writer's space there is a lost ZWNJ, so hazm's join stays; so does a join of an
    affix or of the «می/نمی» prefix. A word is a piece hazm's lexicon lists with a
    part of speech: it also lists bound pieces such as «المللی» or «گرایی», with
    none (``'0'``), and those are not words a writer would separate.
    """
    if "\u200c" not in text:
        return set()
    tagged = hazm_steps().tagged
    return {m.end() - 1 for m in _JOIN.finditer(text)
            if (left := m.group(1)) not in PREFIXES and (right := m.group(2)) not in AFFIXES
            and left in tagged and right in tagged}


_HYPHENS = "-–"
#: A hyphen with a space beside it: what hazm's padding leaves.
_PADDED = tuple(f"{h} " for h in _HYPHENS) + tuple(f" {h}" for h in _HYPHENS)


def _is_padded_hyphen(raw_piece: str, text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a space hazm put beside a hyphen next to a digit.

    hazm spaces out punctuation before and after digits; between a digit and a
    letter or digit a hyphen («اس-۴۰۰», «F-35», «۱۰-۱۵») is part of one designation,
    number range or date. Only spaces the writer did not type are removed.
    """
    if raw_piece or text[start:end] != " ":
        return False
    if start > 0 and text[start - 1] in _HYPHENS:
        hyphen = start - 1
    elif end < len(text) and text[end] in _HYPHENS:
        hyphen = end
    else:
        return False
    # hazm pads with at most one space on each side: look one character past it
    before = text[max(hyphen - 2, 0) : hyphen].replace(" ", "")[-1:]
    after = text[hyphen + 1 : hyphen + 3].replace(" ", "")[:1]
    return before.isalnum() and after.isalnum() and (before.isdigit() or after.isdigit())


def normalise_line(line: str, *, repair: bool = True) -> tuple[str, Counter[str]]:
    """Normalise one paragraph line.

    Args:
        line: raw text without line breaks.
        repair: apply Sokhan's repairs after hazm (off gives hazm alone): keep the
            writer's spaces between words, then restore lost ZWNJs.

    Returns:
        The normalised line and the count of repairs by kind.
    """
    text, counts = _normalise_line(line, repair)
    return text, Counter(dict(counts))


@functools.lru_cache(maxsize=LINE_CACHE)
def _normalise_line(line: str, repair: bool) -> tuple[str, tuple[tuple[str, int], ...]]:
    # Cached: the card's ZWNJ evaluation normalises the seed lines the build has
    # just normalised. Counts go out as a tuple so no caller can change the cache.
    text = hazm_normalize(line)
    counts: Counter[str] = Counter()
    if repair:
        text, undone = keep_writer_spaces(line, text)
        counts["keep-writer-space"] += undone
        text, edits = zwnj.restore(text)
        counts.update(e.kind for e in edits)
    return text, tuple((+counts).items())


def normalise(raw: str, *, repair: bool = True) -> NormalisedText:
    """Normalise a whole document line by line and align it to the raw text."""
    lines: list[str] = []
    counts: Counter[str] = Counter()
    for line in raw.split("\n"):
        text, c = normalise_line(line, repair=repair)
        lines.append(text)
        counts.update(c)
    text = "\n".join(lines)
    return NormalisedText(raw, text, align(raw, text, folding(), REWRITES),
                          dict(sorted(counts.items())))


def describe_changes(raw: str, text: str, alignment: Alignment) -> Counter[str]:
    """Count what normalisation changed, by kind, for the card and the manifest."""
    kinds: Counter[str] = Counter()
    for before, after in alignment.changes(raw, text):
        kinds[_change_kind(before, after)] += 1
    return kinds


def _change_kind(before: str, after: str) -> str:
    if not before:
        return {" ": "space inserted", "\u200c": "ZWNJ inserted"}.get(after, "text inserted")
    if not after:
        if all(unicodedata.category(c) == "Mn" for c in before):
            return "diacritic removed"
        return {" ": "space removed", "\u200c": "ZWNJ removed"}.get(before, "character removed")
    if {before, after} == {" ", "\u200c"}:
        return "space replaced by ZWNJ" if before == " " else "ZWNJ replaced by space"
    if "".join(c for c in before if unicodedata.category(c) != "Mn") == after:
        return "diacritic removed"
    if len(before) == len(after) == 1:
        if before.isdigit():
            return "digit converted to Persian"
        if before.isalpha():
            return "letter mapped to its Persian form"
        return f"punctuation {before!r} → {after!r}"
    return f"{before!r} rewritten as {after!r}"
