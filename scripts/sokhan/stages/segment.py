"""Segmentation stage: a normalised document into sentences with roles.

Every line is a paragraph and a hard boundary (hazm's splitter alone merges
lines). Inside a line a sentence ends after ``. ! ? ؟ …`` together with any
closing quotation marks or brackets that follow (``.»``), when white space or
the end of the line comes next; a colon never ends a sentence, because a quote
opened by ``گفت:`` may run over several sentences.

Roles come from the whole line (:func:`line_role`). Lines that carry no running
text get roles of their own rather than "subheadline": a line of separator marks
only («***», «|», «—», «…»), a photo caption or credit («عکس: …», «… / عکس: …»)
and a line that is only a date («سه‌شنبه ۲۵ مرداد ۱۴۰۳»). Separator lines are kept
as sentences (role ``separator``), not dropped, so every line of the source stays
covered and sentence numbers do not depend on the rule.
"""

from __future__ import annotations

import re

from sokhan.records import Document, Sentence

_SENTENCE_END = re.compile(r"[.!?؟…]+[»)\]\"']*(?=\s|$)")
_TERMINAL = re.compile(r"[.!?؟…][»)\]\"']*$")
_SOURCE_CREDIT = re.compile(r"^منبع\s*:")
#: Marks that separate parts of a page; a line of nothing else is not text.
_SEPARATOR = re.compile(r"^[\s|*\-–—_=~.…•·#+/\\]+$")
_PHOTO = "(?:عکس|تصویر|عکاس|عکس\u200cها|تصاویر|فیلم|ویدئو|ویدیو)"
#: A caption or photo credit: it opens with «عکس:» / «تصویر:» / «عکس از …», or the
#: credit closes the line after a slash or bar («… / عکس: ایرنا»).
_CAPTION = re.compile(
    rf"^[\s«(]*{_PHOTO}\s*(?::|از\s)|[/|]\s*{_PHOTO}\s*(?::|از\s)[^/|]*$"
)
_WEEKDAYS = (
    "شنبه|یکشنبه|دوشنبه|سه\u200cشنبه|سه شنبه|سهشنبه|چهارشنبه|پنجشنبه|پنج\u200cشنبه|پنج شنبه|"
    "جمعه"
)
_MONTHS = (
    "فروردین|اردیبهشت|خرداد|تیر|مرداد|امرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند|"
    "ژانویه|فوریه|مارس|آوریل|مه|می|ژوئن|ژوئیه|جولای|اوت|آگوست|سپتامبر|اکتبر|نوامبر|دسامبر|"
    "محرم|صفر|ربیع\u200cالاول|ربیع\u200cالثانی|جمادی\u200cالاول|جمادی\u200cالثانی|رجب|شعبان|"
    "رمضان|شوال|ذی\u200cالقعده|ذی\u200cالحجه"
)
_WEEKDAYS_OR_MONTHS = f"(?:{_WEEKDAYS}|{_MONTHS})"
_DATE_WORD = (
    rf"(?:{_WEEKDAYS}|{_MONTHS}|ساعت|سال|ماه|هجری|شمسی|قمری|میلادی|خورشیدی|ه\.ش\.?|ه\.ق\.?|"
    r"\d+(?:[/:\-.٫]\d+)*)"
)
#: A line that is only a date (and perhaps a time), with an optional label.
_DATE_LINE = re.compile(
    rf"^(?:تاریخ(?: انتشار| خبر)?\s*:\s*|انتشار\s*:\s*)?"
    rf"{_DATE_WORD}(?:[\s،,\-–—/|]+{_DATE_WORD})*[\s.]*$"
)
#: ... which names a month or a weekday, or is a numeric date («۱۴۰۳/۰۵/۱۲»): a lone
#: number is no date.
_DATE_EVIDENCE = re.compile(
    rf"(?<![^\s،,\-–—/|:]){_WEEKDAYS_OR_MONTHS}(?![^\s،,\-–—/|.])|\d{{1,4}}[/\-.]\d{{1,2}}[/\-.]\d{{1,4}}"
)
#: The outlet's plug for its social-media accounts, not part of the news.
_BOILERPLATE = re.compile(r"(شبکه[\u200c ]?های اجتماعی|اینستاگرام|تلگرام).*همراه|همراه باشید")
#: What a repeat ignores: spacing and sentence-final punctuation.
_REPEAT_NOISE = re.compile(r"[\s\u200c]+|[.!?؟…]+$")
_FINAL_MARKS = ".!?؟…"


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
    if _SEPARATOR.match(line):
        return "separator"
    if _SOURCE_CREDIT.search(line):
        return "source_credit"
    if _CAPTION.search(line):
        return "caption"
    if _DATE_LINE.match(line.strip()) and _DATE_EVIDENCE.search(line):
        return "date"
    if _BOILERPLATE.search(line):
        return "boilerplate"
    if n_sentences == 1 and not _TERMINAL.search(line.rstrip()):
        return "headline" if line_no == 1 else "subheadline"
    return "body"


def repeat_key(text: str) -> str:
    """Two sentences with the same key are the same words in the same order.

    What :data:`_REPEAT_NOISE` removes, with string methods (a fifth of the time of
    the substitution): the final punctuation, then every space and ZWNJ.
    """
    # ``$`` also matches before a final line break, which the spaces then take
    body, tail = (text[:-1], "\n") if text.endswith("\n") else (text, "")
    return "".join((body.rstrip(_FINAL_MARKS) + tail).replace("\u200c", " ").split())


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
