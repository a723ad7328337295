"""Registry names found in an article, whatever spelling variant the writer used.

Aliases are put through the same normaliser and tokeniser as the article, then
matched on token keys (:func:`sokhan.annotate.text.key`), so «ي/ی», «ك/ک»,
diacritics, a missing ZWNJ or a writer's space between two parts of a name all
match. Matching is longest-first and left to right, so the flat, longest-name
rule of the guidelines holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sokhan.annotate.text import Article, key
from sokhan.stages.normalise import normalise_line
from sokhan.stages.tokenise import split_words

#: Types a mention may have; groups fill quotation roles only.
NAMED_TYPES = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
               "WORK_OF_ART", "LAW", "LANGUAGE")


@dataclass(frozen=True)
class Entry:
    """One registry entity, as the pre-annotator uses it."""

    id: str
    type: str
    name_fa: str
    aliases: tuple[str, ...]
    is_group: bool = False
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """A proposed mention: tokens ``i..j-1`` of sentence ``sent``."""

    sent: int
    i: int
    j: int
    type: str
    entity: str | None
    source: str  # registry, rule or model


@cache
def alias_key(alias: str) -> tuple[str, ...]:
    """The token keys of an alias, normalised as an article would be."""
    text, _ = normalise_line(alias)
    return tuple(key(w) for w in split_words(text))


def flat_key(keys: tuple[str, ...]) -> str:
    """Keys joined without spaces: a writer's space inside a name does not matter."""
    return "".join(keys)


@dataclass(frozen=True)
class Gazetteer:
    """Registry aliases by their space-free key, with their entries."""

    by_key: dict[str, tuple[Entry, ...]]
    max_tokens: int
    #: every prefix of every key, so a match stops growing as soon as it cannot succeed
    prefixes: frozenset[str]


def build_gazetteer(entries: tuple[Entry, ...], *, groups: bool = False) -> Gazetteer:
    """Index every alias and canonical name of the (non-group) entries."""
    by_key: dict[str, list[Entry]] = {}
    longest = 1
    for e in entries:
        if e.is_group != groups:
            continue
        for alias in sorted({e.name_fa, *e.aliases}):
            keys = alias_key(alias)
            if not keys:
                continue
            longest = max(longest, len(keys) + 2)  # fused or split writings differ in count
            forms = [keys]
            if e.type == "PERSON" and len(keys) > 1:
                # a person is also named by the surname alone («پزشکیان» for «مسعود
                # پزشکیان») or without the first given name
                forms += [keys[1:], keys[-1:]]
            for form in forms:
                if form is not keys and len(flat_key(form)) < 4:
                    continue
                bucket = by_key.setdefault(flat_key(form), [])
                if e not in bucket:
                    bucket.append(e)
    prefixes = frozenset(k[:n] for k in by_key for n in range(1, len(k) + 1))
    return Gazetteer({k: tuple(v) for k, v in by_key.items()}, longest, prefixes)


def match(article: Article, gaz: Gazetteer) -> list[Proposal]:
    """Every longest registry match, left to right, never overlapping."""
    out = []
    for sent in article.sentences:
        toks = sent.tokens
        i = 0
        while i < len(toks):
            found = None
            acc = ""
            for j in range(i + 1, min(len(toks), i + gaz.max_tokens) + 1):
                acc += toks[j - 1].key
                if acc not in gaz.prefixes:
                    break
                entries = gaz.by_key.get(acc)
                if entries:
                    found = (j, entries)  # keep growing: the longest name wins
            if found is None:
                i += 1
                continue
            j, entries = found
            # one alias, two entities («کاخ کرملین»: FAC and ORG): the place is the
            # default reading; the quotation stage retypes an actor (see quotes.py)
            entry = sorted(entries, key=lambda e: (e.type != "FAC", e.type, e.id))[0]
            out.append(Proposal(sent.index, i, j, entry.type, entry.id, "registry"))
            i = j
    return out
