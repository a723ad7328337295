"""Dataset card rendering: prose from ``dataset_card.md``, numbers from the data.

The template holds ``{{placeholder}}`` lines; every number in the card is
generated here from the built corpus, so the card cannot drift from the data.
An unknown or unfilled placeholder is an error, not a blank.
"""

from __future__ import annotations

import importlib.resources
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
from sokhan.evaluation.agreement import coverage_table, markdown_report
from sokhan.evaluation.zwnj import default_reports, markdown_table
from sokhan.publication.about import CITATION, DESCRIPTION, bibtex
from sokhan.publication.columns import COLUMNS, CONFIGS, config_splits, yaml_features
from sokhan.publication.figures import markdown as figures_markdown
from sokhan.publication.licence import (
    ANNOTATIONS_SPDX,
    CODE_SPDX,
    HUB_LICENSE_NAME,
    LICENCE_FILE,
    TEXTS_STATEMENT,
)
from sokhan.publication.parquet import data_path
from sokhan.records import (
    ENTITY_TYPES,
    QUOTE_FORMS,
    ROLES,
    SPEAKER_KINDS,
    SPLITS,
    Corpus,
)

#: Larger templates are refused: the real one is about 10 KB.
MAX_TEMPLATE_BYTES = 1024 * 1024
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
#: A piece of the card: text, or a function measuring it when the template asks.
Section = str | Callable[[], str]
#: Every placeholder a template may use.
KNOWN_PLACEHOLDERS = frozenset({
    "version", "schema_version", "counts_table", "documents_table", "split_rationale",
    "roles_table", "entity_types_table", "entities_summary", "quote_table",
    "normalisation_table", "zwnj_table", "agreement_table", "features_section", "label_names",
    "sentence_example", "quote_example", "versions_table", "figures",
    "split_types_table", "split_forms_table", "absent_from_train", "quote_tags_alignment",
    "licence_summary", "bibtex", "pass_count", "tasks_list",
    "passes_table", "coverage_note",
})


def table(header: list[str], rows: list[list]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


#: The Hub's task categories and task ids for the corpus, each with the column it rests on.
TASKS = {
    "token-classification": "`ner_tags` and `quote_tags` of `sentences`: one label per token",
}
TASK_IDS = {
    "named-entity-recognition": "`ner_tags`: BIO tags over the OntoNotes-5 types",
    "coreference-resolution": "mentions that share an `entity_id` corefer, across articles too; "
                              "pronoun and descriptor speakers are resolved to the entity",
}
#: Free tags for what the Hub's task list has no id for.
TAGS = ("quotation-attribution", "speaker-attribution", "entity-linking", "persian", "news")
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"))


def size_category(n: int) -> str:
    """The Hub's size category of a dataset of ``n`` examples."""
    return next((name for limit, name in _SIZES if n < limit), "n>100K")


def card_data(corpus: Corpus, sizes: dict[str, dict[str, tuple[int, int]]]) -> dict:
    """The card's YAML metadata, generated from the data.

    Args:
        corpus: the built corpus.
        sizes: per config and split, ``(Arrow bytes, Parquet bytes)``.
    """
    largest = max(sum(len(r) for r in splits.values()) for splits in corpus.rows.values())
    infos = []
    for config in CONFIGS:
        splits = [{"name": s, "num_bytes": sizes[config][s][0],
                   "num_examples": len(corpus.rows[config][s])} for s in config_splits(config)]
        infos.append({
            "config_name": config,
            # datasets reads these DatasetInfo fields from the card into `.info`
            "description": f"Sokhan (سخن), config `{config}`: {DESCRIPTION}",
            "citation": CITATION,
            "homepage": "",
            "license": f"{ANNOTATIONS_SPDX} (annotations); {TEXTS_STATEMENT}",
            "features": yaml_features(config),
            "splits": splits,
            "download_size": sum(sizes[config][s][1] for s in config_splits(config)),
            "dataset_size": sum(sizes[config][s][0] for s in config_splits(config)),
        })
    configs = []
    for config in CONFIGS:
        entry: dict = {"config_name": config}
        if config == "sentences":
            entry["default"] = True
        entry["data_files"] = [{"split": s, "path": data_path(config, s)}
                               for s in config_splits(config)]
        configs.append(entry)
    return {
        "pretty_name": "Sokhan",
        "language": ["fa"],
        "language_details": "fa-IR",
        "language_creators": ["found"],
        # passes by language-model sessions, every difference adjudicated by the developers
        "annotations_creators": ["machine-generated", "expert-generated"],
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "size_categories": [size_category(largest)],
        "license": "other",
        "license_name": HUB_LICENSE_NAME,
        "license_link": LICENCE_FILE,
        "task_categories": list(TASKS),
        "task_ids": list(TASK_IDS),
        "tags": list(TAGS),
        "configs": configs,
        "dataset_info": infos,
    }


def front_matter(corpus: Corpus, sizes: dict[str, dict[str, tuple[int, int]]]) -> str:
    """The Hub's YAML metadata block."""
    import yaml

    body = yaml.safe_dump(card_data(corpus, sizes), allow_unicode=True, sort_keys=False,
                          width=100)
    return f"---\n{body}---\n"


def sections(corpus: Corpus, manifest: dict) -> dict[str, Section]:
    """Every generated piece of the card, by placeholder name (:data:`KNOWN_PLACEHOLDERS`).

    Measured pieces are functions, run only when the template uses them.
    """
    rows = corpus.rows
    docs = {r["doc_id"]: r for split in rows["documents"].values() for r in split}
    counts = []
    for split in ("train", "validation", "test"):
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
    for d in sorted(docs.values(), key=lambda d: (d["event_date"] or "", d["doc_id"])):
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
                    d["event_id"] or "— (to fill in)",
                    d["event_date"] or "—",
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
            for s in ("train", "validation", "test")
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
        "passes_table": lambda: coverage_table(corpus.pass_coverage),
        "coverage_note": _coverage_note(corpus),
        "features_section": "\n\n".join(
            f"**`{c}`**\n\n"
            + table(
                ["column", "type", "description"],
                [[f"`{col.name}`", _type_name(col.type.feature())
                  + (" or null" if col.nullable else ""), col.description]
                 for col in COLUMNS[c]],
            )
            for c in CONFIGS
        ),
        "label_names": "\n".join(
            f"- `{c.name}` ({len(c.label.names)} labels, names in `{c.names_column}`): "
            + ", ".join(f"`{i}` {n}" for i, n in enumerate(c.label.names))
            for config in CONFIGS for c in COLUMNS[config] if c.label is not None
        ),
        "split_types_table": _per_split_table(
            rows, "mentions", "type", ENTITY_TYPES, "entity type"),
        "split_forms_table": _per_split_table(rows, "quotes", "form", QUOTE_FORMS, "form"),
        "absent_from_train": _absent_from_train(rows),
        "quote_tags_alignment": _quote_tags_alignment(corpus),
        "licence_summary": (
            f"**In short:** annotations `{ANNOTATIONS_SPDX}`, code `{CODE_SPDX}`; "
            f"{TEXTS_STATEMENT} The licence file is [`{LICENCE_FILE}`]({LICENCE_FILE})."
        ),
        "bibtex": "```bibtex\n" + bibtex() + "\n```",
        "pass_count": _pass_count(corpus),
        "tasks_list": "\n".join(
            [f"- `task_categories: {t}`: {why}." for t, why in TASKS.items()]
            + [f"- `task_ids: {t}`: {why}." for t, why in TASK_IDS.items()]
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


def _per_split_table(rows: dict, config: str, key: str, names: tuple[str, ...],
                     header: str) -> str:
    counts = {s: Counter(r[key] for r in rows[config][s]) for s in SPLITS}
    present = [n for n in names if any(counts[s][n] for s in SPLITS)]
    return table([header, *SPLITS, "total"],
                 [[n, *(counts[s][n] for s in SPLITS), sum(counts[s][n] for s in SPLITS)]
                  for n in present])


def _absent_from_train(rows: dict) -> str:
    lines = []
    for config, key, what in (("mentions", "type", "entity type"), ("quotes", "form", "form")):
        train = {r[key] for r in rows[config]["train"]}
        for split in SPLITS[1:]:
            missing = sorted({r[key] for r in rows[config][split]} - train)
            for m in missing:
                n = sum(r[key] == m for r in rows[config][split])
                lines.append(f"- **{what} `{m}`**: {n} in `{split}`, none in `train`.")
    if not lines:
        return "Every entity type and quotation form of `validation` and `test` occurs in `train`."
    return ("**Warning: these labels occur in evaluation splits but never in `train`**, so a "
            "model trained on `train` cannot predict them:\n\n" + "\n".join(lines))


_ORDER = ("CONTENT", "CUE", "SOURCE")
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _pass_count(corpus: Corpus) -> str:
    """How many annotation passes are kept, in words."""
    n = len(corpus.passes)
    return _NUMBERS[n] if n < len(_NUMBERS) else str(n)


def _quote_tags_alignment(corpus: Corpus) -> str:
    from sokhan.stages.attach import quote_tag_spans, span_tokens

    pieces = unaligned = overlapped = nested = 0
    for doc in corpus.docs:
        sentences = corpus.sentences[doc.doc_id]
        quotes = corpus.layers[doc.doc_id].quotes
        nested += sum(q.parent_id is not None for q in quotes)
        spans = [(k, sp) for q in quotes if q.parent_id is None for k, sp in quote_tag_spans(q)]
        for kind, span in set(spans):  # a speaker span shared by two quotations is one span
            for s in sentences:
                if not (s.start < span.end and span.start < s.end):
                    continue
                pieces += 1
                unaligned += not span_tokens(s, span)[1]
                # tagging writes content, then cue, then source: a later kind overwrites
                lo, hi = max(span.start, s.start), min(span.end, s.end)
                overlapped += any(_ORDER.index(k) > _ORDER.index(kind)
                                  and o.start < hi and lo < o.end for k, o in spans)
    return (f"The outermost quotations' spans, cut at sentence boundaries, make {pieces} tagged "
            f"pieces. {unaligned} of them do not align to token boundaries (such a piece would "
            f"tag every token it touches), and {overlapped} are content pieces with a source or "
            "cue inside them (the source or cue keeps its tag and the content resumes after it "
            "with `I-CONTENT`, so such a piece comes back in parts); converting the tags back "
            f"gives every other piece exactly. The {nested} nested quotations lie inside their "
            "parent's content and are tagged as that content; their own spans are in `quotes`.")


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


def _coverage_note(corpus: Corpus) -> str:
    """Which seed articles are not published, because they have no gold annotation yet."""
    if not corpus.unannotated:
        return "Every article in `seeds/` has a gold annotation file and is published."
    files = ", ".join(f"`seeds/{f}`" for f in corpus.unannotated)
    return (f"{len(corpus.unannotated)} article(s) in `seeds/` have no gold annotation file yet "
            f"and are **not published** in any config (this build used "
            f"`--allow-unannotated`; see `unannotated_seeds` in `build-manifest.json`): {files}.")


def _agreement_table(corpus: Corpus) -> str:
    return markdown_report(corpus)


#: The template the build uses when ``--card`` is not given and the working folder has none.
INSTALLED_TEMPLATE = "data/dataset_card.md"


def default_card_template(here: Path = Path()) -> Path:
    """``dataset_card.md`` in ``here`` if it is there, else the template installed with sokhan.

    The installed one is the checkout's ``dataset_card.md`` itself (a link in the
    source tree, a copy in the wheel), so a build outside a checkout gives the same card.
    """
    local = here / "dataset_card.md"
    if local.is_file():
        return local
    return Path(str(importlib.resources.files("sokhan").joinpath(INSTALLED_TEMPLATE)))


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


def render_card(
    template: str,
    corpus: Corpus,
    values: dict[str, Section],
    sizes: dict[str, dict[str, tuple[int, int]]],
) -> str:
    """Fill the template's placeholders and prepend the YAML front matter.

    Args:
        template: a template checked by :func:`read_card_template`,
            which reports unknown placeholders as ``card-template`` incidents.
        corpus: the built corpus.
        values: :func:`sections` of the corpus; measured ones are computed only
            when the template uses them.
        sizes: per config and split, ``(Arrow bytes, Parquet bytes)``, for ``dataset_info``.

    Raises:
        KeyError: for a placeholder not in ``values``.
    """
    used = set(_PLACEHOLDER.findall(template))
    filled = {k: v() if callable(v) else v for k, v in values.items() if k in used}
    body = _PLACEHOLDER.sub(lambda m: filled[m.group(1)], template)
    return front_matter(corpus, sizes) + body
