"""Assemble a draft annotation file from the proposals of every stage.

The draft is the gold annotation shape (raw offsets into the given file) plus a
``draft`` block: the tool, its version, ``status: "draft"`` and the proposed
registry entries for names the registry lacks. Same input, same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sokhan.annotate import VERSION, names, numbers, quotes, world
from sokhan.annotate.gazetteer import Entry, Proposal, build_gazetteer, match
from sokhan.annotate.text import Article, key, read_article

#: A rough Persian-to-Latin letter map, only to make readable ids for proposed
#: entities; the reviewer replaces ``name_en`` and may rename the id.
_LATIN = dict(zip("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآئ",
                  ["a", "b", "p", "t", "s", "j", "ch", "h", "kh", "d", "z", "r", "z", "zh", "s",
                   "sh", "s", "z", "t", "z", "", "gh", "f", "gh", "k", "g", "l", "m", "n", "v",
                   "h", "i", "", "a", "e"], strict=True))


def romanise(text: str) -> str:
    """A rough romanisation of a Persian name («لاوروف» → «lavrvf»)."""
    return "".join(_LATIN.get(c, c if c.isascii() else " ") for c in text)


def slug(text: str) -> str:
    """A registry id from a romanised name, kebab-case ASCII."""
    return re.sub(r"[^a-z0-9]+", "-", romanise(text).lower()).strip("-") or "entity"


@dataclass(frozen=True)
class Proposed:
    """A registry entry proposed for a name the registry lacks."""

    id: str
    type: str
    name_fa: str
    aliases: tuple[str, ...]
    name_en: str | None = None


def merge(layers: list[list[Proposal]]) -> list[Proposal]:
    """Mentions from several layers, earlier layers first, never overlapping."""
    taken: dict[int, list[tuple[int, int]]] = {}
    out = []
    for layer in layers:
        for p in layer:
            spans = taken.setdefault(p.sent, [])
            if any(p.i < j and i < p.j for i, j in spans):
                continue
            spans.append((p.i, p.j))
            out.append(p)
    return sorted(out, key=lambda p: (p.sent, p.i))


def link_new(article: Article, mentions: list[Proposal], entries: tuple[Entry, ...]
             ) -> tuple[list[Proposal], list[Proposed]]:
    """Give every model mention an entity: a proposed entry per (type, surface key)."""
    known = {e.id for e in entries}
    by_key: dict[tuple[str, str], Proposed] = {}
    out = []
    for p in mentions:
        if (p.entity is not None and p.source != "world") or p.type in numbers_types():
            out.append(p)
            continue
        _, _, text = article.span_text(p.sent, p.i, p.j)
        k = (p.type, key(text))
        prop = by_key.get(k)
        if prop is None:
            base = p.entity if p.source == "world" and p.entity else "new-" + slug(text)
            ident, n = base, 2
            taken = known | {x.id for x in by_key.values()}
            while ident in taken:
                ident, n = f"{base}-{n}", n + 1
            prop = Proposed(ident, p.type, text, (text,),
                            world.english_name(base) if p.source == "world" else None)
            by_key[k] = prop
        elif text not in prop.aliases:
            prop = Proposed(prop.id, prop.type, prop.name_fa, (*prop.aliases, text), prop.name_en)
            by_key[k] = prop
        out.append(Proposal(p.sent, p.i, p.j, p.type, prop.id, p.source))
    return out, list(by_key.values())


def numbers_types() -> frozenset[str]:
    """The numeric and temporal types (no registry link)."""
    return frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})


def load() -> None:
    """Load what every article needs (CLDR names, hazm's lexicon and lemmatiser) once."""
    world.world_gazetteer()
    world.languages()
    world.nationalities()
    names.person_rules(read_article("آقای علی گفت: امروز.", "warm-up"))


def annotate(raw: str, doc_id: str, entries: tuple[Entry, ...], model: names.Model | None,
             *, registry_only: bool = False) -> dict:
    """The draft annotation of one raw article.

    Args:
        raw: the article text, exactly as read from its file.
        doc_id: the id written into the draft (the file stem).
        entries: the registry.
        model: what was learnt from gold articles (None: no model).
        registry_only: the baseline: registry lookup, no rules, no model, no quotations.
    """
    article = read_article(raw, doc_id)
    registry = match(article, build_gazetteer(entries))
    proposed: list[Proposed] = []
    found: list[quotes.Quote] = []
    if registry_only:
        mentions = registry
    else:
        numeric = numbers.propose(article)
        known = match(article, world.world_gazetteer()) + world.match_languages(article)
        rules = names.person_rules(article)
        learnt = names.predict(model, article, entries) if model else []
        merged = merge([registry, numeric, world.match_languages(article), rules,
                        [p for p in known if p.type != "LANGUAGE"],
                        world.match_nationalities(article), learnt])
        mentions, proposed = link_new(article, names.event_rule(article, merged), entries)
        extra = tuple(Entry(p.id, p.type, p.name_fa, p.aliases) for p in proposed)
        found, _, mentions, orgs = quotes.propose(article, mentions, entries + extra,
                                                  model.roles if model else {})
        proposed += [Proposed(e.id, e.type, e.name_fa, e.aliases) for e in orgs]
    return render(article, mentions, found, proposed)


def _span(raw: str, start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": raw[start:end]}


def render(article: Article, mentions: list[Proposal], found: list[quotes.Quote],
           proposed: list[Proposed]) -> dict:
    """The draft as a JSON-ready dict in the annotation-file shape."""
    raw = article.raw
    out_mentions = []
    for n, p in enumerate(sorted(mentions, key=lambda p: (p.sent, p.i)), start=1):
        start, end, text = article.span_text(p.sent, p.i, p.j)
        entity = None if p.type in numbers_types() else p.entity
        out_mentions.append({"id": f"m{n}", "start": start, "end": end, "text": text,
                             "type": p.type, "entity": entity})
    flat = quotes.Flat.of(article)
    order = sorted(range(len(found)), key=lambda k: flat.toks[found[k].cue[0]].raw_start)
    qid = {k: f"q{n}" for n, k in enumerate(order, start=1)}
    out_quotes = []
    for k in order:
        q = found[k]
        t = flat.toks
        sp = q.speaker.span
        out_quotes.append({
            "id": qid[k],
            "form": q.form,
            "cue": _span(raw, t[q.cue[0]].raw_start, t[q.cue[1] - 1].raw_end),
            "content": [_span(raw, t[q.content[0]].raw_start, t[q.content[1] - 1].raw_end)],
            "speaker": None if sp is None else _span(raw, t[sp[0]].raw_start,
                                                      t[sp[1] - 1].raw_end),
            "speaker_kind": q.speaker.kind,
            "speaker_entity": q.speaker.entity,
            "addressee_entity": q.addressee,
            "parent": None if q.parent is None else qid[q.parent],
        })
    return {
        "doc_id": article.doc_id,
        "annotator": "sokhan annotate",
        "mentions": out_mentions,
        "quotes": out_quotes,
        "draft": {
            "tool": "sokhan annotate",
            "version": VERSION,
            "status": "draft",
            "proposed_entities": [
                {"id": p.id, "type": p.type, "name_fa": p.name_fa,
                 "name_en": p.name_en or romanise(p.name_fa).title().strip() or p.id,
                 "aliases": list(p.aliases), "is_group": False, "members": [],
                 "note": "proposed by sokhan annotate; " + (
                     "name_en from CLDR" if p.name_en else "name_en is a rough romanisation")}
                for p in sorted(proposed, key=lambda p: p.id)
            ],
        },
    }


def dumps(draft: dict) -> str:
    """The draft file's text: UTF-8 JSON with Persian as characters, stable layout."""
    return json.dumps(draft, ensure_ascii=False, indent=1) + "\n"


__all__ = ["annotate", "dumps", "read_article"]
