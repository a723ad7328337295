"""The normalise stage's own steps, against the plain walks they replace."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sokhan.stages.normalise import AFFIXES, PREFIXES, _separable_joins, hazm_steps

_EDGE = re.compile("[ \u200c\n.،؛:!؟«»()\\[\\]]")


def _joins_by_walking_the_edges(text: str) -> set[int]:
    """Every edge of the text, in turn: the ZWNJs between two words a writer separates."""
    tagged = hazm_steps().tagged
    edges = [m.start() for m in _EDGE.finditer(text)]
    joins = set()
    for k, at in enumerate(edges):
        if text[at] != "\u200c":
            continue
        left = text[edges[k - 1] + 1 if k else 0 : at]
        right = text[at + 1 : edges[k + 1] if k + 1 < len(edges) else len(text)]
        if left not in PREFIXES and right not in AFFIXES and left in tagged and right in tagged:
            joins.add(at)
    return joins


@pytest.mark.parametrize("text", [
    "رئیس\u200cجمهور گفت",  # two words joined: one join
    "بین\u200cالمللی",  # a bound piece (no part of speech): no join
    "کتاب\u200cها",  # an affix: no join
    "می\u200cرود",  # the prefix: no join
    "رئیس\u200c\u200cجمهور",  # two ZWNJs in a row: an empty word on each side
    "\u200cرئیس\u200cجمهور\u200c",  # ZWNJs at both ends of the line
    "«رئیس\u200cجمهور»، سخن\u200cگو",  # edges of punctuation around joins
    "",  # an empty line
])
def test_joins_in_a_table_of_lines(text):
    assert _separable_joins(text) == _joins_by_walking_the_edges(text)


_PIECES = ["رئیس", "جمهور", "سخن", "گو", "المللی", "بین", "ها", "می", "رود", "کتاب", "اب",
           "\u200c", " ", ".", "«", "»", "\n", "ی"]


@pytest.mark.fuzz
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_joins_are_those_of_the_edge_walk(text):
    assert _separable_joins(text) == _joins_by_walking_the_edges(text)
