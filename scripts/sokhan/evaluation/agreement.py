"""Inter-annotator agreement between independent annotation passes.

Passes live in ``corpus/annotations/passes/<pass>/<doc_id>.json`` in the gold
format; the build validates and parses them with the gold files, and this module
works on those records. Entities are compared by exact span and type; quotations
are matched one to one by overlapping cues, then compared on cue span, content
and speaker.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, replace

from sokhan.records import (
    ENTITY_TYPES,
    NUMERIC_TYPES,
    AnnotationFile,
    Corpus,
    QuoteAnnotation,
    RawSpan,
    Registry,
)

Pass = dict[str, AnnotationFile]

PASSES = ("a", "b")


@dataclass(frozen=True)
class Prf:
    """Precision, recall and F1 from counts, treating pass A as reference."""

    tp: int
    fp: int
    fn: int

    @property
    def f1(self) -> float:
        """F1; 1.0 when neither side has anything."""
        return (
            2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp + self.fp + self.fn else 1.0
        )


def pass_files(corpus: Corpus, name: str) -> Pass:
    """One pass's annotation files by doc id, with entity ids mapped to the gold registry.

    Each pass keeps its own registry; an id that is not in the gold registry is
    mapped to the gold entity of the same type sharing an alias (or, for a
    group, the same members), so agreement measures resolution, not naming.
    """
    files = corpus.passes.get(name, {})
    own = corpus.pass_registries.get(name)
    if own is None or corpus.registry is None:
        return dict(files)
    mapping = registry_map(own, corpus.registry)

    def m(entity: str | None) -> str | None:
        return mapping.get(entity, entity) if entity is not None else None

    return {
        doc_id: replace(
            ann,
            mentions=tuple(replace(x, entity=m(x.entity)) for x in ann.mentions),
            quotes=tuple(replace(q, speaker_entity=mapping.get(q.speaker_entity,
                                                               q.speaker_entity),
                                 addressee_entity=m(q.addressee_entity))
                         for q in ann.quotes),
        )
        for doc_id, ann in files.items()
    }


def registry_map(own: Registry, gold: Registry) -> dict[str, str]:
    """Map a pass's entity ids to gold ids (only ids the gold registry lacks)."""
    gold_ids = {e.id for e in gold.entities}
    out = {}
    for e in own.entities:
        if e.id in gold_ids:
            continue
        for g in gold.entities:
            same_group = e.is_group and g.is_group and set(e.members) == set(g.members)
            shared_alias = not e.is_group and g.type == e.type and set(e.aliases) & set(g.aliases)
            if same_group or shared_alias:
                out[e.id] = g.id
                break
    return out


def _mentions(p: Pass, doc_id: str) -> tuple:
    return p[doc_id].mentions if doc_id in p else ()


def _quotes(p: Pass, doc_id: str) -> tuple[QuoteAnnotation, ...]:
    return p[doc_id].quotes if doc_id in p else ()


def entity_agreement(a: Pass, b: Pass) -> dict[str, Prf]:
    """Exact span-and-type agreement per entity type (and ``named``/``numeric``/``all``)."""
    counts: dict[str, Counter[str]] = {}
    for doc_id in sorted(set(a) | set(b)):
        sa = {(m.span.start, m.span.end, m.type) for m in _mentions(a, doc_id)}
        sb = {(m.span.start, m.span.end, m.type) for m in _mentions(b, doc_id)}
        for key, group in ((sa & sb, "tp"), (sa - sb, "fp"), (sb - sa, "fn")):
            for _, _, t in key:
                for bucket in (t, "numeric" if t in NUMERIC_TYPES else "named", "all"):
                    counts.setdefault(bucket, Counter())[group] += 1
    return {k: Prf(c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}


def _overlap(x: RawSpan, y: RawSpan) -> int:
    return max(0, min(x.end, y.end) - max(x.start, y.start))


def match_quotes(qa: tuple[QuoteAnnotation, ...] | list[QuoteAnnotation],
                 qb: tuple[QuoteAnnotation, ...] | list[QuoteAnnotation],
                 ) -> list[tuple[QuoteAnnotation, QuoteAnnotation]]:
    """Pair quotations whose cues overlap (or, failing that, whose contents overlap)."""
    pairs, used = [], set()
    for x in sorted(qa, key=lambda q: q.cue.start):
        best, best_score = None, 0
        for j, y in enumerate(qb):
            if j in used:
                continue
            score = _overlap(x.cue, y.cue) * 10_000 + sum(
                _overlap(c, d) for c in x.content for d in y.content
            )
            if score > best_score:
                best, best_score = j, score
        if best is not None:
            used.add(best)
            pairs.append((x, qb[best]))
    return pairs


def _chars(spans: tuple[RawSpan, ...]) -> set[int]:
    return {i for s in spans for i in range(s.start, s.end)}


def quote_agreement(a: Pass, b: Pass) -> dict[str, float | int]:
    """Detection F1, exact-cue F1, content overlap and speaker accuracy."""
    n_a = n_b = matched = cue_exact = speaker_same = form_same = 0
    overlap_sum = 0.0
    for doc_id in sorted(set(a) | set(b)):
        qa, qb = _quotes(a, doc_id), _quotes(b, doc_id)
        n_a, n_b = n_a + len(qa), n_b + len(qb)
        for x, y in match_quotes(qa, qb):
            matched += 1
            cue_exact += (x.cue.start, x.cue.end) == (y.cue.start, y.cue.end)
            cx, cy = _chars(x.content), _chars(y.content)
            overlap_sum += 2 * len(cx & cy) / (len(cx) + len(cy)) if cx or cy else 1.0
            speaker_same += x.speaker_entity == y.speaker_entity
            form_same += x.form == y.form
    return {
        "quotes_a": n_a,
        "quotes_b": n_b,
        "matched": matched,
        "detection_f1": 2 * matched / (n_a + n_b) if n_a + n_b else 1.0,
        "cue_f1": 2 * cue_exact / (n_a + n_b) if n_a + n_b else 1.0,
        "content_overlap": overlap_sum / matched if matched else 0.0,
        "speaker_accuracy": speaker_same / matched if matched else 0.0,
        "form_accuracy": form_same / matched if matched else 0.0,
    }


def _quote_key(doc_id: str, q: QuoteAnnotation) -> str:
    return f"{doc_id} quote cue {q.cue.start}-{q.cue.end} «{q.cue.text}»"


_QUOTE_FIELDS = (
    "form",
    "cue",
    "content",
    "speaker",
    "speaker_kind",
    "speaker_entity",
    "addressee_entity",
)


def _plain(value: object) -> object:
    """A field of a quotation as JSON would hold it (spans as objects)."""
    if isinstance(value, RawSpan):
        return asdict(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def disagreements(a: Pass, b: Pass) -> dict[str, dict]:
    """Every point where the two passes differ, by a stable key.

    Each value holds what pass A and pass B say (None where a pass has nothing):
    a mention only one pass has (or the same span with another type or entity),
    a quotation only one pass has, or a field of a matched quotation that differs.
    """
    out: dict[str, dict] = {}
    for doc_id in sorted(set(a) | set(b)):
        ma = {(m.span.start, m.span.end): m for m in _mentions(a, doc_id)}
        mb = {(m.span.start, m.span.end): m for m in _mentions(b, doc_id)}
        for span in sorted(set(ma) | set(mb)):
            x, y = ma.get(span), mb.get(span)
            if x is None or y is None or (x.type, x.entity) != (y.type, y.entity):
                m = x or y
                assert m is not None  # the span came from one of them
                key = f"{doc_id} mention {m.span.start}-{m.span.end} {m.type} «{m.span.text}»"
                out[key] = {
                    "a": x and {"type": x.type, "entity": x.entity},
                    "b": y and {"type": y.type, "entity": y.entity},
                }
        qa, qb = _quotes(a, doc_id), _quotes(b, doc_id)
        pairs = match_quotes(qa, qb)
        paired_a = {id(x) for x, _ in pairs}
        paired_b = {id(y) for _, y in pairs}
        for x, y in pairs:
            for f in _QUOTE_FIELDS:
                if getattr(x, f) != getattr(y, f):
                    out[f"{_quote_key(doc_id, x)} {f}"] = {"a": _plain(getattr(x, f)),
                                                           "b": _plain(getattr(y, f))}
            if (x.parent is None) != (y.parent is None):
                out[f"{_quote_key(doc_id, x)} nested"] = {
                    "a": x.parent is not None,
                    "b": y.parent is not None,
                }
        for x in qa:
            if id(x) not in paired_a:
                out[_quote_key(doc_id, x)] = {"a": "present", "b": None}
        for y in qb:
            if id(y) not in paired_b:
                out[_quote_key(doc_id, y)] = {"a": None, "b": "present"}
    return out


def pair_tables(x: Pass, y: Pass, x_name: str, y_name: str) -> str:
    """Entity and quotation agreement of two annotations as Markdown tables."""
    ents = entity_agreement(x, y)
    rows = [
        f"| {t} | {ents[t].tp} | {ents[t].fp} | {ents[t].fn} | {ents[t].f1:.3f} |"
        for t in (*ENTITY_TYPES, "named", "numeric", "all")
        if t in ents
    ]
    q = quote_agreement(x, y)
    return "\n".join(
        [
            f"| type | both | only {x_name} | only {y_name} | F1 |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "| quotations | value |",
            "|---|---|",
            f"| quotations in {x_name} / in {y_name} / matched | "
            f"{q['quotes_a']} / {q['quotes_b']} / {q['matched']} |",
            f"| detection F1 (cues or contents overlap) | {q['detection_f1']:.3f} |",
            f"| cue F1 (exact cue span) | {q['cue_f1']:.3f} |",
            f"| content overlap (character Dice, matched) | {q['content_overlap']:.3f} |",
            f"| speaker accuracy (same entity, matched) | {q['speaker_accuracy']:.3f} |",
            f"| form accuracy (matched) | {q['form_accuracy']:.3f} |",
        ]
    )


def markdown_report(corpus: Corpus) -> str:
    """The agreement tables for the dataset card.

    Entities match on exact start, end and type; quotations are paired by
    overlapping cues (or contents) and then compared field by field.
    """
    a, b = (pass_files(corpus, p) for p in PASSES)
    if not a or not b:
        return "_No double annotation is in the repository yet, so no agreement is reported._"
    parts = [
        f"**Pass A against pass B** ({len(set(a) & set(b))} articles), both made from the "
        "guidelines and the raw texts only:",
        "",
        pair_tables(a, b, "A", "B"),
    ]
    if not disagreements(a, b):
        parts += [
            "",
            "Passes A and B agree on every item. That shows the guidelines, which settle most "
            "cases of these articles explicitly, are applied reproducibly; it is not evidence of "
            "agreement between independent human judgements and should not be read as such.",
        ]
    blind = pass_files(corpus, "c")
    if blind:
        parts += [
            "",
            f"**Pass A against pass C** ({len(set(a) & set(blind))} articles). Pass C is a blind "
            "annotation made from the project's one-page rule sheet only, without the guidelines, "
            "the passes or the gold, so this comparison is not shaped by the guidelines' "
            "decisions. It is measured before adjudication: afterwards the gold took over the "
            "differences from C that were accepted (see the adjudication log).",
            "",
            pair_tables(a, blind, "A", "C"),
        ]
    return "\n".join(parts)
