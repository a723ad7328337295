"""Rules for the numeric and temporal types, in Persian and Latin digits and words.

The types are DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL and CARDINAL.
The rules follow the guidelines' span conventions (§4.6, §4.7): modifiers such
as «بیش از» stay outside, the counted noun stays outside CARDINAL, the unit stays
inside MONEY, PERCENT and QUANTITY, a period of a day or more is DATE and less is
TIME, and «روز»/«سال» before a calendar date are inside it.
"""

from __future__ import annotations

from sokhan.annotate import lexicon as lx
from sokhan.annotate.gazetteer import Proposal
from sokhan.annotate.text import Article, Tok

_SEPARATORS = set("٫٬,./:")


def is_digits(k: str) -> bool:
    """A token of digits, possibly with decimal, thousands or date separators inside."""
    return bool(k) and k[0].isdigit() and k[-1].isdigit() and all(
        c.isdigit() or c in _SEPARATORS for c in k)


def is_number_word(k: str) -> bool:
    """«دو», «بیست», «هزار», and the glued «وسه» / «بیستوپنج» of a compound number."""
    if k in lx.UNITS or k in lx.SCALES:
        return True
    if k.startswith("و") and k[1:] in lx.UNITS:
        return True
    parts = k.split("و")
    return len(parts) > 1 and all(p in lx.UNITS for p in parts)


def number_end(toks: tuple[Tok, ...], i: int) -> int | None:
    """End of the number phrase starting at token ``i`` («۵ هزار», «بیست و پنج», «۱۵ الی ۱۶»)."""
    if i >= len(toks) or not (is_digits(toks[i].key) or is_number_word(toks[i].key)):
        return None
    j = i + 1
    while j < len(toks):
        k = toks[j].key
        if k in lx.SCALES:
            j += 1
        elif is_number_word(k) and not k.startswith("و") and k not in lx.AMBIGUOUS and (
                toks[j - 1].key in lx.SCALES or lx.UNITS.get(toks[j - 1].key, 0) >= 100):
            j += 1  # «سیصد بیست», «هزار دویست»
        elif k.startswith("و") and is_number_word(k):
            j += 1  # the glued «وسه» in «دو وسه»
        elif (k in lx.RANGE_JOINS and j + 1 < len(toks)
              and (is_digits(toks[j + 1].key) or is_number_word(toks[j + 1].key))
              and toks[j + 1].key not in lx.AMBIGUOUS | {"یک"}):
            j += 2
        else:
            break
    return j


def _key(toks: tuple[Tok, ...], j: int) -> str:
    return toks[j].key if j < len(toks) else ""


def _month(k: str) -> bool:
    return k in lx.MONTHS or (k.endswith("ماه") and k[:-3] in lx.MONTHS)


def _year_end(toks: tuple[Tok, ...], j: int) -> int:
    """Past a year and an era word after a month: «دی ۱۴۰۲», «اکتبر ۲۰۲۳ میلادی»."""
    if is_digits(_key(toks, j)) and len(_key(toks, j)) in (2, 4):
        j += 1
    if _key(toks, j) in {"میلادی", "شمسی", "خورشیدی", "قمری", "هجری"}:
        j += 1
    return j


def weekday_length(toks: tuple[Tok, ...], j: int) -> int:
    """Tokens of the weekday name at ``j``: «چهارشنبه» is one, «سه شنبه» with a space two."""
    if _key(toks, j) in lx.WEEKDAYS:
        return 1
    if _key(toks, j) + _key(toks, j + 1) in lx.WEEKDAYS and _key(toks, j + 1) == "شنبه":
        return 2
    return 0


def calendar(toks: tuple[Tok, ...], i: int) -> int | None:
    """A calendar date: [روز] [weekday] [day [و day]] month [year], or a weekday alone."""
    j = i
    if _key(toks, j) == "روز" and (weekday_length(toks, j + 1) or number_end(toks, j + 1)):
        j += 1
    weekday = weekday_length(toks, j)
    j += weekday
    n = number_end(toks, j)
    if n is not None and _month(_key(toks, n)) and (
            is_digits(toks[j].key) or toks[j].key in lx.UNITS):
        return _year_end(toks, n + 1)
    if _month(_key(toks, j)) and _key(toks, j) not in lx.AMBIGUOUS_MONTHS:
        if is_digits(_key(toks, j + 1)) and len(_key(toks, j + 1)) == 4:
            return _year_end(toks, j + 1)
        if _key(toks, j) not in lx.GREGORIAN_MONTHS and _key(toks, j - 1) in {"ماه"}:
            return j + 1
    if weekday:
        return j
    if _key(toks, i) == "سال" and is_digits(_key(toks, i + 1)) and len(_key(toks, i + 1)) == 4:
        return _year_end(toks, i + 2)
    if is_digits(_key(toks, i)) and toks[i].key.count("/") == 2:
        return i + 1  # ۱۴۰۲/۱۰/۲۹
    return None


def relative(toks: tuple[Tok, ...], i: int) -> tuple[int, str] | None:
    """Deictic and relative dates and times: «امروز», «هفته آینده», «صبح امروز»."""
    k = _key(toks, i)
    if k in lx.PARTS_OF_DAY and _key(toks, i + 1) in lx.DEICTIC_DATES | {"روز", "همان"}:
        return i + 2, "TIME"
    if k in lx.DEICTIC_TIMES:
        return i + 1, "TIME"
    if k in lx.DEICTIC_DATES:
        return i + 1, "DATE"
    if k in lx.DATE_UNITS | {"روزهای", "سالهای", "ماههای", "هفتههای", "سالیان"} and _key(
            toks, i + 1) in {"آینده", "گذشته", "اخیر", "جاری", "آتی", "پیش", "قبل"}:
        return i + 2, "DATE"
    if k == "این" and _key(toks, i + 1) in {"هفته", "ماه", "سال"}:
        return i + 2, "DATE"
    return None


def with_unit(toks: tuple[Tok, ...], i: int) -> tuple[int, str] | None:
    """A number phrase and what follows it: a unit, a period, or nothing (CARDINAL)."""
    n = number_end(toks, i)
    if n is None:
        return None
    first, after = toks[i].key, _key(toks, n)
    if after in {"%", "٪"} or after in lx.PERCENT_UNITS:
        return n + 1, "PERCENT"
    if after in lx.MONEY_UNITS:
        return n + 1, "MONEY"
    if after == "تن" and _key(toks, n + 1) == "از":
        return n, "CARDINAL"  # «۴ تن از این عزیزان»: a classifier for people
    if after in lx.QUANTITY_UNITS:
        return n + 1, "QUANTITY"
    if after in lx.DATE_UNITS or after in lx.DATE_ADJ:
        j = n + 1
        if _key(toks, j) in lx.RELATIVE_AFTER and not (
                _key(toks, j) in {"پیش", "قبل", "بعد"} and _key(toks, j + 1) == "از"):
            j += 1
        return j, "DATE"
    if after in lx.TIME_UNITS:
        j = n + 1
        if _key(toks, j) == "ای":
            j += 1
        return j, "TIME"
    if n == i + 1:
        if first in lx.AMBIGUOUS or (first == "یک" and after not in lx.COUNTING_AFTER_YEK):
            return None  # «یک» as an article, «نه» as "no"
        if after in {"جانبه", "قطبی", "گانه", "سویه", "طرفه"} or after.startswith("جانب"):
            return None  # «دو جانبه», «دو قطبی»: part of a compound
    return n, "CARDINAL"


def fused(k: str) -> str | None:
    """A number glued to a period: «یکروزه», «دوساله», «۲۰ساله» (DATE), «یکساعته» (TIME)."""
    for unit in sorted(lx.UNITS, key=len, reverse=True):
        if k.startswith(unit) and len(k) > len(unit):
            rest = k[len(unit):]
            if rest in lx.DATE_ADJ:
                return "DATE"
            if rest in {"ساعته", "دقیقهای"}:
                return "TIME"
    return None


def ordinal(toks: tuple[Tok, ...], i: int) -> bool:
    """Ordinal words: «اولین», «نخستین», «سیصدمین», «بیستم», «۲۵مین»."""
    k = toks[i].key
    if k == "نخست":
        return _key(toks, i + 1) not in {"وزیر", "وزیری"}  # the job title «نخست وزیر»
    if k in lx.ORDINAL_SPECIAL:
        return True
    for suffix in lx.ORDINAL_SUFFIXES:
        stem = k[: -len(suffix)]
        if k.endswith(suffix) and stem and (is_number_word(stem) or is_digits(stem)):
            return stem not in {"ده", "سو"} or suffix == "مین"  # «دهم» is also "I give"
    return False


def propose(article: Article) -> list[Proposal]:
    """Every numeric and temporal mention, left to right, never overlapping."""
    out = []
    for sent in article.sentences:
        toks, i = sent.tokens, 0
        while i < len(toks):
            found: tuple[int, str] | None = None
            end = calendar(toks, i)
            if end is not None:
                found = (end, "DATE")
            found = found or relative(toks, i)
            if found is None and fused(toks[i].key):
                found = (i + 1, fused(toks[i].key) or "DATE")
            if found is None and ordinal(toks, i):
                found = (i + 1, "ORDINAL")
            if found is None and toks[i].key == "یکی" and _key(toks, i + 1) == "از":
                found = (i + 1, "CARDINAL")  # «یکی از»: "one of" counts (guidelines 1.2)
            found = found or with_unit(toks, i)
            if found is None:
                i += 1
                continue
            out.append(Proposal(sent.index, i, found[0], found[1], None, "rule"))
            i = found[0]
    return out
