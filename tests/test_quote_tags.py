"""Quotation BIO tags in `sentences`: derived from `quotes`, and they convert back to its spans."""

from __future__ import annotations

import re

import pyarrow.parquet as pq
import pytest

from sokhan.publication.columns import config_splits
from sokhan.publication.parquet import data_path
from sokhan.records import Quote, Sentence, Span, Token
from sokhan.stages.attach import quote_bio_tags

ORDER = ("CONTENT", "CUE", "SOURCE")  # tagging order: a later kind overwrites


def _sentence(sid: str, words: list[str], start: int) -> Sentence:
    text = " ".join(words)
    tokens, at = [], 0
    for w in words:
        tokens.append(Token(w, at, at + len(w), w, at, at + len(w)))
        at += len(w) + 1
    return Sentence(sid, "d", int(sid[-1]), 1, "body", text, start, start + len(text), text,
                    start, start + len(text), tokens=tokens)


def _span(doc: str, start: int, end: int) -> Span:
    return Span(doc[start:end], start, end, doc[start:end], start, end)


DOC = "وی گفت ما آماده‌ایم\nپوتین افزود همکاری ادامه دارد"
S1 = _sentence("d-s1", ["وی", "گفت", "ما", "آماده‌ایم"], 0)
S2 = _sentence("d-s2", ["پوتین", "افزود", "همکاری", "ادامه", "دارد"], 20)


def _quote(qid, cue, content, speaker, parent=None) -> Quote:
    return Quote(qid, "d", ("d-s1",), "indirect", _span(DOC, *cue),
                 tuple(_span(DOC, *c) for c in content),
                 _span(DOC, *speaker) if speaker else None, "name", "x", None, parent)


@pytest.mark.parametrize(("quotes", "expected"), [
    # source, cue and a two-token content in one sentence
    ([_quote("q1", (3, 6), [(7, 19)], (0, 2))],
     {"d-s1": ["B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT"], "d-s2": ["O"] * 5}),
    # content running into the next sentence starts again with B- there (IOB2 per sentence)
    ([_quote("q1", (3, 6), [(7, 39)], None)],
     {"d-s1": ["O", "B-CUE", "B-CONTENT", "I-CONTENT"],
      "d-s2": ["B-CONTENT", "I-CONTENT", "I-CONTENT", "O", "O"]}),
    # a nested quotation is tagged as its parent's content, not on its own
    ([_quote("q1", (3, 6), [(7, 19)], (0, 2)), _quote("q2", (7, 9), [(10, 19)], None, "q1")],
     {"d-s1": ["B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT"], "d-s2": ["O"] * 5}),
    # a source inside the content keeps its tag; the content resumes with I-
    ([_quote("q1", (26, 31), [(20, 25), (32, 50)], (20, 25))],
     {"d-s1": ["O"] * 4, "d-s2": ["B-SOURCE", "B-CUE", "B-CONTENT", "I-CONTENT", "I-CONTENT"]}),
    # no quotation: all O
    ([], {"d-s1": ["O"] * 4, "d-s2": ["O"] * 5}),
])
def test_quote_bio_tags(quotes, expected):
    assert DOC[20:25] == "پوتین" and DOC[32:50] == "همکاری ادامه دارد"
    assert quote_bio_tags([S1, S2], quotes) == expected


def _decode(tags: list[str]) -> set[tuple[str, int, int]]:
    spans, start, kind = set(), None, None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != kind):
            spans.add((kind, start, i))
            start = None
        if tag != "O" and start is None:
            start, kind = i, tag[2:]
    return spans


def _expected_pieces(fresh_corpus):
    """Per sentence, the token spans of the outermost quotations, computed from the Parquet."""
    expected: dict[str, set] = {}
    skipped = {"unaligned": 0, "overwritten": 0, "nested": 0, "pieces": 0}
    for split in config_splits("quotes"):
        sents = pq.read_table(fresh_corpus / data_path("sentences", split)).to_pylist()
        quotes = pq.read_table(fresh_corpus / data_path("quotes", split)).to_pylist()
        for s in sents:
            expected.setdefault(s["id"], set())
        skipped["nested"] += sum(q["parent_id"] is not None for q in quotes)
        spans = {(kind, sp["start"], sp["end"], q["doc_id"])
                 for q in quotes if q["parent_id"] is None
                 for kind, parts in (("CONTENT", q["content"]), ("CUE", [q["cue"]]),
                                     ("SOURCE", q["speaker"]))
                 for sp in parts}
        for kind, start, end, doc in spans:
            for s in sents:
                if s["doc_id"] != doc or not (s["start"] < end and start < s["end"]):
                    continue
                skipped["pieces"] += 1
                lo, hi = max(start, s["start"]), min(end, s["end"])
                piece = s["text"][lo - s["start"]:hi - s["start"]]
                a = lo - s["start"] + len(piece) - len(piece.lstrip())
                b = hi - s["start"] - (len(piece) - len(piece.rstrip()))
                if a not in s["token_starts"] or b not in s["token_ends"]:
                    skipped["unaligned"] += 1
                    continue
                if any(ORDER.index(k) > ORDER.index(kind) and d == doc and st < hi and lo < en
                       for k, st, en, d in spans):
                    skipped["overwritten"] += 1
                    continue
                expected[s["id"]].add(
                    (kind, s["token_starts"].index(a), s["token_ends"].index(b) + 1))
    return expected, skipped


def test_tags_convert_back_to_the_quote_spans(fresh_corpus):
    expected, skipped = _expected_pieces(fresh_corpus)
    got = {}
    for split in config_splits("sentences"):
        for s in pq.read_table(fresh_corpus / data_path("sentences", split)).to_pylist():
            got[s["id"]] = _decode(s["quote_tags_names"])
    assert sum(len(v) for v in expected.values()) > 100
    if skipped["unaligned"] == skipped["overwritten"] == 0:
        assert got == expected
    else:  # pieces that cannot come back whole are left out of the comparison
        for sid, pieces in expected.items():
            assert pieces <= got[sid]


def test_card_states_the_measured_alignment(fresh_corpus):
    _, skipped = _expected_pieces(fresh_corpus)
    card = (fresh_corpus / "README.md").read_text(encoding="utf-8")
    m = re.search(r"make (\d+) tagged pieces\. (\d+) of them do not align.*?and (\d+) are "
                  r"content pieces.*?The (\d+) nested quotations", card, re.S)
    assert m, "the card states how the quotation tags align"
    assert tuple(map(int, m.groups())) == (skipped["pieces"], skipped["unaligned"],
                                           skipped["overwritten"], skipped["nested"])
