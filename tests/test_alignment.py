"""Raw ↔ normalised alignment: exact on Persian edge cases and on random text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sokhan.stages.alignment import align
from sokhan.stages.normalise import normalise

ZWNJ = "\u200c"


def _covers(alignment, raw: str, norm: str) -> None:
    rs = ns = 0
    for s in alignment.segments:
        assert (s.rs, s.ns) == (rs, ns), "segments must be contiguous"
        if s.same:
            assert raw[s.rs:s.re] == norm[s.ns:s.ne]
        rs, ns = s.re, s.ne
    assert (rs, ns) == (len(raw), len(norm))


@pytest.mark.parametrize(
    ("raw", "word", "raw_word"),
    [
        # hazm inserts a ZWNJ after the mi- prefix: the word maps to the glued raw form
        ("مذاکرات ما حتما میتواند توسعه", "می" + ZWNJ + "تواند", "میتواند"),
        # a space becomes a ZWNJ: the raw span keeps the space
        ("آیت الله رئیسی", "آیت" + ZWNJ + "الله", "آیت الله"),
        # Latin digits become Persian digits one for one
        ("در سال 2023شده است", "۲۰۲۳", "2023"),
        # Arabic kaf and yeh become Persian letters
        ("در شبكه های اجتماعی", "شبکه" + ZWNJ + "های", "شبكه های"),
        # a space before a period is removed; the period maps to itself
        ("داشته باشیم . امیدوارم", "باشیم.", "باشیم ."),
        # a tanwin is removed; the word still maps to its raw form with the mark
        ("مستقیماً در تهران", "مستقیما", "مستقیماً"),
        # a space after a colon is inserted; the colon maps back alone
        ("پوتین :سلام من", "پوتین:", "پوتین :"),
    ],
)
def test_words_map_back_to_their_raw_form(raw, word, raw_word):
    doc = normalise(raw, repair=False)
    start = doc.text.index(word)
    rs, re_ = doc.alignment.norm_to_raw(start, start + len(word))
    assert raw[rs:re_] == raw_word
    assert doc.alignment.raw_to_norm(rs, re_) == (start, start + len(word))
    _covers(doc.alignment, raw, doc.text)


@pytest.mark.slow
def test_lines_stay_lines():
    raw = "خط اول.\n\n\nخط چهارم"
    doc = normalise(raw)
    assert doc.text.count("\n") == raw.count("\n")
    _covers(doc.alignment, raw, doc.text)


PERSIAN = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئيكۀ"
_text = st.text(alphabet=PERSIAN + " \u200c.،:«»!؟0123456789۰۱۲۳٫٬-\n\u064b\u0640", max_size=80)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_text)
def test_alignment_covers_any_text(raw):
    doc = normalise(raw)
    _covers(doc.alignment, raw, doc.text)
    # every normalised word maps to a raw span and back to itself
    start = None
    for i, ch in enumerate(doc.text + " "):
        if ch.isspace() and start is not None:
            rs, re_ = doc.alignment.norm_to_raw(start, i)
            assert 0 <= rs <= re_ <= len(raw)
            start = None
        elif not ch.isspace() and start is None:
            start = i


def _segments(raw: str, norm: str) -> list[tuple]:
    from sokhan.stages.normalise import REWRITES, fold

    return [(s.rs, s.re, s.ns, s.ne, s.same) for s in align(raw, norm, fold, REWRITES).segments]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_run_compare_gives_the_character_walks_segments(seed, monkeypatch):
    # The walk compares agreeing runs as slices; with runs of one character it is the
    # plain character-by-character walk. Both must give the same alignment, also on
    # long lines where the diff window undoes part of a run.
    import random

    from sokhan.stages import alignment
    from sokhan.stages.normalise import hazm_normalize

    rng = random.Random(seed)
    alphabet = [*"ابپتثجچحخدسشکگلمنوهیيك ۱۲3 .\u200c\u064b\u064eـ،«»", "...", "ﷲ"]
    cases = []
    for _ in range(150):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        raw *= rng.choice((1, 1, 25))  # some lines past WHOLE_LINE_DIFF
        norm = list(hazm_normalize(raw))
        for _ in range(rng.randint(0, 3)):  # a few letters the walk cannot explain
            if norm:
                norm[rng.randrange(len(norm))] = rng.choice(alphabet[:20])
        cases.append((raw, "".join(norm)))
    fast = [_segments(r, n) for r, n in cases]
    monkeypatch.setattr(alignment, "_equal_run", lambda *_: 1)
    assert [_segments(r, n) for r, n in cases] == fast


@given(st.text(alphabet="اب \u200c", max_size=40), st.text(alphabet="اب \u200c", max_size=40),
       st.integers(0, 40), st.integers(0, 40))
def test_equal_run_is_the_common_prefix(a, b, i, j):
    from sokhan.stages.alignment import _equal_run

    i, j = min(i, len(a)), min(j, len(b))
    n = 0
    while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
        n += 1
    assert _equal_run(a, i, b, j) == n


def test_folding_a_line_with_the_table_gives_the_same_segments():
    from sokhan.stages.alignment import Fold, _align_line
    from sokhan.stages.normalise import REWRITES, folding, normalise_line

    table = folding().table
    for raw in ("كتاب هاي 12 درصد", "ما میتوانیم  کتابهای خوب را بخوانیم ...", "سلام"):
        norm = normalise_line(raw)[0]
        starts = {before[:1] for before in REWRITES}
        by_char = _align_line(raw, norm, lambda c: table.get(ord(c), c), REWRITES, starts)
        assert _align_line(raw, norm, Fold(table), REWRITES, starts) == by_char
