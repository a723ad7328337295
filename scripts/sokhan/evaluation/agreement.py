"""Inter-annotator agreement between two independent annotation passes.

Passes live in ``corpus/annotations/passes/<pass>/<doc_id>.json`` in the gold
format. Entities are compared by exact span and type; quotations are matched
one to one by overlapping cues, then compared on cue span, content and speaker.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sokhan.checks.incidents import BuildError
from sokhan.checks.jsonfile import load_object
from sokhan.records import ENTITY_TYPES, NUMERIC_TYPES

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


def load_pass(root: Path, name: str) -> dict[str, dict]:
    """One pass's annotation files by doc id, with entity ids mapped to the gold registry.

    Each pass keeps its own registry; an id that is not in the gold registry is
    mapped to the gold entity of the same type sharing an alias (or, for a
    group, the same members), so agreement measures resolution, not naming.
    """
    folder = root / "passes" / name
    docs = {
        p.stem: _read(p, "annotation-json")
        for p in sorted(folder.glob("*.json"))
        if p.name != "entities.json"
    }
    if (folder / "entities.json").exists() and (root / "entities.json").exists():
        mapping = registry_map(
            _read(folder / "entities.json", "registry-json"),
            _read(root / "entities.json", "registry-json"),
        )
        for ann in docs.values():
            for m in ann["mentions"]:
                m["entity"] = mapping.get(m["entity"], m["entity"])
            for q in ann["quotes"]:
                q["speaker_entity"] = mapping.get(q["speaker_entity"], q["speaker_entity"])
                q["addressee_entity"] = mapping.get(q["addressee_entity"], q["addressee_entity"])
    return docs


def registry_map(own: dict, gold: dict) -> dict[str, str]:
    """Map a pass's entity ids to gold ids (only ids the gold registry lacks)."""
    gold_ids = {e["id"] for e in gold["entities"]}
    out = {}
    for e in own["entities"]:
        if e["id"] in gold_ids:
            continue
        for g in gold["entities"]:
            same_group = e["is_group"] and g["is_group"] and set(e["members"]) == set(g["members"])
            shared_alias = (
                not e["is_group"]
                and g["type"] == e["type"]
                and set(e["aliases"]) & set(g["aliases"])
            )
            if same_group or shared_alias:
                out[e["id"]] = g["id"]
                break
    return out


def entity_agreement(a: dict[str, dict], b: dict[str, dict]) -> dict[str, Prf]:
    """Exact span-and-type agreement per entity type (and ``named``/``numeric``/``all``)."""
    counts: dict[str, Counter] = {}
    for doc_id in sorted(set(a) | set(b)):
        sa = {(m["start"], m["end"], m["type"]) for m in a.get(doc_id, {}).get("mentions", [])}
        sb = {(m["start"], m["end"], m["type"]) for m in b.get(doc_id, {}).get("mentions", [])}
        for key, group in ((sa & sb, "tp"), (sa - sb, "fp"), (sb - sa, "fn")):
            for _, _, t in key:
                for bucket in (t, "numeric" if t in NUMERIC_TYPES else "named", "all"):
                    counts.setdefault(bucket, Counter())[group] += 1
    return {k: Prf(c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}


def _overlap(x: dict, y: dict) -> int:
    return max(0, min(x["end"], y["end"]) - max(x["start"], y["start"]))


def match_quotes(qa: list[dict], qb: list[dict]) -> list[tuple[dict, dict]]:
    """Pair quotations whose cues overlap (or, failing that, whose contents overlap)."""
    pairs, used = [], set()
    for x in sorted(qa, key=lambda q: q["cue"]["start"]):
        best, best_score = None, 0
        for j, y in enumerate(qb):
            if j in used:
                continue
            score = _overlap(x["cue"], y["cue"]) * 10_000 + sum(
                _overlap(c, d) for c in x["content"] for d in y["content"]
            )
            if score > best_score:
                best, best_score = j, score
        if best is not None:
            used.add(best)
            pairs.append((x, qb[best]))
    return pairs


def _chars(spans: list[dict]) -> set[int]:
    return {i for s in spans for i in range(s["start"], s["end"])}


def quote_agreement(a: dict[str, dict], b: dict[str, dict]) -> dict[str, float | int]:
    """Detection F1, exact-cue F1, content overlap and speaker accuracy."""
    n_a = n_b = matched = cue_exact = speaker_same = form_same = 0
    overlap_sum = 0.0
    for doc_id in sorted(set(a) | set(b)):
        qa, qb = a.get(doc_id, {}).get("quotes", []), b.get(doc_id, {}).get("quotes", [])
        n_a, n_b = n_a + len(qa), n_b + len(qb)
        for x, y in match_quotes(qa, qb):
            matched += 1
            cue_exact += (x["cue"]["start"], x["cue"]["end"]) == (
                y["cue"]["start"],
                y["cue"]["end"],
            )
            cx, cy = _chars(x["content"]), _chars(y["content"])
            overlap_sum += 2 * len(cx & cy) / (len(cx) + len(cy)) if cx or cy else 1.0
            speaker_same += x["speaker_entity"] == y["speaker_entity"]
            form_same += x["form"] == y["form"]
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


def _mention_key(doc_id: str, m: dict) -> str:
    return f"{doc_id} mention {m['start']}-{m['end']} {m['type']} «{m['text']}»"


def _quote_key(doc_id: str, q: dict) -> str:
    return f"{doc_id} quote cue {q['cue']['start']}-{q['cue']['end']} «{q['cue']['text']}»"


_QUOTE_FIELDS = (
    "form",
    "cue",
    "content",
    "speaker",
    "speaker_kind",
    "speaker_entity",
    "addressee_entity",
)


def disagreements(a: dict[str, dict], b: dict[str, dict]) -> dict[str, dict]:
    """Every point where the two passes differ, by a stable key.

    Each value holds what pass A and pass B say (None where a pass has nothing):
    a mention only one pass has (or the same span with another type or entity),
    a quotation only one pass has, or a field of a matched quotation that differs.
    """
    out: dict[str, dict] = {}
    for doc_id in sorted(set(a) | set(b)):
        ma = {(m["start"], m["end"]): m for m in a.get(doc_id, {}).get("mentions", [])}
        mb = {(m["start"], m["end"]): m for m in b.get(doc_id, {}).get("mentions", [])}
        for span in sorted(set(ma) | set(mb)):
            x, y = ma.get(span), mb.get(span)
            if x is None or y is None or (x["type"], x["entity"]) != (y["type"], y["entity"]):
                out[_mention_key(doc_id, x or y)] = {
                    "a": x and {"type": x["type"], "entity": x["entity"]},
                    "b": y and {"type": y["type"], "entity": y["entity"]},
                }
        qa, qb = a.get(doc_id, {}).get("quotes", []), b.get(doc_id, {}).get("quotes", [])
        pairs = match_quotes(qa, qb)
        paired_a = {id(x) for x, _ in pairs}
        paired_b = {id(y) for _, y in pairs}
        for x, y in pairs:
            for f in _QUOTE_FIELDS:
                if x[f] != y[f]:
                    out[f"{_quote_key(doc_id, x)} {f}"] = {"a": x[f], "b": y[f]}
            if (x["parent"] is None) != (y["parent"] is None):
                out[f"{_quote_key(doc_id, x)} nested"] = {
                    "a": x["parent"] is not None,
                    "b": y["parent"] is not None,
                }
        for x in qa:
            if id(x) not in paired_a:
                out[_quote_key(doc_id, x)] = {"a": "present", "b": None}
        for y in qb:
            if id(y) not in paired_b:
                out[_quote_key(doc_id, y)] = {"a": None, "b": "present"}
    return out


def pair_tables(x: dict[str, dict], y: dict[str, dict], x_name: str, y_name: str) -> str:
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


def load_gold(annotations_dir: Path) -> dict[str, dict]:
    """The adjudicated gold files by doc id."""
    return {
        p.stem: _read(p, "annotation-json")
        for p in sorted(annotations_dir.glob("*.json"))
        if p.name != "entities.json"
    }


def _read(path: Path, check: str) -> dict:
    """A JSON object read with the build's strict, bounded reader.

    The build has checked these files before the card asks for the report; a
    file changed since (or read by the command line on its own) is refused here
    with the same check id, never parsed leniently.

    Raises:
        BuildError: when the file is not a strict JSON object.
    """
    value, incidents = load_object(path, check, "an annotation pass or registry")
    if incidents:
        raise BuildError(incidents)
    return value  # type: ignore[return-value]


def markdown_report(annotations_dir: Path) -> str:
    """The agreement tables for the dataset card.

    Entities match on exact start, end and type; quotations are paired by
    overlapping cues (or contents) and then compared field by field.
    """
    a, b = (load_pass(annotations_dir, p) for p in PASSES)
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
    blind = load_pass(annotations_dir, "c")
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


def main(argv: list[str] | None = None) -> int:
    """Print the agreement report, or with ``--disagreements`` every disagreement as JSON.

    ``python -m sokhan.evaluation.agreement [--disagreements] [annotations_dir]``
    """
    args = sys.argv[1:] if argv is None else argv
    listing = "--disagreements" in args
    args = [x for x in args if x != "--disagreements"]
    root = Path(args[0] if args else "corpus/annotations")
    if listing:
        a, b = (load_pass(root, p) for p in PASSES)
        print(json.dumps(disagreements(a, b), ensure_ascii=False, indent=1))
    else:
        print(markdown_report(root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
