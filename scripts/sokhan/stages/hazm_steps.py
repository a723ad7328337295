"""hazm 0.10.0's ``Normalizer.normalize``, step for step, with its tables built once.

``Normalizer.normalize`` rebuilds two translation tables on every call and hands
some forty pattern strings to :func:`re.sub`, which looks each one up in the
``re`` cache; several steps scan for characters a news line almost never holds.
Measured on 5 482 synthetic news lines: 0.36 s of 2.5 s go to the tables alone.
:class:`Steps` runs the same steps, in the same order, with the same patterns
(taken from the Normalizer itself, not copied), compiled once, and skips a step
only where a test shows it cannot change the text (none of its characters is
present). It is only used with the options Sokhan sets (all of hazm's steps on);
``tests/test_normalise.py`` checks it against ``Normalizer.normalize``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hazm import Normalizer

_STEPS = ("_correct_spacing", "_remove_diacritics", "_remove_specials_chars",
          "_decrease_repeated_chars", "_persian_style", "_persian_number",
          "_unicodes_replacement", "_seperate_mi")


def _compiled(patterns: list[tuple[str, str]]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p), r) for p, r in patterns]


def _sub_all(patterns: list[tuple[re.Pattern[str], str]], text: str) -> str:
    for pattern, repl in patterns:
        text = pattern.sub(repl, text)
    return text


class Steps:
    """``normalizer.normalize`` for a Normalizer with every step on."""

    def __init__(self, normalizer: Normalizer):
        if not all(getattr(normalizer, step) for step in _STEPS):
            raise ValueError("hazm_steps.Steps needs a Normalizer with every step on")
        n = self.n = normalizer
        self.translations = {ord(a): b for a, b in
                             zip(n.translation_src, n.translation_dst, strict=False)}
        self.numbers = {ord(a): b for a, b in
                        zip(n.number_translation_src, n.number_translation_dst, strict=False)}
        self.persian_style = _compiled(n.persian_style_patterns)
        self.diacritics = _compiled(n.diacritics_patterns)
        self.extra_space = _compiled(n.extra_space_patterns)
        self.affix_spacing = _compiled(n.affix_spacing_patterns)
        self.punctuation_spacing = _compiled(n.punctuation_spacing_patterns)
        self.replacements = _compiled(n.replacements)
        # Every character the replacement patterns can match (plus their ``(|)``):
        # a line with none of them is left as it is by all of them.
        self.replaced = re.compile(
            "[" + re.escape("".join(sorted({c for p, _ in n.replacements for c in p}))) + "]")
        self.specials = _compiled(n.specials_chars_patterns)
        # decrease_repeated_chars only changes a match of repeated_chars_pattern,
        # which contains this pattern: without a run of three letters it does nothing.
        self.repeat = re.compile(n.more_than_two_repeat_pattern)

    def normalize(self, text: str) -> str:
        """What ``Normalizer.normalize(text)`` returns."""
        n = self.n
        text = text.translate(self.translations)
        text = _sub_all(self.persian_style, text)
        text = text.translate(self.numbers)
        text = _sub_all(self.diacritics, text)
        text = self.correct_spacing(text)
        if self.replaced.search(text):
            text = _sub_all(self.replacements, text)
        text = _sub_all(self.specials, text)
        if self.repeat.search(text):
            text = n.decrease_repeated_chars(text)
        if "می" in text:  # seperate_mi's pattern starts with it
            text = n.seperate_mi(text)
        return text

    def correct_spacing(self, text: str) -> str:
        """What ``Normalizer.correct_spacing(text)`` returns."""
        n = self.n
        text = _sub_all(self.extra_space, text)
        text = "\n".join(" ".join(n.token_spacing(n.tokenizer.tokenize(line)))
                         for line in text.split("\n"))
        text = _sub_all(self.affix_spacing, text)
        return _sub_all(self.punctuation_spacing, text)
