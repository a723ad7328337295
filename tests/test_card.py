"""The rendered dataset card: complete, and its numbers are the data's."""

from __future__ import annotations

import re

import yaml

from sokhan.publication.columns import CONFIGS


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
