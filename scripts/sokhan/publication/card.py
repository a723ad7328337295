"""Dataset card rendering: prose from ``dataset_card.md``, numbers from the data.

The template holds ``{{placeholder}}`` lines; every number in the card is
generated here from the built corpus, so the card cannot drift from the data.
An unknown or unfilled placeholder is an error, not a blank.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sokhan import __version__
from sokhan.checks.incidents import (
    BuildError,
    Incident,
    Unreadable,
    byte_location,
    clip,
    read_bounded,
    shown_path,
)
from sokhan.checks.schemas import SCHEMA_VERSION
from sokhan.evaluation.agreement import markdown_report
from sokhan.evaluation.zwnj import default_reports, markdown_table
from sokhan.publication.columns import COLUMNS, CONFIGS, SPLITS, config_splits
from sokhan.publication.figures import markdown as figures_markdown
from sokhan.publication.parquet import data_path
from sokhan.records import (
    BIO_TAGS,
    ENTITY_TYPES,
    QUOTE_FORMS,
    ROLES,
    SPEAKER_KINDS,
    Corpus,
)

#: Larger templates are refused: the real one is about 10 KB.
MAX_TEMPLATE_BYTES = 1024 * 1024
#: A piece of the card: text, or a function measuring it when the template asks.
Section = str | Callable[[], str]
#: Every placeholder a template may use.
KNOWN_PLACEHOLDERS = frozenset({
    "version", "schema_version", "counts_table", "documents_table", "split_rationale",
    "roles_table", "entity_types_table", "entities_summary", "quote_table",
    "normalisation_table", "zwnj_table", "agreement_table", "features_section", "label_names",
    "sentence_example", "quote_example", "versions_table", "figures",
})
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def front_matter(corpus: Corpus) -> str:
    """The Hub's YAML metadata: configs, splits, languages, licences."""
    n_sent = sum(len(s) for s in corpus.sentences.values())
    lines = [
        "---",
        "language:",
        "- fa",
        "license: other",
        "license_name: cc-by-4.0-annotations-texts-by-their-outlets",
        "pretty_name: Sokhan",
        "task_categories:",
        "- token-classification",
        "- text-classification",
        "task_ids:",
        "- named-entity-recognition",
        "tags:",
        "- quotation-attribution",
        "- entity-linking",
        "- persian",
        "- news",
        "size_categories:",
        f"- {'n<1K' if n_sent < 1000 else '1K<n<10K'}",
        "configs:",
    ]
    for config in CONFIGS:
        lines += [f"- config_name: {config}"]
        if config == "sentences":
            lines += ["  default: true"]
        lines += ["  data_files:"]
        for split in config_splits(config):
            lines += [
                f"  - split: {split}",
                f"    path: {data_path(config, split)}",
            ]
    lines += ["---", ""]
    return "\n".join(lines)


def sections(corpus: Corpus, manifest: dict) -> dict[str, Section]:
    """Every generated piece of the card, by placeholder name (:data:`KNOWN_PLACEHOLDERS`).

    Measured pieces are functions, run only when the template uses them.
    """
    rows = corpus.rows
    docs = {r["doc_id"]: r for split in rows["documents"].values() for r in split}
    counts = []
    for split in SPLITS:
        ds = rows["documents"][split]
        counts.append(
            [
                split,
                len(ds),
                len(rows["sentences"][split]),
                sum(d["n_tokens"] for d in ds),
                len(rows["mentions"][split]),
                len(rows["quotes"][split]),
            ]
        )
    counts.append(["**total**", *(sum(r[i] for r in counts) for i in range(1, 6))])
    every = {c: [r for split in rows[c].values() for r in split] for c in rows}
    roles = Counter(r["role"] for r in every["sentences"])
    types = Counter(m["type"] for m in every["mentions"])
    forms = Counter((q["form"], q["speaker_kind"]) for q in every["quotes"])
    entities = sorted(every["entities"], key=lambda e: (-e["mention_count"], e["id"]))
    events: dict[str, list[str]] = {}
    for d in sorted(docs.values(), key=lambda d: (d["event_date"], d["doc_id"])):
        events.setdefault(f"{d['split']}", []).append(
            f"`{d['doc_id']}` ({d['event_id']}, {d['event_date']})"
        )
    values: dict[str, Section] = {
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "counts_table": table(
            ["split", "articles", "sentences", "tokens", "mentions", "quotations"], counts
        ),
        "documents_table": table(
            [
                "article",
                "split",
                "outlet",
                "event",
                "date",
                "sentences",
                "tokens",
                "mentions",
                "quotations",
            ],
            [
                [
                    f"`{d['doc_id']}`",
                    d["split"],
                    d["outlet"] or "—",
                    d["event_id"],
                    d["event_date"],
                    d["n_sentences"],
                    d["n_tokens"],
                    d["n_mentions"],
                    d["n_quotes"],
                ]
                for d in sorted(docs.values(), key=lambda d: d["doc_id"])
            ],
        ),
        "split_rationale": "\n".join(
            f"- **{s}**: " + "; ".join(events.get(s, ["—"]))
            for s in SPLITS
        ),
        "roles_table": table(["role", "sentences"], [[r, roles[r]] for r in ROLES]),
        "entity_types_table": table(
            ["type", "mentions"],
            [[t, types[t]] for t in ENTITY_TYPES if types[t]]
            + [["**total**", sum(types.values())]],
        ),
        "entities_summary": (
            f"The registry holds {len(entities)} entities "
            f"({sum(e['is_group'] for e in entities)} of them groups used only as speakers). "
            "Most mentioned:\n\n"
            + table(
                ["entity", "type", "name", "mentions", "quotations as speaker"],
                [
                    [
                        f"`{e['id']}`",
                        e["type"],
                        f"{e['name_fa']} ({e['name_en']})",
                        e["mention_count"],
                        e["quote_count"],
                    ]
                    for e in entities[:10]
                ],
            )
        ),
        "figures": figures_markdown(),
        "quote_table": table(
            ["form", *SPEAKER_KINDS, "total"],
            [
                [
                    f,
                    *(forms[(f, k)] for k in SPEAKER_KINDS),
                    sum(forms[(f, k)] for k in SPEAKER_KINDS),
                ]
                for f in QUOTE_FORMS
            ],
        ),
        "normalisation_table": table(
            ["change", "count"],
            [
                [k, v]
                for k, v in sorted(
                    manifest["normalisation_changes"].items(), key=lambda kv: (-kv[1], kv[0])
                )
            ],
        )
        + "\n\n"
        + _zwnj_summary(manifest["zwnj_repairs"])
        + "\n\nSokhan's repairs after hazm, by kind:\n\n"
        + table(["repair", "count"], [[f"`{k}`", v] for k, v in manifest["zwnj_repairs"].items()]),
        # measured only when the template asks for them: they re-run evaluations
        "zwnj_table": lambda: _zwnj_table(corpus),
        "agreement_table": lambda: _agreement_table(corpus),
        "features_section": "\n\n".join(
            f"**`{c}`**\n\n"
            + table(
                ["column", "type", "description"],
                [[f"`{n}`", _type_name(f), d] for n, f, _, d in COLUMNS[c]],
            )
            for c in CONFIGS
        ),
        "label_names": "\n".join(
            [
                f"- `ner_tags` ({len(BIO_TAGS)} labels): " + ", ".join(f"`{t}`" for t in BIO_TAGS),
                "- `role`: " + ", ".join(f"`{r}`" for r in ROLES),
                "- `form`: " + ", ".join(f"`{f}`" for f in QUOTE_FORMS),
            ]
        ),
        "sentence_example": lambda: _example(every),
        "quote_example": lambda: _quote_example(every),
        "versions_table": table(
            ["library", "version"],
            [["python", manifest["python"]], *[[k, v] for k, v in manifest["libraries"].items()]],
        ),
    }
    assert set(values) == KNOWN_PLACEHOLDERS, set(values) ^ KNOWN_PLACEHOLDERS
    return values


def _first_quoting_sentence(every: dict) -> dict | None:
    mentioned = {m["sentence_id"] for m in every["mentions"]}
    return next((s for s in every["sentences"] if s["quote_ids"] and s["id"] in mentioned), None)


def _json_block(record: dict) -> str:
    # one field per line, each value compact: readable without scrolling through lists
    fields = [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in record.items()]
    return "```json\n{\n" + ",\n".join(fields) + "\n}\n```"


def _example(every: dict) -> str:
    sentence = _first_quoting_sentence(every)
    return _json_block(sentence) if sentence else "_No annotated sentence yet._"


def _quote_example(every: dict) -> str:
    sentence = _first_quoting_sentence(every)
    if sentence is None:
        return "_No quotation yet._"
    quote = next(q for q in every["quotes"] if q["id"] == sentence["quote_ids"][0])
    return _json_block(quote)


def _zwnj_summary(repairs: dict[str, int]) -> str:
    """«N ZWNJs restored: …», from the repair counts of the build."""
    restored = {k.removeprefix("zwnj-"): v for k, v in repairs.items() if k.startswith("zwnj-")}
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(restored.items(), key=lambda kv: -kv[1]))
    return f"**{sum(restored.values())} ZWNJs restored**: {parts}."


def _type_name(feature) -> str:
    if isinstance(feature, list):
        return "list of struct"
    kind = feature.get("_type", "struct")
    if kind == "Value":
        return feature["dtype"]
    if kind == "ClassLabel":
        return "class label"
    if kind == "Sequence":
        return f"list of {_type_name(feature['feature'])}"
    return "struct"


def _zwnj_table(corpus: Corpus) -> str:
    return markdown_table(default_reports({d.doc_id: d.raw_text.split("\n")
                                           for d in corpus.docs}))


def _agreement_table(corpus: Corpus) -> str:
    return markdown_report(corpus)


def read_card_template(path: Path, known: frozenset[str] = KNOWN_PLACEHOLDERS) -> str:
    """The dataset card template, checked: readable, UTF-8, every placeholder in ``known``.

    Raises:
        BuildError: with a ``card-template`` incident.
    """
    shown = shown_path(path)
    data = read_bounded(path, MAX_TEMPLATE_BYTES)
    if isinstance(data, Unreadable):
        raise BuildError([Incident(shown, "", "card-template",
                                   f"{data.message}; expected the dataset card template (--card)")])
    try:
        template = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BuildError([Incident(shown, byte_location(data, err.start), "card-template",
                                   f"not UTF-8 ({err.reason}); expected UTF-8 Markdown")]) from None
    incidents = []
    for line_no, line in enumerate(template.split("\n"), start=1):
        for m in re.finditer(r"\{\{(.*?)\}\}", line):
            name = _PLACEHOLDER.fullmatch(m.group())
            if name is None or name.group(1) not in known:
                incidents.append(Incident(shown, f"line {line_no}", "card-template",
                                          f"unknown placeholder {clip(m.group())}; expected one "
                                          f"of {', '.join(sorted(known))}"))
    if incidents:
        raise BuildError(incidents)
    return template


def render_card(template: str, corpus: Corpus, values: dict[str, Section]) -> str:
    """Fill the template's placeholders and prepend the YAML front matter.

    Args:
        template: a template checked by :func:`read_card_template`,
            which reports unknown placeholders as ``card-template`` incidents.
        corpus: the built corpus.
        values: :func:`sections` of the corpus; measured ones are computed only
            when the template uses them.

    Raises:
        KeyError: for a placeholder not in ``values``.
    """
    used = set(_PLACEHOLDER.findall(template))
    filled = {k: v() if callable(v) else v for k, v in values.items() if k in used}
    body = _PLACEHOLDER.sub(lambda m: filled[m.group(1)], template)
    return front_matter(corpus) + body
