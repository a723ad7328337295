"""croissant.json: every column a field; mlcroissant validates it and loads the Parquet."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sokhan.publication.columns import COLUMNS, CONFIGS, Sequence, Struct, config_splits
from sokhan.publication.croissant import RAI_SECTIONS
from sokhan.publication.parquet import data_path
from sokhan.records import SPLITS

#: Run in mlcroissant's own environment: every record of every record set, as JSON.
LOADER = """
import json, sys
import mlcroissant as mlc

def plain(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, dict):
        return {k.rsplit("/", 1)[-1]: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "tolist"):
        return plain(v.tolist())
    return v

ds = mlc.Dataset(jsonld=sys.argv[1])
out = {}
for rs in ds.metadata.record_sets:
    out[rs.name] = [plain(r) for r in ds.records(record_set=rs.name)]
print(json.dumps(out, ensure_ascii=False))
"""


def _doc(fresh_corpus) -> dict:
    return json.loads((fresh_corpus / "croissant.json").read_text(encoding="utf-8"))


def _mlcroissant() -> str:
    tool = os.environ.get("SOKHAN_MLCROISSANT")
    if not tool:
        pytest.fail("SOKHAN_MLCROISSANT is not set; run the suite with `make test`")
    return tool


def test_croissant_names_every_parquet_file_with_its_digest(fresh_corpus, build_manifest):
    doc = _doc(fresh_corpus)
    objects = {d["contentUrl"]: d["sha256"] for d in doc["distribution"]
               if d["@type"] == "cr:FileObject"}
    # the card's figures are in the manifest too, but they are not data
    assert objects == {p: d for p, d in build_manifest["files"].items() if p.endswith(".parquet")}
    configs = [r["name"] for r in doc["recordSet"] if r["name"] in CONFIGS]
    assert configs == list(CONFIGS)


def _check_fields(fields: list[dict], columns, path: str):
    assert [f["name"] for f in fields] == [f"{path}/{c.name}" for c in columns]
    for field, column in zip(fields, columns, strict=True):
        assert field.get("repeated", False) is isinstance(column.type, Sequence)
        inner = column.type.item if isinstance(column.type, Sequence) else column.type
        if isinstance(inner, Struct):
            _check_fields(field["subField"], inner.fields, field["name"])
        else:
            assert field["dataType"] in {"sc:Text", "sc:Integer", "sc:Boolean"}
        if column.label is not None:
            assert field["references"]["field"]["@id"] == f"labels-{column.name}/id"


def test_every_published_column_is_a_field(fresh_corpus):
    sets = {r["name"]: r for r in _doc(fresh_corpus)["recordSet"]}
    for config in CONFIGS:
        _check_fields(sets[config]["field"], COLUMNS[config], config)


def test_class_labels_and_splits_are_record_sets(fresh_corpus):
    sets = {r["name"]: r for r in _doc(fresh_corpus)["recordSet"]}
    assert sets["splits"]["dataType"] == "cr:Split"
    assert [d["splits/name"] for d in sets["splits"]["data"]] == list(SPLITS)
    for config in CONFIGS:
        for column in COLUMNS[config]:
            if column.label is not None:
                data = sets[f"labels-{column.name}"]["data"]
                names = [d[f"labels-{column.name}/name"] for d in data]
                assert names == list(column.label.names)


def test_responsible_ai_properties_quote_the_card(fresh_corpus):
    doc = _doc(fresh_corpus)
    for key in RAI_SECTIONS:
        assert len(doc[key]) > 200, key
    assert "public figures" in doc["rai:personalSensitiveInformation"]
    assert "language-model" in doc["rai:dataAnnotationProtocol"]


@pytest.mark.slow
def test_mlcroissant_validates(fresh_corpus):
    proc = subprocess.run([_mlcroissant(), "validate", "--jsonld", "croissant.json"],
                          cwd=fresh_corpus, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-3000:]


def _expected(root: Path, config: str) -> list[dict]:
    rows = []
    for split in config_splits(config):
        rows += pq.read_table(root / data_path(config, split)).to_pylist()
    return rows


@pytest.mark.slow
def test_mlcroissant_loads_every_field_as_in_the_parquet(fresh_corpus):
    python = str(Path(_mlcroissant()).with_name("python"))
    proc = subprocess.run([python, "-c", LOADER, "croissant.json"], cwd=fresh_corpus,
                          capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for config in CONFIGS:
        expected = _expected(fresh_corpus, config)
        key = lambda r: (r.get("doc_id") or "", r["id"] if "id" in r else r["doc_id"])  # noqa: E731
        assert sorted(got[config], key=key) == sorted(expected, key=key), config
    assert [r["name"] for r in got["splits"]] == list(SPLITS)
    assert [r["name"] for r in got["labels-ner_tags"]][:2] == ["O", "B-PERSON"]
