"""Leave-one-out evaluation of the pre-annotator (``sokhan eval-preannotator``).

For each gold article in turn, the model is trained on the other four and the
held-out article is annotated with a registry rebuilt without the entities only
it mentions (and without the aliases only it uses), so its new names must be
found, not looked up. Scores are pooled over the five articles and printed beside
a registry-lookup-only baseline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sokhan.annotate import draft, names, run
from sokhan.annotate.gazetteer import Entry
from sokhan.annotate.text import key, read_article
from sokhan.checks.incidents import BuildError
from sokhan.checks.jsonfile import load_object

NUMERIC = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
#: The issue's targets, leave-one-out.
TARGETS = {"named": 0.85, "numeric": 0.90, "quote detection": 0.85, "speaker accuracy": 0.90}


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one row, with the counts behind them."""

    name: str
    tp: float
    n_pred: float
    n_gold: float

    @property
    def precision(self) -> float:
        """tp / predicted."""
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        """tp / gold."""
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Result:
    """Scores of one system over the held-out articles."""

    rows: tuple[Score, ...]
    form_accuracy: float
    speaker_accuracy: float
    matched_quotes: int
    seconds_per_article: float

    def row(self, name: str) -> Score:
        """The row called ``name``."""
        return next(r for r in self.rows if r.name == name)


@dataclass(frozen=True)
class Table:
    """The leave-one-out table: the pre-annotator beside the registry baseline."""

    system: Result
    baseline: Result
    articles: int


def held_out_registry(entries: tuple[Entry, ...], golds: dict[str, dict], held: str
                      ) -> tuple[Entry, ...]:
    """The registry without what only the held-out article mentions or spells."""
    others = set().union(*(names.mentioned_entities(g) for d, g in golds.items() if d != held))
    own = names.mentioned_entities(golds[held]) - others
    other_texts = {m["text"] for d, g in golds.items() if d != held for m in g["mentions"]}
    held_texts = {m["text"] for m in golds[held]["mentions"]}
    out = []
    for e in entries:
        if e.id in own:
            continue
        aliases = tuple(a for a in e.aliases if a in other_texts or a not in held_texts)
        out.append(Entry(e.id, e.type, e.name_fa, aliases, e.is_group, e.members))
    return tuple(out)


def _same_entity(pred: str, gold: str, proposed: dict[str, set[str]],
                 names_of: dict[str, set[str]]) -> bool:
    """A proposed entity is the gold one when one of its names is a gold name or alias.

    That is what a reviewer accepting the proposal would find: the held-out registry
    lacks the entity, so its id cannot be predicted, only its name.
    """
    if pred == gold:
        return True
    fold = {key(n) for n in proposed.get(pred, set())}
    return bool(fold & {key(n) for n in names_of.get(gold, set())})


def score(pairs: list[tuple[dict, dict]], entries: tuple[Entry, ...], seconds: float) -> Result:
    """Pool the scores of (draft, gold) pairs."""
    names_of = {e.id: {e.name_fa, *e.aliases} for e in entries}
    ent: dict[str, list[float]] = {}

    def add(name: str, tp: int, np: int, ng: int) -> None:
        row = ent.setdefault(name, [0, 0, 0])
        row[0] += tp
        row[1] += np
        row[2] += ng

    cue = [0, 0, 0]
    overlap = [0, 0, 0]
    form_ok = speaker_ok = matched = 0
    for pred, gold in pairs:
        p = {(m["start"], m["end"], m["type"]) for m in pred["mentions"]}
        g = {(m["start"], m["end"], m["type"]) for m in gold["mentions"]}
        types = sorted({t for *_, t in p | g})
        for t in types:
            pt = {x for x in p if x[2] == t}
            gt = {x for x in g if x[2] == t}
            add(t, len(pt & gt), len(pt), len(gt))
        for group, test in (("named", lambda t: t not in NUMERIC),
                            ("numeric", lambda t: t in NUMERIC), ("all", lambda t: True)):
            pg = {x for x in p if test(x[2])}
            gg = {x for x in g if test(x[2])}
            add(group, len(pg & gg), len(pg), len(gg))
        proposed = {e["id"]: {e["name_fa"], *e["aliases"]}
                    for e in pred.get("draft", {}).get("proposed_entities", [])}
        used: set[int] = set()
        for gq in gold["quotes"]:
            gc = gq["cue"]
            hit = next((k for k, pq in enumerate(pred["quotes"]) if k not in used
                        and pq["cue"]["start"] < gc["end"] and gc["start"] < pq["cue"]["end"]),
                       None)
            if hit is None:
                continue
            used.add(hit)
            pq = pred["quotes"][hit]
            matched += 1
            pc = {i for c in pq["content"] for i in range(c["start"], c["end"])}
            gcn = {i for c in gq["content"] for i in range(c["start"], c["end"])}
            overlap[0] += len(pc & gcn)
            overlap[1] += len(pc)
            overlap[2] += len(gcn)
            form_ok += pq["form"] == gq["form"]
            speaker_ok += _same_entity(pq["speaker_entity"], gq["speaker_entity"], proposed,
                                       names_of)
        cue[0] += len(used)
        cue[1] += len(pred["quotes"])
        cue[2] += len(gold["quotes"])
    groups = ("named", "numeric", "all")
    order = [*groups, *sorted(k for k in ent if k not in groups)]
    rows = [Score(k, *ent[k]) for k in order if k in ent]
    rows += [Score("quote detection", *cue), Score("content overlap", *overlap)]
    return Result(tuple(rows), form_ok / matched if matched else 0.0,
                  speaker_ok / matched if matched else 0.0, matched, seconds)


def load(annotations: Path, seeds: Path) -> tuple[tuple[Entry, ...], dict[str, dict],
                                                  dict[str, str]]:
    """The registry, gold annotations and raw texts of the gold articles."""
    entries = run.read_registry(annotations)
    golds: dict[str, dict] = {}
    raws: dict[str, str] = {}
    for path in sorted(annotations.glob("*.json")):
        if path.name == "entities.json":
            continue
        gold, incidents = load_object(path, "annotation-json", "an annotation file")
        if incidents or gold is None:
            raise BuildError(incidents)
        golds[path.stem] = gold
        raws[path.stem] = run.read_text(seeds / f"{path.stem}.txt")
    return entries, golds, raws


def leave_one_out(annotations: Path, seeds: Path) -> Table:
    """Train on all gold articles but one, test on that one, for each in turn."""
    entries, golds, raws = load(annotations, seeds)
    articles = {d: read_article(raws[d], d) for d in golds}
    draft.load()  # loading: CLDR names, hazm's lexicon and lemmatiser, once
    system, baseline = [], []
    spent = base_spent = 0.0
    for held in golds:
        reg = held_out_registry(entries, golds, held)
        train = [names.Example(articles[d], golds[d]) for d in golds if d != held]
        model = names.train(train, reg)
        started = time.perf_counter()
        system.append((draft.annotate(raws[held], held, reg, model), golds[held]))
        spent += time.perf_counter() - started
        started = time.perf_counter()
        baseline.append((draft.annotate(raws[held], held, reg, None, registry_only=True),
                         golds[held]))
        base_spent += time.perf_counter() - started
    n = len(golds)
    return Table(score(system, entries, spent / n), score(baseline, entries, base_spent / n), n)


def markdown(table: Table) -> str:
    """The table as Markdown, for the terminal and the dataset card."""
    lines = [f"Leave-one-out over {table.articles} gold articles (pooled); "
             "baseline = registry lookup only.", "",
             "| measure | P | R | F1 | baseline P | baseline R | baseline F1 |",
             "|---|---|---|---|---|---|---|"]
    base = {r.name: r for r in table.baseline.rows}
    for r in table.system.rows:
        b = base.get(r.name, Score(r.name, 0, 0, r.n_gold))
        label = {"named": "entities, named types", "numeric": "entities, numeric types",
                 "all": "entities, all types"}.get(r.name, r.name)
        lines.append(f"| {label} (gold {r.n_gold:g}) | {r.precision:.3f} | {r.recall:.3f} | "
                     f"{r.f1:.3f} | {b.precision:.3f} | {b.recall:.3f} | {b.f1:.3f} |")
    s, t = table.system, table.baseline
    lines += ["",
              f"On the {s.matched_quotes} found quotations: form accuracy {s.form_accuracy:.3f}, "
              f"speaker accuracy {s.speaker_accuracy:.3f} (baseline finds "
              f"{t.matched_quotes} quotations).",
              f"Time per article once loaded: {s.seconds_per_article:.3f} s "
              f"(baseline {t.seconds_per_article:.3f} s)."]
    return "\n".join(lines)
