"""General knowledge the registry may lack: world names in Persian from CLDR.

The world's countries, regions, cities and languages, from the Unicode CLDR data
that ``babel`` ships.
These are names any Persian news article may use; they are not taken from the
corpus. Countries and cities are GPE, continents and world regions LOC, the EU
and the UN ORG, and a language name is LANGUAGE only after «زبان» (otherwise
«روسی» is the NORP adjective). Matched entities become proposed registry entries
with their English CLDR name as ``name_en`` and its slug as id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from sokhan.annotate.gazetteer import Entry, Gazetteer, Proposal, alias_key, build_gazetteer
from sokhan.annotate.text import Article

#: First words too generic to stand for a country alone («جمهوری چک» is not «جمهوری»).
_GENERIC_FIRST = {"جمهوری", "ایالات", "سرزمینهای", "جزایر", "جزیره", "جزیرههای", "کره",
                  "گینه", "پادشاهی", "اتحادیه", "سازمان", "بخشهای", "منطقه", "شبه",
                  "آفریقای", "آمریکای", "اروپای", "آسیای", "سنت", "سن", "کشور", "نواحی",
                  "جنوب", "شمال", "غرب", "شرق", "مرکز", "مجمع", "قلمرو", "ساحل", "هنگ"}
#: CLDR names that are mostly common Persian words in news text: «مالی» "financial",
#: «ماهه» "-month", «چک» "cheque", «جهان» "world" (not an OntoNotes name), «الجزیره» the
#: channel more often than the city, and obscure time-zone cities that spell words.
_NOT_NAMES = {"ترکی", "چینی", "ژاپنی", "جهان", "مالی", "ماهه", "چک", "پرت", "کیف", "بلم",
              "نوم", "تول", "اوست", "ویک", "چوک", "کیسی", "دیویس", "پالمر", "ترول", "فورت",
              "کاین", "بایا", "دیلی", "قناری", "اورال", "چیتا", "داروین", "استانلی", "ایستر",
              "دیه\u200cگو", "پورتو", "کرستون", "سالتا", "الجزیره", "غنا", "دوشنبه", "والیس",
              "موریس", "جونو", "کومور", "آزور", "فارو", "مادیرا", "تونگا", "گوام", "بنین"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class WorldEntry:
    """A CLDR name as a proposed registry entry."""

    entry: Entry
    name_en: str


@cache
def world_entries() -> tuple[WorldEntry, ...]:
    """Countries, regions and cities with their Persian names and English names."""
    fa, en = Locale("fa"), Locale("en")
    out: dict[str, WorldEntry] = {}

    def add(ident: str, typ: str, name_fa: str, name_en: str) -> None:
        name_fa = name_fa.replace("\u200c", "\u200c")
        aliases = {name_fa}
        words = name_fa.replace("\u200c", "").split()
        first = words[0] if words else ""
        if len(words) > 1 and first not in _GENERIC_FIRST and len(first) > 3 \
                and typ == "GPE":
            aliases.add(name_fa.split()[0])  # «عربستان سعودی» → «عربستان»
        if ident not in out:
            out[ident] = WorldEntry(Entry(ident, typ, name_fa, tuple(sorted(aliases))), name_en)

    for code, name in sorted(fa.territories.items()):
        english = en.territories.get(code, code)
        if code in {"EU", "UN"}:
            add(_slug(english), "ORG", name, english)
        elif code.isdigit():
            add(_slug(english), "LOC", name, english)
        elif len(code) == 2 and code not in {"EZ", "QO", "ZZ", "XA", "XB"}:
            add(_slug(english), "GPE", name, english)
    for zone, names in sorted(fa.time_zones.items()):
        city = names.get("city")
        if city:
            english = en.time_zones.get(zone, {}).get("city") or zone.split("/")[-1]
            add(_slug(english.replace("_", " ")), "GPE", city, english)
    return tuple(w for w in out.values()
                 if w.entry.name_fa not in _NOT_NAMES and w.entry.id != "world")


@cache
def languages() -> dict[tuple[str, ...], tuple[str, str]]:
    """Language names by token keys: (id, English name)."""
    fa, en = Locale("fa"), Locale("en")
    out: dict[tuple[str, ...], tuple[str, str]] = {}
    for code, name in sorted(fa.languages.items()):
        if "_" in code:
            continue
        english = en.languages.get(code, code)
        out.setdefault(alias_key(name), (_slug(english) + "-language", english))
    return out


@cache
def world_gazetteer() -> Gazetteer:
    """The CLDR names indexed like the registry."""
    return build_gazetteer(tuple(w.entry for w in world_entries()))


def english_name(ident: str) -> str | None:
    """The English CLDR name of a world entry id (or of a nationality id)."""
    for w in world_entries():
        if w.entry.id == ident:
            return w.name_en
        if f"{w.entry.id}-people" == ident:
            return f"people of {w.name_en}"
    return None


def match_languages(article: Article) -> list[Proposal]:
    """«زبان روسی» → LANGUAGE «روسی»."""
    out = []
    langs = languages()
    for s in article.sentences:
        for i in range(1, len(s.tokens)):
            if s.tokens[i - 1].key in {"زبان", "زبانهای"}:
                hit = langs.get((s.tokens[i].key,))
                if hit:
                    out.append(Proposal(s.index, i, i + 1, "LANGUAGE", hit[0], "world"))
    return out


#: Nationality endings: «ایرانی», «ایرانیان», «اروپایی», «آمریکاییها».
_NATIONALITY_ENDINGS = ("ی", "یان", "یها", "ییان", "یی", "ییها")


@cache
def nationalities() -> dict[str, tuple[str, str]]:
    """Nationality adjectives and nouns of countries and regions: key -> (id, English).

    Persian forms them from the name: «ایران» → «ایرانی», «ایرانیان»; «اروپا» →
    «اروپایی»; a final «ه» is dropped: «روسیه» → «روسی». Cities are left out
    («تهرانی» is more often a surname than a group).
    """
    out: dict[str, tuple[str, str]] = {}
    for w in world_entries():
        e = w.entry
        if e.type not in {"GPE", "LOC"} or e.id in _city_ids():
            continue
        for alias in e.aliases:
            keys = alias_key(alias)
            if len(keys) != 1 or len(keys[0]) < 3:
                continue
            name, forms = keys[0], set()
            if name.endswith("یه"):  # «روسیه» → «روسی», «روسیها»
                forms |= {name[:-1], name[:-1] + "ها", name[:-2] + "یان"}
            elif not name.endswith("ه"):
                forms |= {name + ending for ending in _NATIONALITY_ENDINGS}
            for form in sorted(forms):
                out.setdefault(form, (f"{e.id}-people", f"people of {w.name_en}"))
    return out


@cache
def _city_ids() -> frozenset[str]:
    fa, en = Locale("fa"), Locale("en")
    ids = set()
    for zone, names in fa.time_zones.items():
        if names.get("city"):
            english = en.time_zones.get(zone, {}).get("city") or zone.split("/")[-1]
            ids.add(_slug(english.replace("_", " ")))
    countries = {_slug(en.territories.get(c, c)) for c in fa.territories}
    return frozenset(ids - countries)


def match_nationalities(article: Article) -> list[Proposal]:
    """NORP mentions of nationality words («روسی», «اروپایی»), one token each."""
    table = nationalities()
    out = []
    for s in article.sentences:
        for i, t in enumerate(s.tokens):
            hit = table.get(t.key)
            if hit and not (i > 0 and s.tokens[i - 1].key in {"زبان", "زبانهای"}):
                out.append(Proposal(s.index, i, i + 1, "NORP", hit[0], "world"))
    return out
