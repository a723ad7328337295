"""What an article's text says about itself: headline, outlet, Solar Hijri dates.

Pure functions over the raw text. They propose manifest fields for ``sokhan add``;
anything the text does not say stays ``None`` ("to fill in"), never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jdatetime

#: The Solar Hijri months, in order; «دی» is also written «دیماه» / «دی‌ماه».
MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
          "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
#: A headline is one short line without the punctuation that ends a sentence.
MAX_HEADLINE_CHARS = 200
_SENTENCE_END = (".", "!", "؟", "?", ":", "…", "؛")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_D = r"[0-9۰-۹٠-٩]"
# «۱۵ آذر ۱۴۰۲», «۲۹ دیماه», «۱۵ آذرماه ۱۴۰۲»; the month must not run on into a longer
# word («مهرداد», «تیرماه» is fine, «تیرانداز» is not)
_WORDED = re.compile(
    rf"(?<!{_D})({_D}{{1,2}})\s*(?:ام\s+)?({'|'.join(MONTHS)})(?:\u200c?\s?ماه)?"
    rf"(?![\u0600-\u06ff])(?:\s*(?:سال\s+)?([1۱][34۳۴]{_D}{{2}}))?(?!{_D})")
# «۱۴۰۲/۰۹/۱۶» or «1402-9-16»
_NUMERIC = re.compile(
    rf"(?<!{_D})([۱1][۳۴34]{_D}{{2}})[/\-]({_D}{{1,2}})[/\-]({_D}{{1,2}})(?!{_D})")
_REPORT = re.compile(r"به گزارش\s+([^،,.:\n]+)")
_SOURCE = re.compile(r"^\s*منبع\s*[:：]\s*([^\n]+?)\s*$", re.MULTILINE)
# «به گزارش گروه سیاست شجرنیوز»: the desk is not the outlet
_DESK = re.compile(r"^(?:گروه|سرویس|خبرنگار)\s+\S+\s+")


@dataclass(frozen=True)
class HijriDate:
    """A Solar Hijri date found in the text.

    Attributes:
        line: the 1-based line it is on.
        text: the words as written.
        jalali: ``YYYY-MM-DD`` in the Solar Hijri calendar, or None without a year.
        gregorian: the same day in ISO 8601, or None without a year.
    """

    line: int
    text: str
    jalali: str | None
    gregorian: str | None


def headline(text: str) -> str | None:
    """The first line when it reads as a title: short, not a sentence, not the only line."""
    lines = text.split("\n")
    first = lines[0].strip()
    if len(lines) < 2 or not first or len(first) > MAX_HEADLINE_CHARS:
        return None
    return None if first.endswith(_SENTENCE_END) else first


def outlet(text: str) -> tuple[str | None, str | None]:
    """``(outlet, source_credit)``: «به گزارش X» names the outlet, «منبع: Y» the source.

    With only «منبع: Y», Y is the outlet; the credit is kept apart only when both
    are named and differ (an outlet republishing an agency's report).
    """
    report = _REPORT.search(text)
    reported = _DESK.sub("", report.group(1).strip()) if report else None
    source = _SOURCE.search(text)
    credited = source.group(1).strip().rstrip(".،") if source else None
    if reported is None:
        return credited, None
    return reported, credited if credited and credited != reported else None


def hijri_dates(text: str) -> list[HijriDate]:
    """Every Solar Hijri date in the text, in order, converted when it has a year."""
    found: list[tuple[int, HijriDate | None]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        for m in _WORDED.finditer(line):
            day, month = int(m.group(1).translate(_DIGITS)), MONTHS.index(m.group(2)) + 1
            year = int(m.group(3).translate(_DIGITS)) if m.group(3) else None
            found.append((m.start() + 10**6 * n, _date(n, m.group(0), year, month, day)))
        for m in _NUMERIC.finditer(line):
            year, month, day = (int(g.translate(_DIGITS)) for g in m.groups())
            found.append((m.start() + 10**6 * n, _date(n, m.group(0), year, month, day)))
    return [d for _, d in sorted(found, key=lambda x: x[0]) if d is not None]


def _date(line: int, text: str, year: int | None, month: int, day: int) -> HijriDate | None:
    if year is None:
        return HijriDate(line, text, None, None) if 1 <= day <= 31 else None
    try:
        g = jdatetime.date(year, month, day).togregorian()
    except ValueError:  # «۳۱ اسفند» of a common year, month 13: not a date
        return None
    return HijriDate(line, text, f"{year:04d}-{month:02d}-{day:02d}", g.isoformat())


def derive(text: str) -> dict:
    """The manifest fields the text gives; every other field is None, to fill in."""
    name, credit = outlet(text)
    dates = hijri_dates(text)
    full = [d for d in dates if d.jalali]
    evidence = None
    if full:
        evidence = (f"line {full[0].line}: «{full[0].text}» (Solar Hijri {full[0].jalali}, "
                    f"converted with jdatetime); check that it is the event's date")
    elif dates:
        evidence = (f"line {dates[0].line}: «{dates[0].text}» gives a Solar Hijri day without "
                    "a year; fill in the year and event_date")
    return {
        "headline": headline(text),
        "outlet": name,
        "outlet_en": None,
        "source_credit": credit,
        "event": None,
        "event_fa": None,
        "event_id": None,
        "event_date": full[0].gregorian if full else None,
        "event_date_evidence": evidence,
        "event_date_jalali": full[0].jalali if full else None,
        "participants_iran": None,
        "participants_russia": None,
        "participants_iran_en": None,
        "participants_russia_en": None,
    }
