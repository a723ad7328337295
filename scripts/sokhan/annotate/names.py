"""A CRF over hazm tokens for names the registry lacks, and what else is learnt from gold.

Features are the token's key, affixes, whether hazm's lexicon knows it (foreign
names mostly are not in it), titles and role words around it, and the registry
match it is part of. A registry feature computed with the full registry would
teach the model to copy the registry; so each training article's registry
feature is computed without the entities that only that article mentions
(cross-fitting), and the model learns to find names from their context.
Training is deterministic: CRFsuite's L-BFGS has no random state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sklearn_crfsuite
from hazm import Lemmatizer

from sokhan.annotate import lexicon as lx
from sokhan.annotate.gazetteer import (
    NAMED_TYPES,
    Entry,
    Proposal,
    alias_key,
    build_gazetteer,
    match,
)
from sokhan.annotate.quotes import role_of_keys
from sokhan.annotate.text import Article, Sent
from sokhan.stages.resources import built_once

#: CRF settings, chosen on the leave-one-out evaluation (see evaluate_preannotator).
CRF_OPTIONS = {"algorithm": "lbfgs", "c1": 0.05, "c2": 0.05, "max_iterations": 150,
               "all_possible_transitions": True}


@dataclass(frozen=True)
class Example:
    """A gold article for training: the article, its annotation and the registry."""

    article: Article
    gold: dict


@dataclass(frozen=True)
class Model:
    """What the pre-annotator learnt from gold articles."""

    crf: sklearn_crfsuite.CRF | None
    #: (role, country) -> entities that held it as quotation speakers in the gold
    roles: dict


@cache
def _first_tags() -> dict[str, str]:
    """hazm's word list: each word's first part of speech (``0`` when it has none)."""
    from hazm.utils import words_list

    return {word: tags[0] if tags else "0" for word, _, tags in words_list()}


@cache
def _lexicon_pos(word: str) -> str:
    return _first_tags().get(word, "oov")


def _registry_tags(article: Article, entries: tuple[Entry, ...]) -> dict[tuple[int, int], str]:
    tags = {}
    for p in match(article, build_gazetteer(entries)):
        for i in range(p.i, p.j):
            tags[(p.sent, i)] = ("B-" if i == p.i else "I-") + p.type
    return tags


def features(sent: Sent, tags: dict[tuple[int, int], str]) -> list[dict]:
    """Features of every token of a sentence."""
    toks = sent.tokens
    out = []
    for i, t in enumerate(toks):
        k = t.key
        f = {"b": 1.0, "w": k, "s2": k[-2:], "s3": k[-3:], "p2": k[:2],
             "pos": _lexicon_pos(t.text), "reg": tags.get((sent.index, i), "O"),
             "word": float(any(c.isalpha() for c in k)), "len": min(len(k), 8),
             "role": float(k in lx.ROLE_HEADS), "prep": float(k in lx.PREPOSITIONS)}
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < len(toks):
                n = toks[j].key
                f[f"{d}w"] = n
                f[f"{d}reg"] = tags.get((sent.index, j), "O")
                f[f"{d}pos"] = _lexicon_pos(toks[j].text)
                f[f"{d}title"] = float((n,) in lx.TITLES or n in {"آیت", "الله", "الاسلام"})
                f[f"{d}role"] = float(n in lx.ROLE_HEADS)
            else:
                f[f"{d}w"] = "<edge>"
        out.append(f)
    return out


def gold_labels(article: Article, gold: dict) -> list[list[str]]:
    """BIO labels of the named mentions of a gold annotation, token by token."""
    spans = [(m["start"], m["end"], m["type"]) for m in gold["mentions"]
             if m["type"] in NAMED_TYPES]
    labels = []
    for s in article.sentences:
        row = []
        for t in s.tokens:
            tag = "O"
            for a, b, typ in spans:
                if a <= t.raw_start and t.raw_end <= b:
                    tag = ("B-" if t.raw_start == a else "I-") + typ
                    break
            row.append(tag)
        labels.append(row)
    return labels


def mentioned_entities(gold: dict) -> set[str]:
    """Every entity an annotation file refers to: mentions, speakers, addressees."""
    ids = {m["entity"] for m in gold["mentions"] if m["entity"]}
    for q in gold["quotes"]:
        ids.add(q["speaker_entity"])
        if q["addressee_entity"]:
            ids.add(q["addressee_entity"])
    ids.discard("unknown")
    return ids


def learn_roles(examples: list[Example], entries: tuple[Entry, ...]) -> dict:
    """Who held which role as a speaker described by it in the gold articles."""
    country_of = {}
    iran = None
    for e in entries:
        if e.type == "GPE" and not e.is_group:
            for alias in {e.name_fa, *e.aliases}:
                keys = alias_key(alias)
                if len(keys) == 1:
                    country_of[keys[0]] = e.id
            if "ایران" in {e.name_fa, *e.aliases}:
                iran = e.id
    roles: dict = {}
    for ex in examples:
        for q in ex.gold["quotes"]:
            if q["speaker_kind"] != "descriptor" or q["speaker_entity"] == "unknown":
                continue
            role = role_of_keys(alias_key(q["speaker"]["text"]), country_of, iran)
            if role is not None:
                held = roles.setdefault(role, [])
                if q["speaker_entity"] not in held:
                    held.append(q["speaker_entity"])
    return {r: tuple(sorted(v)) for r, v in sorted(roles.items(), key=str)}


def train(examples: list[Example], entries: tuple[Entry, ...]) -> Model:
    """Train the CRF and learn the roles from gold articles (deterministic)."""
    X, y = [], []
    mentions_of = [mentioned_entities(ex.gold) for ex in examples]
    for k, ex in enumerate(examples):
        others = set().union(*(m for j, m in enumerate(mentions_of) if j != k)) \
            if len(examples) > 1 else set()
        own = mentions_of[k] - others
        reduced = tuple(e for e in entries if e.id not in own)
        tags = _registry_tags(ex.article, reduced)
        labels = gold_labels(ex.article, ex.gold)
        for s, row in zip(ex.article.sentences, labels, strict=True):
            if s.tokens:
                X.append(features(s, tags))
                y.append(row)
    crf = None
    if X:
        crf = sklearn_crfsuite.CRF(**CRF_OPTIONS)
        crf.fit(X, y)
    return Model(crf, learn_roles(examples, entries))


def predict(model: Model, article: Article, entries: tuple[Entry, ...]) -> list[Proposal]:
    """Named mentions the CRF finds, as proposals without an entity yet."""
    if model.crf is None:
        return []
    tags = _registry_tags(article, entries)
    sents = [s for s in article.sentences if s.tokens]
    labels = model.crf.predict([features(s, tags) for s in sents])
    out = []
    for s, row in zip(sents, labels, strict=True):
        i = 0
        while i < len(row):
            if row[i] == "O":
                i += 1
                continue
            typ = row[i][2:]
            j = i + 1
            while j < len(row) and row[j] == "I-" + typ:
                j += 1
            # a span must start and end with a word (a stray «-» or «» is dropped)
            a, b = i, j
            while a < b and not any(c.isalnum() for c in s.tokens[a].text):
                a += 1
            while b > a and not any(c.isalnum() for c in s.tokens[b - 1].text):
                b -= 1
            if a < b:
                out.append(Proposal(s.index, a, b, typ, None, "model"))
            i = j
    return out


@cache
def _is_verb(word: str) -> bool:
    """Whether hazm's lemmatiser reads ``word`` as a verb form (its lemma has a «#»)."""
    return "#" in _lemmatizer().lemmatize(word)


@built_once
def _lemmatizer() -> Lemmatizer:
    return Lemmatizer()


def _stop(tok_key: str, pos: str) -> bool:
    return _is_verb(tok_key) or (
            tok_key in lx.ROLE_HEADS or tok_key in lx.PREPOSITIONS or tok_key in lx.PRONOUNS
            or tok_key in lx.ADVERBIALS or tok_key in lx.SIMPLE_VERBS
            or tok_key in lx.NOMINALS or (tok_key,) in lx.TITLES
            or pos.startswith(("V", "P", "CONJ", "ADV", "DET", "PRO", "NUM"))
            or not any(c.isalpha() for c in tok_key))


def person_rules(article: Article) -> list[Proposal]:
    """PERSON names after a title («آقای X», «آیت الله X») or a given name («بشار اسد»).

    After a title the name is the next word, and one or two more words that hazm's
    lexicon does not know (foreign or rare surnames); after a given name, the next
    word is taken unless it is a function word, a verb or a role word. A name in
    «» after a title is taken whole.
    """
    out = []
    for s in article.sentences:
        toks = s.tokens
        i = 0
        while i < len(toks):
            k = toks[i].key
            title = 0
            for t in lx.TITLES:
                if tuple(x.key for x in toks[i:i + len(t)]) == t:
                    title = max(title, len(t))
            start = i + title
            if title and start < len(toks) and toks[start].key == "«":
                end = start + 1
                while end < len(toks) and toks[end].key != "»" and end - start < 5:
                    end += 1
                if end < len(toks) and toks[end].key == "»" and end > start + 1:
                    out.append(Proposal(s.index, start + 1, end, "PERSON", None, "rule"))
                    i = end + 1
                    continue
            if title and start < len(toks) and not _stop(toks[start].key,
                                                         _lexicon_pos(toks[start].text)):
                end = start + 1
                while end < len(toks) and end - start < 4 and (
                        toks[end - 1].key in lx.GIVEN_NAMES
                        or _lexicon_pos(toks[end].text) == "oov") and not _stop(
                        toks[end].key, _lexicon_pos(toks[end].text)):
                    end += 1
                out.append(Proposal(s.index, start, end, "PERSON", None, "rule"))
                i = end
                continue
            if k in lx.GIVEN_NAMES and i + 1 < len(toks) and not _stop(
                    toks[i + 1].key, _lexicon_pos(toks[i + 1].text)):
                end = i + 2
                while end < len(toks) and end - i < 3 and not _stop(
                        toks[end].key, _lexicon_pos(toks[end].text)):
                    end += 1
                out.append(Proposal(s.index, i, end, "PERSON", None, "rule"))
                i = end
                continue
            i += 1
    return out


#: Head nouns of event names: «اجلاس سران بریکس», «نشست شانگهای» (guidelines §4.10).
EVENT_HEADS = {"اجلاس", "نشست", "همایش", "کنفرانس", "مذاکرات"}


def event_rule(article: Article, mentions: list[Proposal]) -> list[Proposal]:
    """An event head with an organisation's name right after it is one EVENT.

    «اجلاس [سران] X» with X an ORG becomes EVENT over the whole phrase (the
    longest name wins); a GPE after «مذاکرات» stays a GPE (guidelines 1.2).
    """
    out = []
    for m in mentions:
        toks = article.sentences[m.sent].tokens
        h = m.i - 1
        if h >= 0 and toks[h].key == "سران":
            h -= 1
        if m.type == "ORG" and h >= 0 and toks[h].key in EVENT_HEADS - {"مذاکرات"}:
            out.append(Proposal(m.sent, h, m.j, "EVENT", None, "rule"))
        else:
            out.append(m)
    return out
