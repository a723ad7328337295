"""hazm 0.10.0's ``Normalizer.normalize`` and word tokenizer as plain data, step for step.

Why not call hazm itself: ``import hazm`` loads its taggers, parsers and corpus
readers with scikit-learn, pandas and NLTK (1.2 of its 1.7 s, ``python -X
importtime``), none of which normalisation uses; and ``Normalizer.normalize``
rebuilds two translation tables on every call, hands some forty pattern strings
to :func:`re.sub`, and its Lemmatizer's table of 346 000 verb forms makes a
19 MB pickle. :class:`Steps` holds only what the steps read: the tables, the
patterns (taken from a Normalizer, not copied, and compiled once), the word list
and the verb forms a lookup can actually hit. It is built once from a real
Normalizer (:meth:`Steps.of`) and kept as a prepared copy, so a build or a worker
never imports hazm.

The steps run in hazm's order with hazm's patterns; a step is skipped only where
none of the characters it could change is present. The four methods that are code
rather than patterns (``WordTokenizer.tokenize``, ``token_spacing``,
``decrease_repeated_chars``, ``seperate_mi``) are written out here with the same
results. ``tests/test_hazm_steps.py`` checks both against hazm on every seed line,
a table of edge cases and random text. Only the options Sokhan sets are covered:
every normaliser step on, the tokenizer with verb parts unjoined.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hazm import Normalizer

ZWNJ = "\u200c"

_STEPS = ("_correct_spacing", "_remove_diacritics", "_remove_specials_chars",
          "_decrease_repeated_chars", "_persian_style", "_persian_number",
          "_unicodes_replacement", "_seperate_mi")

#: A compiled step: pattern, replacement, and a guard to look for first (text or a
#: pattern) or None.
Patterns = tuple[tuple[re.Pattern[str], str, str | re.Pattern[str] | None], ...]

#: For some of hazm's patterns (keyed by their text), what a line must contain for
#: the pattern to match at all: a line without it is left as it is, so the
#: substitution, which tries every position of the line, is skipped for a search
#: that stops at the first hit. A pattern not listed always runs; a changed pattern
#: loses its guard. Each guard is a literal piece of every match (or, for the ZWNJ
#: patterns that can match the empty string, the only character they remove).
#: ``tests/test_hazm_steps.py`` checks that no guarded pattern changes a text the
#: guard does not find. Measured on 11 000 synthetic news lines: the patterns
#: took 1.3 s, 0.5 s with the guards.
GUARDS: dict[str, str] = {
    '"([^\n"]+)"': '"',
    "([\\d+])\\.([\\d+])": "\\.",
    " ?\\.\\.\\.": "\\.\\.\\.",
    " {2,}": "  ",
    "\\n{3,}": "\n\n\n",
    "\\u200c{2,}": "\u200c",
    "\\u200c{1,} ": "\u200c",
    " \\u200c{1,}": "\u200c",
    "\\b\\u200c*\\B": "\u200c",  # matches the empty string too, but removes only ZWNJs
    "\\B\\u200c*\\b": "\u200c",  # likewise
    "[ـ\\r]": "[ـ\r]",
    "([^ ]ه) ی ": "ه ی ",
    "(^| )(ن?می) ": "می ",
    "(?<=[^\\n\\d \\.:!،؛؟»\\]\\)\\}«\\[\\(\\{]{2}) (تر(ین?)?|گری?|های?)"
    "(?=[ \n\\.:!،؛؟»\\]\\)\\}«\\[\\(\\{]|$)":
        # the pattern without its look-behind
        " (?:ترین|تری|تر|گری|گر|های|ها)(?=[ \n.:!،؛؟»\\])}«\\[({]|$)",
    "([^ ]ه) (ا(م|یم|ش|ند|ی|ید|ت))(?=[ \\n\\.:!،؛؟»\\]\\)\\}]|$)": "ه ا",
    "(ه)(ها)": "هها",
    '" ([^\n"]+) "': '"',
    " ([\\.:!،؛؟»\\]\\)\\}])": " [.:!،؛؟»\\])}]",
    "([«\\[\\(\\{]) ": "[«\\[({] ",
    "([\\.:])([^ \\.:!،؛؟»\\]\\)\\}\\d۰۱۲۳۴۵۶۷۸۹])": "[.:]",
    "([!،؛؟»\\]\\)\\}])([^ \\.:!،؛؟»\\]\\)\\}])": "[!،؛؟»\\])}]",
    "([^ «\\[\\(\\{])([«\\[\\(\\{])": "[«\\[({]",
    "(\\d)([آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی])": "\\d",
    "([آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی])(\\d)": "\\d",
}


def hazm_data() -> Path:
    """hazm's data folder, found without importing hazm."""
    spec = importlib.util.find_spec("hazm")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("hazm")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _compiled(patterns: list[tuple[str, str]]) -> Patterns:
    return tuple((re.compile(p), r, _guard(GUARDS[p]) if p in GUARDS else None)
                 for p, r in patterns)


def _guard(guard: str) -> str | re.Pattern[str]:
    # a plain piece of text is looked for with ``in``, cheaper than a pattern search
    return re.compile(guard) if any(c in guard for c in "()[]{}?*+|^$\\.") else guard


def _sub_all(patterns: Patterns, text: str) -> str:
    for pattern, repl, guard in patterns:
        if guard is None or (guard in text if isinstance(guard, str) else guard.search(text)):
            text = pattern.sub(repl, text)
    return text


def _any_of(chars: str) -> re.Pattern[str]:
    """A pattern that finds any of ``chars``."""
    return re.compile("[" + re.escape("".join(sorted(set(chars)))) + "]")


#: hazm's WordTokenizer pattern (``Steps.of`` refuses a tokenizer with another).
#: hazm pads every match with spaces and splits on spaces (tabs and line breaks
#: count as spaces), then drops empty pieces. The same alternatives, in the same
#: order, then any run of the other characters give the same tokens, matched in
#: place (:func:`token_rule`; measured on 11 000 lines: 0.33 s → 0.08 s).
HAZM_TOKEN_PATTERN = r'([؟!?]+|[\d.:]+|[:.،؛»\])}"«\[({/\\])'
_TOKEN_MARKS = r'[؟!?]+|[\d.:]+|[:.،؛»\])}"«\[({/\\]'
#: every character that starts one of the alternatives
_TOKEN_STARTS = r'؟!?\d.:،؛»\])}"«\[({/\\'


def token_rule(extra: str = "", extra_starts: str = "") -> str:
    """A pattern matching hazm's tokens in place.

    Args:
        extra: an alternative tried after hazm's own (``[-–—]``: dashes on their own).
        extra_starts: the characters that start it, which then end any other run.
    """
    marks = f"{_TOKEN_MARKS}|{extra}" if extra else _TOKEN_MARKS
    return f"{marks}|[^ \\n\\t{_TOKEN_STARTS}{extra_starts}]+"


def _token_pattern(hazms: str) -> re.Pattern[str]:
    if hazms != HAZM_TOKEN_PATTERN:
        raise ValueError(f"hazm's tokenizer pattern {hazms!r} is not the one Sokhan "
                         f"matches in place, {HAZM_TOKEN_PATTERN!r}")
    return re.compile(token_rule())


#: hazm's ``seperate_mi`` candidates and the prefix it separates.
_JOINT_MI = re.compile(r"\bن?می[آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی]+")
_MI_PREFIX = re.compile("^(ن?می)")


@dataclass(frozen=True, eq=True)
class Steps:
    """``Normalizer.normalize`` and ``WordTokenizer.tokenize`` for Sokhan's options."""

    translation_src: str
    translation_dst: str
    number_translation_src: str
    number_translation_dst: str
    translations: dict[int, str]
    numbers: dict[int, str]
    #: what the two tables can change: a line with none of it skips ``translate``
    translated: re.Pattern[str]
    numbered: re.Pattern[str]
    persian_style: Patterns
    diacritics: Patterns
    extra_space: Patterns
    affix_spacing: Patterns
    punctuation_spacing: Patterns
    replacements: Patterns
    #: every character the replacement patterns can match (plus their ``(|)``):
    #: a line with none of them is left as it is by all of them
    replaced: re.Pattern[str]
    specials: Patterns
    #: ``decrease_repeated_chars`` only changes a match of ``repeated_chars``,
    #: which contains this pattern: without a run of three letters it does nothing
    repeat: re.Pattern[str]
    repeated_chars: re.Pattern[str]
    #: hazm's tokens matched in place (:func:`token_rule`)
    token_pattern: re.Pattern[str]
    #: hazm's word list, for membership (a set unpickles in a fraction of the time of
    #: hazm's dict of frequencies and tags)
    words: frozenset[str]
    #: the words of the list that have a part of speech (the others are bound pieces
    #: such as «المللی», tagged ``0``)
    tagged: frozenset[str]
    suffixes: frozenset[str]
    #: what ``token_spacing`` joins two tokens into: a listed verb form or a word
    #: of positive frequency, spelt with a ZWNJ (a joined pair always holds one)
    joinable: frozenset[str]
    #: every part of a ``joinable`` entry before one of its ZWNJs: a token that is
    #: none of them joins only a suffix (one set lookup instead of a concatenation)
    heads: frozenset[str]
    #: verb forms of the shape ``a_b`` (the look-ahead that keeps a pair apart)
    verb_pairs: frozenset[str]
    #: verb forms starting with «می‌» or «نمی‌» (what ``seperate_mi`` accepts)
    mi_verbs: frozenset[str]

    @classmethod
    def of(cls, n: Normalizer) -> Steps:
        """The steps of a hazm Normalizer with every step on.

        Raises:
            ValueError: when a step is off, or the tokenizer joins verb parts.
        """
        if not all(getattr(n, step) for step in _STEPS):
            raise ValueError("hazm_steps.Steps needs a Normalizer with every step on")
        tokenizer = n.tokenizer
        if tokenizer._join_verb_parts or tokenizer._join_abbreviation or any(
            getattr(tokenizer, option) for option in (
                "separate_emoji", "replace_links", "replace_ids", "replace_emails",
                "replace_numbers", "replace_hashtags")):
            raise ValueError("hazm_steps.Steps needs the tokenizer hazm's Normalizer builds")
        verbs = [v for v in n.verbs if " " not in v]  # a token never holds a space
        joinable = frozenset(
            [v for v in verbs if ZWNJ in v]
            + [w for w, (freq, _) in n.words.items() if ZWNJ in w and freq > 0])
        heads = frozenset(entry[:k] for entry in joinable
                          for k, char in enumerate(entry) if char == ZWNJ)
        return cls(
            translation_src=n.translation_src,
            translation_dst=n.translation_dst,
            number_translation_src=n.number_translation_src,
            number_translation_dst=n.number_translation_dst,
            translations={ord(a): b for a, b in
                          zip(n.translation_src, n.translation_dst, strict=False)},
            numbers={ord(a): b for a, b in
                     zip(n.number_translation_src, n.number_translation_dst, strict=False)},
            translated=_any_of(n.translation_src),
            numbered=_any_of(n.number_translation_src),
            persian_style=_compiled(n.persian_style_patterns),
            diacritics=_compiled(n.diacritics_patterns),
            extra_space=_compiled(n.extra_space_patterns),
            affix_spacing=_compiled(n.affix_spacing_patterns),
            punctuation_spacing=_compiled(n.punctuation_spacing_patterns),
            replacements=_compiled(n.replacements),
            replaced=_any_of("".join(p for p, _ in n.replacements)),
            specials=_compiled(n.specials_chars_patterns),
            repeat=re.compile(n.more_than_two_repeat_pattern),
            repeated_chars=re.compile(n.repeated_chars_pattern),
            token_pattern=_token_pattern(tokenizer.pattern.pattern),
            words=frozenset(n.words),
            tagged=frozenset(w for w, (_, tags) in n.words.items() if tags != ("0",)),
            suffixes=frozenset(n.suffixes),
            joinable=joinable,
            heads=heads,
            verb_pairs=frozenset(v for v in verbs if "_" in v),
            mi_verbs=frozenset(v for v in verbs if v.startswith(("می" + ZWNJ, "نمی" + ZWNJ))),
        )

    def normalize(self, text: str) -> str:
        """What ``Normalizer.normalize(text)`` returns."""
        if self.translated.search(text):
            text = text.translate(self.translations)
        text = _sub_all(self.persian_style, text)
        if self.numbered.search(text):
            text = text.translate(self.numbers)
        text = _sub_all(self.diacritics, text)
        text = self.correct_spacing(text)
        if self.replaced.search(text):  # one search for all eleven replacements
            text = _sub_all(self.replacements, text)
        text = _sub_all(self.specials, text)
        if self.repeat.search(text):
            text = self.decrease_repeated_chars(text)
        if "می" in text:  # seperate_mi's pattern starts with it
            text = self.seperate_mi(text)
        return text

    def correct_spacing(self, text: str) -> str:
        """What ``Normalizer.correct_spacing(text)`` returns."""
        text = _sub_all(self.extra_space, text)
        text = "\n".join(" ".join(self.token_spacing(self.tokenize(line)))
                         for line in text.split("\n"))
        text = _sub_all(self.affix_spacing, text)
        return _sub_all(self.punctuation_spacing, text)

    def tokenize(self, text: str) -> list[str]:
        """What hazm's ``WordTokenizer(join_verb_parts=False).tokenize(text)`` returns."""
        return self.token_pattern.findall(text)

    def token_spacing(self, tokens: list[str]) -> list[str]:
        """What ``Normalizer.token_spacing(tokens)`` returns: affixes and compounds joined."""
        words, joinable, heads = self.words, self.joinable, self.heads
        suffixes, verb_pairs = self.suffixes, self.verb_pairs
        result: list[str] = []
        last = len(tokens) - 1
        for t, token in enumerate(tokens):
            if result:
                prev = result[-1]
                if prev in heads and prev + ZWNJ + token in joinable:
                    # hazm keeps the pair apart when the token starts a verb with the next
                    if t < last and token + "_" + tokens[t + 1] in verb_pairs:
                        result.append(token)
                    else:
                        result[-1] = prev + ZWNJ + token
                    continue
                if token in suffixes and prev in words:
                    result[-1] = prev + ZWNJ + token
                    continue
            result.append(token)
        return result

    def decrease_repeated_chars(self, text: str) -> str:
        """What ``Normalizer.decrease_repeated_chars(text)`` returns."""
        words = self.words
        for m in self.repeated_chars.finditer(text):  # over the text as it came in
            word = m.group()
            if word not in words:
                no_repeat = self.repeat.sub(r"\1", word)
                two_repeat = self.repeat.sub(r"\1\1", word)
                if (no_repeat in words) != (two_repeat in words):
                    text = text.replace(word, no_repeat if no_repeat in words else two_repeat)
                else:
                    text = text.replace(word, two_repeat)
        return text

    def seperate_mi(self, text: str) -> str:
        """What ``Normalizer.seperate_mi(text)`` returns."""
        for m in _JOINT_MI.findall(text):
            r = _MI_PREFIX.sub("\\1" + ZWNJ, m)
            if r in self.mi_verbs:
                text = text.replace(m, r)
        return text
