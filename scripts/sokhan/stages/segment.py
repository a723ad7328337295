"""Segmentation stage: a normalised document into sentences with roles.

Every line is a paragraph and a hard boundary (hazm's splitter alone merges
lines). Inside a line a sentence ends after ``. ! ? ؟ …`` together with any
closing quotation marks or brackets that follow (``.»``), when white space or
the end of the line comes next; a colon never ends a sentence, because a quote
opened by ``گفت:`` may run over several sentences.
"""

from __future__ import annotations

import re

from sokhan.records import Document, Sentence

_SENTENCE_END = re.compile(r"[.!?؟…]+[»)\]\"']*(?=\s|$)")
_TERMINAL = re.compile(r"[.!?؟…][»)\]\"']*$")
_SOURCE_CREDIT = re.compile(r"^منبع\s*:")
#: The outlet's plug for its social-media accounts, not part of the news.
_BOILERPLATE = re.compile(r"(شبکه[\u200c ]?های اجتماعی|اینستاگرام|تلگرام).*همراه|همراه باشید")
#: What a repeat ignores: spacing and sentence-final punctuation.
_REPEAT_NOISE = re.compile(r"[\s\u200c]+|[.!?؟…]+$")


def split_line(line: str) -> list[tuple[int, int]]:
    """Split one normalised line into sentence spans (offsets within the line)."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(line):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(line)))
    out = []
    for s, e in spans:
        piece = line[s:e]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append((s + lead, s + lead + len(stripped)))
    return out


def line_role(line: str, line_no: int, n_sentences: int) -> str:
    """The role of every sentence of a line: headline, subheadline, body and so on."""
    if _SOURCE_CREDIT.search(line):
        return "source_credit"
    if _BOILERPLATE.search(line):
        return "boilerplate"
    if n_sentences == 1 and not _TERMINAL.search(line.rstrip()):
        return "headline" if line_no == 1 else "subheadline"
    return "body"


def repeat_key(text: str) -> str:
    """Two sentences with the same key are the same words in the same order."""
    return _REPEAT_NOISE.sub("", text)


def segment(doc: Document) -> list[Sentence]:
    """Split a document into sentences, with ids, roles and repeat flags.

    Args:
        doc: the normalised document.

    Returns:
        Sentences numbered from 1 (``<doc_id>-s<n>``) with offsets in both texts.
    """
    sentences: list[Sentence] = []
    first_seen: dict[str, str] = {}
    line_start = 0
    for line_no, line in enumerate(doc.text.split("\n"), start=1):
        spans = split_line(line)
        role = line_role(line, line_no, len(spans))
        for s, e in spans:
            start, end = line_start + s, line_start + e
            raw_start, raw_end = doc.alignment.norm_to_raw(start, end)
            n = len(sentences) + 1
            sid = f"{doc.doc_id}-s{n}"
            text = doc.text[start:end]
            key = repeat_key(text)
            sentences.append(
                Sentence(
                    id=sid,
                    doc_id=doc.doc_id,
                    n=n,
                    line=line_no,
                    role=role,
                    text=text,
                    start=start,
                    end=end,
                    raw_text=doc.raw_text[raw_start:raw_end],
                    raw_start=raw_start,
                    raw_end=raw_end,
                    repeat_of=first_seen.get(key),
                )
            )
            first_seen.setdefault(key, sid)
        line_start += len(line) + 1
    return sentences
