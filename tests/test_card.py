"""The rendered dataset card: complete, and its numbers are the data's."""

from __future__ import annotations

import json
import re

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from helpers import CARD, REPO
from sokhan.publication.card import default_card_template
from sokhan.publication.columns import COLUMNS, CONFIGS, config_splits
from sokhan.publication.parquet import data_path
from sokhan.records import SPLITS


def _card(fresh_corpus) -> str:
    return (fresh_corpus / "README.md").read_text(encoding="utf-8")


def test_no_placeholder_is_left(fresh_corpus):
    assert re.findall(r"\{\{\s*[a-z_]+\s*\}\}", _card(fresh_corpus)) == []


def test_front_matter_lists_every_config_and_file(fresh_corpus):
    card = _card(fresh_corpus)
    meta = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in meta["configs"]] == list(CONFIGS)
    assert meta["configs"][0].get("default") is True
    for config in meta["configs"]:
        for split in config["data_files"]:
            assert (fresh_corpus / split["path"]).is_file()


def test_counts_table_matches_the_build_manifest(fresh_corpus, build_manifest):
    counts = build_manifest["counts"]
    total = (f"| **total** | {sum(counts['documents'].values())} | "
             f"{sum(counts['sentences'].values())} | {build_manifest['tokens']} | "
             f"{sum(counts['mentions'].values())} | {sum(counts['quotes'].values())} |")
    assert total in _card(fresh_corpus)


def test_zwnj_summary_matches_the_repairs(fresh_corpus, build_manifest):
    restored = sum(v for k, v in build_manifest["zwnj_repairs"].items() if k.startswith("zwnj-"))
    assert f"**{restored} ZWNJs restored**" in _card(fresh_corpus)


def test_card_reports_agreement_with_the_blind_pass(fresh_corpus):
    card = _card(fresh_corpus)
    assert "**Pass A against pass B**" in card and "**Pass A against pass C**" in card


# --- the Hub metadata --------------------------------------------------------------------

def _resource(name: str):
    """One of the Hub's allowed-value lists that datasets ships (offline)."""
    from importlib.resources import files

    return json.loads(files("datasets.utils.resources").joinpath(name).read_text())


def _hub_tasks() -> dict[str, list[str]]:
    # vendored from @huggingface/tasks (see its _source): no Python package ships the list
    return json.loads((REPO / "tests" / "fixtures" / "hub_tasks.json").read_text())[
        "task_categories"]


def _card_data(fresh_corpus):
    from huggingface_hub import DatasetCard

    return DatasetCard.load(fresh_corpus / "README.md").data


def test_huggingface_hub_parses_the_card(fresh_corpus):
    from huggingface_hub import DatasetCardData

    data = _card_data(fresh_corpus)
    assert isinstance(data, DatasetCardData)
    assert data.pretty_name == "Sokhan"
    for field in ("language", "language_creators", "annotations_creators", "multilinguality",
                  "source_datasets", "size_categories", "license", "task_categories",
                  "task_ids", "configs", "dataset_info"):
        assert getattr(data, field, None) or data.get(field), field
    assert data.get("language_details") == "fa-IR"


@pytest.mark.slow
def test_card_fields_take_the_hubs_allowed_values(fresh_corpus):
    data = _card_data(fresh_corpus)
    creators = _resource("creators.json")
    assert set(data.annotations_creators) <= set(creators["annotations"])
    # the passes were machine-generated and every difference adjudicated by the developers
    assert set(data.annotations_creators) == {"machine-generated", "expert-generated"}
    assert set(data.language_creators) <= set(creators["language"])
    assert set(data.multilinguality) <= set(_resource("multilingualities.json"))
    assert set(data.size_categories) <= set(_resource("size_categories.json"))
    assert set(data.language) <= set(_resource("languages.json"))
    assert re.fullmatch(r"[a-z]{2,3}-[A-Z]{2}", data.get("language_details"))
    assert all(s == "original" or s.startswith("extended|") for s in data.source_datasets)
    tasks = _hub_tasks()
    assert set(data.task_categories) <= set(tasks)
    assert "text-classification" not in data.task_categories  # no column labels a whole text
    for task_id in data.task_ids:
        assert any(task_id in tasks[c] for c in data.task_categories), task_id


def test_licence_fields_point_at_a_real_file(fresh_corpus):
    data = _card_data(fresh_corpus)
    assert data.license == "other"
    assert re.fullmatch(r"[a-z0-9.-]+", data.license_name)
    assert (fresh_corpus / data.license_link).is_file()


def test_size_category_is_computed_from_the_data(fresh_corpus):
    largest = max(sum(pq.read_metadata(fresh_corpus / data_path(c, s)).num_rows
                      for s in config_splits(c)) for c in CONFIGS)
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")]
    assert _card_data(fresh_corpus).size_categories == [
        next(name for limit, name in bounds if largest < limit)]


def test_dataset_info_is_the_data(fresh_corpus):
    infos = {i["config_name"]: i for i in _card_data(fresh_corpus).get("dataset_info")}
    assert list(infos) == list(CONFIGS)
    for config in CONFIGS:
        info = infos[config]
        schema = pq.read_schema(fresh_corpus / data_path(config, "train"))
        assert [f["name"] for f in info["features"]] == schema.names
        for column in COLUMNS[config]:
            if column.label is not None:
                yaml_feature = next(f for f in info["features"] if f["name"] == column.name)
                names = (yaml_feature.get("dtype") or yaml_feature["sequence"]["dtype"])[
                    "class_label"]["names"]
                assert names == {str(i): n for i, n in enumerate(column.label.names)}
        splits = {s["name"]: s for s in info["splits"]}
        assert list(splits) == list(config_splits(config))
        size = 0
        for split, entry in splits.items():
            path = fresh_corpus / data_path(config, split)
            table = pq.read_table(path)
            assert entry["num_examples"] == table.num_rows
            assert entry["num_bytes"] == table.nbytes
            size += path.stat().st_size
        assert info["download_size"] == size
        assert info["dataset_size"] == sum(s["num_bytes"] for s in splits.values())


# --- per-split counts and warnings -------------------------------------------------------

def _per_split(fresh_corpus, config, key):
    con = duckdb.connect()
    rows = con.execute(f"SELECT {key}, split, count(*) FROM "
                       f"'{fresh_corpus}/data/{config}/*.parquet' GROUP BY ALL").fetchall()
    return {(k, s): n for k, s, n in rows}


@pytest.mark.parametrize(("config", "key"), [("mentions", "type"), ("quotes", "form_name")])
def test_card_counts_each_label_per_split(fresh_corpus, config, key):
    card = _card(fresh_corpus)
    counts = _per_split(fresh_corpus, config, key)
    for label in {k for k, _ in counts}:
        cells = [counts.get((label, s), 0) for s in SPLITS]
        assert f"| {label} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |" in card


def test_card_warns_about_labels_absent_from_train(fresh_corpus):
    card = _card(fresh_corpus)
    for config, key in (("mentions", "type"), ("quotes", "form_name")):
        counts = _per_split(fresh_corpus, config, key)
        train = {k for k, s in counts if s == "train"}
        for (label, split), n in counts.items():
            if split != "train" and label not in train:
                assert f"`{label}`**: {n} in `{split}`, none in `train`." in card


def test_card_says_how_to_map_label_ids_by_name(fresh_corpus):
    card = _card(fresh_corpus)
    assert "Label ids are Sokhan's own" in card
    assert 'features["ner_tags"].feature.names' in card


def test_without_card_the_working_folders_template_is_used_else_the_installed_one(tmp_path):
    assert default_card_template(tmp_path).read_bytes() == CARD.read_bytes()
    (tmp_path / "dataset_card.md").write_text("# mine\n", encoding="utf-8")
    assert default_card_template(tmp_path) == tmp_path / "dataset_card.md"
