"""Output: the reduce step. Shards, the problem report and the run's manifest.

Each shard arrives finished from a worker (:mod:`sokhan.process.shard`); here its
bytes are written into a staging folder under provisional names, in input
order, and its tallies added up. Only when the run ends are the shards renamed
to ``data/<config>/<split>-000NN-of-000MM.parquet`` and the folder swapped into
place (:mod:`sokhan.publication.swap`), so no shard of an unfinished run looks
complete. Every file and folder is flushed to disk before the swap, so a power cut
leaves the old output or the new one, never a new one with empty shards. A shard
holds the documents of a block of consecutive input records (and their
sentences), as many as :func:`~sokhan.process.shard.shard_records` gives for the
input's size, whatever the engine, so the bytes do not depend on it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from sokhan import __version__
from sokhan.process.document import Problem
from sokhan.process.drafts import CONFIG as DRAFTS
from sokhan.process.shard import CONFIGS, Shard
from sokhan.publication.columns import yaml_features
from sokhan.publication.manifest import PINNED
from sokhan.publication.parquet import PROCESS_PARQUET_OPTIONS
from sokhan.publication.swap import fsync_dir, write_file
from sokhan.stages.normalise import HAZM_OPTIONS
from sokhan.stages.tokenise import TOKENIZER_OPTIONS

REPORT = "problems.jsonl"
MANIFEST = "process-manifest.json"


class ShardWriter:
    """Takes finished shards in input order, writes them into ``staging`` and adds up."""

    def __init__(self, staging: Path, shard_records: int, drafts: dict | None = None):
        self.staging = staging
        self.shard_records = shard_records  # input records per shard, for the manifest
        self.drafts = drafts  # what the drafts were made from; None: no drafts config
        self.configs = CONFIGS if drafts is None else (*CONFIGS, DRAFTS)
        self.parts: dict[str, list[dict[str, str]]] = {}  # split -> [{config: temp name}]
        self.digests: dict[str, str] = {}  # temp name -> sha256
        self.counts: Counter[str] = Counter()
        self.problems: Counter[str] = Counter()
        self.repairs: Counter[str] = Counter()
        self.changes: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()
        self._report = (staging / REPORT).open("w", encoding="utf-8")

    def add(self, shard: Shard) -> None:
        """Take one shard: report its refused records, write its files, add its counts."""
        self.counts["records"] += shard.records
        for problems in shard.refused:
            self.report(list(problems))
        self.counts.update(shard.counts)
        self.repairs.update(shard.repairs)
        self.changes.update(shard.changes)
        self.ignored.update(shard.ignored)
        for split, files in shard.files.items():
            part = len(self.parts.setdefault(split, []))
            names = {}
            for config in self.configs:
                name = f"data/{config}/.{split}-part{part:05d}.parquet"
                write_file(self.staging / name, files[config])  # flushed before the swap
                names[config] = name
                self.digests[name] = shard.digests[split][config]
            self.parts[split].append(names)

    def report(self, problems: list[Problem]) -> None:
        """Write problems to the report file and count them by check id."""
        self.counts["refused"] += 1
        for p in problems:
            self.problems[p.check] += 1
            self._report.write(json.dumps(p.as_json(), ensure_ascii=False) + "\n")

    def finish(self, inputs: dict) -> dict:
        """Give the shards their final names and write the manifest."""
        self._report.flush()
        os.fsync(self._report.fileno())
        self._report.close()
        files: dict[str, str] = {}
        for split, parts in sorted(self.parts.items()):
            for k, names in enumerate(parts):
                for config, temp in names.items():
                    final = f"data/{config}/{split}-{k:05d}-of-{len(parts):05d}.parquet"
                    (self.staging / temp).rename(self.staging / final)
                    files[final] = self.digests[temp]
        manifest = {
            "sokhan_version": __version__,
            "libraries": {name: version(name) for name in PINNED},
            "normaliser": {"hazm_options": HAZM_OPTIONS, "per_line": True,
                           "zwnj_repair": "sokhan.zwnj"},
            "tokenizer": {"hazm_word_tokenizer_options": TOKENIZER_OPTIONS, "split_dashes": True},
            "parquet": PROCESS_PARQUET_OPTIONS,
            "input": inputs,
            "counts": {k: self.counts[k] for k in
                       ("records", "documents", "refused", "sentences", "tokens")},
            "splits": {s: len(p) for s, p in sorted(self.parts.items())},
            "records_per_shard": self.shard_records,
            "problems": dict(sorted(self.problems.items())),
            "ignored_fields": dict(sorted(self.ignored.items())),
            "normalisation_changes": dict(sorted(self.changes.items())),
            "zwnj_repairs": dict(sorted(self.repairs.items())),
            "report": REPORT,
            "files": files,
            "configs": list(self.configs),
        }
        if self.drafts is not None:
            manifest["drafts"] = {
                **self.drafts,
                "machine_made": True,
                "rows": self.counts["drafts"],
                "mentions": self.counts["draft_mentions"],
                "quotes": self.counts["draft_quotes"],
                "proposed_entities": self.counts["draft_proposed_entities"],
            }
        write_file(self.staging / MANIFEST, (json.dumps(
            manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        write_file(self.staging / "README.md",
                   card(sorted(self.parts), self.drafts is not None).encode("utf-8"))
        folders = {(self.staging / f).parent for f in files}
        for folder in [*sorted(folders), *([self.staging / "data"] if files else []),
                       self.staging]:
            fsync_dir(folder)  # the final names, before the swap
        return manifest

    def close(self) -> None:
        """Close the report file (after an error)."""
        self._report.close()


def card(splits: list[str], drafts: bool = False) -> str:
    """A minimal dataset card whose YAML lets ``datasets.load_dataset`` read the shards.

    Its ``configs`` find the shards; its ``dataset_info`` gives the published configs'
    features, label names included (:func:`~sokhan.publication.columns.yaml_features`).
    """
    import yaml

    configs = []
    for config in ("sentences", "documents", *((DRAFTS,) if drafts else ())):
        entry: dict = {"config_name": config}
        if config == "sentences":
            entry["default"] = True
        entry["data_files"] = [{"split": split, "path": f"data/{config}/{split}-*.parquet"}
                               for split in splits or ["train"]]
        configs.append(entry)
    infos = [{"config_name": config, "features": yaml_features(config)}
             for config in ("sentences", "documents")]
    meta = yaml.safe_dump({"configs": configs, "dataset_info": infos}, sort_keys=False,
                          allow_unicode=True)
    lines = ["---", meta.rstrip("\n"), "---", "",
              "Output of `sokhan process`: the `documents` and `sentences` configs of the "
              "Sokhan corpus, unannotated (no entity or quotation layers). Counts and "
              f"checksums: `{MANIFEST}`; records that were refused: `{REPORT}`.", ""]
    if drafts:
        lines += ["The `drafts` config is MACHINE-MADE: one row per article holding the draft "
                  "annotation file of `sokhan annotate` (status `draft`, proposed registry "
                  "entries included). It is not gold: a draft becomes an annotation only after "
                  "a reviewer corrects it and `sokhan accept` takes it.", ""]
    return "\n".join(lines)
