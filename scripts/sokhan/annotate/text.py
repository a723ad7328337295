"""The article as the pre-annotator sees it: sentences of tokens with raw offsets.

The text goes through the corpus's own stages (normalise, segment, tokenise), so a
span made of whole tokens here is a span the validator accepts, and every token
carries its offsets into the raw article for the draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from sokhan.records import Document, SeedFile
from sokhan.stages.normalise import normalise
from sokhan.stages.segment import segment
from sokhan.stages.tokenise import tokenise

ZWNJ = "\u200c"


@dataclass(frozen=True)
class Tok:
    """A token: its normalised text, a matching key and its raw offsets."""

    text: str
    key: str
    raw_start: int
    raw_end: int
    sent: int
    index: int  # position in its sentence


@dataclass(frozen=True)
class Sent:
    """A sentence: its tokens, line number and role."""

    index: int
    line: int
    role: str
    tokens: tuple[Tok, ...]


@dataclass(frozen=True)
class Article:
    """A raw article with its sentences."""

    doc_id: str
    raw: str
    sentences: tuple[Sent, ...]

    def span_text(self, sent: int, i: int, j: int) -> tuple[int, int, str]:
        """Raw offsets and text of tokens ``i..j-1`` of sentence ``sent``."""
        toks = self.sentences[sent].tokens
        start, end = toks[i].raw_start, toks[j - 1].raw_end
        return start, end, self.raw[start:end]


def key(word: str) -> str:
    """The matching key of a word: normalised letters without ZWNJ or spaces.

    hazm already folds «ي/ی», «ك/ک», diacritics and digits; dropping ZWNJ and
    spaces makes «امیرعبداللهیان», «امیر عبداللهیان» and «امیر‌عبداللهیان» one key.
    """
    return word.replace(ZWNJ, "").replace(" ", "").replace("أ", "ا").replace("ۀ", "ه")


def read_article(raw: str, doc_id: str) -> Article:
    """Normalise, segment and tokenise a raw article (one paragraph a line)."""
    norm = normalise(raw)
    seed = SeedFile(doc_id, f"{doc_id}.txt", raw, "", len(raw.encode()), {})
    doc = Document(seed, norm.text, norm.alignment, norm.repairs)
    sentences = tokenise(doc, segment(doc), seed.file)
    out = []
    for k, s in enumerate(sentences):
        toks = tuple(
            Tok(t.text, key(t.text), s.raw_start + t.raw_start, s.raw_start + t.raw_end, k, i)
            for i, t in enumerate(s.tokens)
        )
        out.append(Sent(k, s.line, s.role, toks))
    return Article(doc_id, raw, tuple(out))
