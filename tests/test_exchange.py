"""Exports in four formats, read back by their libraries, and the brat and XMI round trips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import conllu
import pytest
from cassis import load_cas_from_xmi, load_typesystem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import ANNOTATIONS, MINI, SEEDS
from sokhan.build import assemble
from sokhan.checks.incidents import BuildError
from sokhan.cli import main
from sokhan.exchange import xmi
from sokhan.exchange.adapter import exchange_documents
from sokhan.exchange.brat import parse_ann
from sokhan.exchange.export import FORMATS, export_files
from sokhan.exchange.importer import annotation_bytes, import_annotation
from sokhan.publication.columns import config_splits

GOLD = sorted(p for p in ANNOTATIONS.glob("*.json") if p.name != "entities.json")
SPLITS = config_splits("sentences")


@pytest.fixture(scope="module")
def documents(assembled):
    gold = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in GOLD}
    return exchange_documents(assembled, gold)


@pytest.fixture(scope="module")
def exported(documents, tmp_path_factory) -> dict[str, Path]:
    """Every format exported into its own folder, as ``sokhan export`` writes it."""
    root = tmp_path_factory.mktemp("exports")
    for fmt in FORMATS:
        for rel, text in export_files(fmt, documents, SPLITS).items():
            (root / fmt).mkdir(exist_ok=True)
            (root / fmt / rel).write_text(text, encoding="utf-8")
    return {fmt: root / fmt for fmt in FORMATS}


def gold_of(doc_id: str) -> bytes:
    return (ANNOTATIONS / f"{doc_id}.json").read_bytes()


# --- every export is read back by its library ---------------------------------------------


def test_conllu_parses_with_the_corpus_tokens_tags_and_offsets(exported, assembled):
    by_split = {s: [] for s in SPLITS}
    for doc in assembled.docs:
        by_split[assembled.splits[doc.doc_id]].append(doc)
    for split, docs in by_split.items():
        blocks = conllu.parse((exported["conllu"] / f"{split}.conllu").read_text("utf-8"))
        sentences = [s for d in docs for s in assembled.sentences[d.doc_id]]
        assert [b.metadata["sent_id"] for b in blocks] == [s.id for s in sentences]
        texts = {d.doc_id: d for d in docs}
        for block, sentence in zip(blocks, sentences, strict=True):
            doc = texts[sentence.doc_id]
            assert block.metadata["text"] == sentence.text
            assert block.metadata["raw_text"] == sentence.raw_text
            assert [t["form"] for t in block] == [t.text for t in sentence.tokens]
            bio = assembled.layers[sentence.doc_id].bio[sentence.id]
            assert [(t["misc"] or {}).get("NE", "O") for t in block] == bio
            for t in block:
                start, end = map(int, t["misc"]["TokenRange"].split(":"))
                raw_start, raw_end = map(int, t["misc"]["RawRange"].split(":"))
                assert doc.text[start:end] == t["form"]
                assert doc.alignment.raw_to_norm(raw_start, raw_end) == (start, end)


def test_conllu_marks_every_quotation_role(exported, documents):
    text = "".join((exported["conllu"] / f"{s}.conllu").read_text("utf-8") for s in SPLITS)
    begins = re.findall(r"B-(CUE|SOURCE|CONTENT):", text)
    expected = sum(1 + (q.speaker is not None) + len(q.content)
                   for d in documents for q in d.quotes)
    assert len(begins) == expected


def test_iob2_has_one_tag_per_corpus_token(exported, assembled):
    lines = "".join((exported["iob2"] / f"{s}.tsv").read_text("utf-8") for s in SPLITS)
    blocks = [b for b in lines.split("\n\n") if b]
    order = sorted(assembled.docs, key=lambda d: SPLITS.index(assembled.splits[d.doc_id]))
    sentences = [s for d in order for s in assembled.sentences[d.doc_id]]
    assert len(blocks) == len(sentences)
    for block, s in zip(blocks, sentences, strict=True):
        rows = [line.split("\t") for line in block.split("\n")]
        assert [r[0] for r in rows] == [t.text for t in s.tokens]
        assert [r[1] for r in rows] == assembled.layers[s.doc_id].bio[s.id]


def test_cassis_loads_every_xmi_with_its_type_system(exported, documents):
    ts = load_typesystem(exported["xmi"] / "TypeSystem.xml")
    for doc in documents:
        cas = load_cas_from_xmi(exported["xmi"] / f"{doc.doc_id}.xmi", typesystem=ts)
        assert cas.sofa_string == doc.text
        entities = list(cas.select(xmi.NAMED_ENTITY))
        assert [(e.begin, e.end, e.value, e.identifier) for e in entities] == sorted(
            (m.span.start, m.span.end, m.type, m.entity) for m in doc.mentions)
        assert all(e.get_covered_text() == doc.text[e.begin:e.end] for e in entities)
        relations = list(cas.select(xmi.QUOTATION_RELATION))
        assert len(relations) == sum(len(q.content) + (q.speaker is not None)
                                     for q in doc.quotes)
        assert all(r.Governor.role == "cue" and r.Dependent.role == r.role for r in relations)
        # INCEpTION draws a relation over its dependent
        assert all((r.begin, r.end) == (r.Dependent.begin, r.Dependent.end) for r in relations)
        assert len(list(cas.select(xmi.TOKEN))) == sum(len(s.tokens) for s in doc.sentences)


def test_brat_files_parse_strictly(exported, documents):
    conf = (exported["brat"] / "annotation.conf").read_text("utf-8")
    assert "[entities]" in conf and "HasContent\tArg1:Cue, Arg2:Content" in conf
    for doc in documents:
        raw = (exported["brat"] / f"{doc.doc_id}.txt").read_text("utf-8")
        assert raw == doc.raw_text
        parsed = parse_ann((exported["brat"] / f"{doc.doc_id}.ann").read_text("utf-8"), raw)
        assert parsed.problems == []
        spans = list(parsed.spans.values())
        assert len(spans) == len(doc.mentions) + sum(
            1 + (q.speaker is not None) + len(q.content) for q in doc.quotes)


def test_every_export_states_its_text_and_offset_unit(exported):
    for fmt, folder in exported.items():
        readme = (folder / "README.md").read_text("utf-8")
        assert "- Text: " in readme and "- Offsets: Unicode code points" in readme, fmt
    assert "# offset_unit = " in (exported["conllu"] / "train.conllu").read_text("utf-8")
    assert 'offsetUnit="Unicode code points' in next(exported["xmi"].glob("0*.xmi")).read_text()


def test_export_bytes_are_deterministic(documents, exported):
    for fmt, folder in exported.items():
        again = export_files(fmt, documents, SPLITS)
        assert {p.name: p.read_text("utf-8") for p in folder.iterdir()} == again, fmt


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xmi", "brat"])
@pytest.mark.parametrize("gold", GOLD, ids=lambda p: p.stem)
def test_round_trip_gives_the_gold_file_back_exactly(fmt, gold, exported, assembled):
    path = exported[fmt] / f"{gold.stem}.{'xmi' if fmt == 'xmi' else 'ann'}"
    ann = import_annotation(fmt, path, assembled)
    assert ann == json.loads(gold.read_text(encoding="utf-8"))
    assert annotation_bytes(ann) == gold.read_bytes()


def test_xmi_round_trip_holds_without_the_raw_offset_hints(exported, assembled, tmp_path):
    """The alignment alone maps every gold span back: the hints only guard moved spans."""
    folder = tmp_path / "xmi"
    folder.mkdir()
    (folder / "TypeSystem.xml").write_bytes((exported["xmi"] / "TypeSystem.xml").read_bytes())
    for gold in GOLD:
        text = (exported["xmi"] / f"{gold.stem}.xmi").read_text("utf-8")
        stripped = re.sub(r' raw(Begin|End)="\d+"', "", text)
        assert stripped != text
        (folder / f"{gold.stem}.xmi").write_text(stripped, encoding="utf-8")
        ann = import_annotation("xmi", folder / f"{gold.stem}.xmi", assembled)
        assert annotation_bytes(ann) == gold.read_bytes()


def _diff(a, b, where=""):
    """Every JSON pointer at which two parsed JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _diff(a.get(k), b.get(k),
                                                                 f"{where}/{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for k, (x, y) in enumerate(zip(a, b, strict=True))
                for d in _diff(x, y, f"{where}/{k}")]
    return [] if a == b else [where]


DOC = "000_706e7e5b40e8e13d"


def test_an_edit_in_inception_comes_back_as_that_edit_only(exported, assembled, tmp_path):
    """Move mention m1 («رئیسی») one token right onto «رئیس» and change q1's speaker."""
    gold = json.loads(gold_of(DOC))
    folder = tmp_path / "xmi"
    folder.mkdir()
    (folder / "TypeSystem.xml").write_bytes((exported["xmi"] / "TypeSystem.xml").read_bytes())
    ts = load_typesystem(folder / "TypeSystem.xml")
    cas = load_cas_from_xmi(exported["xmi"] / f"{DOC}.xmi", typesystem=ts)
    m1 = next(e for e in cas.select(xmi.NAMED_ENTITY) if e.sokhanId == "m1")
    tokens = [t for t in cas.select(xmi.TOKEN) if t.begin > m1.begin]
    m1.begin, m1.end = tokens[0].begin, tokens[0].end  # the next token, as a user drags it
    m1.value, m1.identifier = "ORG", "kremlin"
    q1 = next(c for c in cas.select(xmi.QUOTATION) if c.quoteId == "q1")
    q1.speakerEntity = "vladimir-putin"
    (folder / f"{DOC}.xmi").write_text(cas.to_xmi(), encoding="utf-8")

    ann = import_annotation("xmi", folder / f"{DOC}.xmi", assembled)
    raw = assembled.docs[0].raw_text
    start = raw.index("رئیس", gold["mentions"][0]["end"])
    assert _diff(gold, ann) == ["/mentions/0/end", "/mentions/0/entity", "/mentions/0/start",
                                "/mentions/0/text", "/mentions/0/type",
                                "/quotes/0/speaker_entity"]
    assert ann["mentions"][0] == {"id": "m1", "start": start, "end": start + 4, "text": "رئیس",
                                  "type": "ORG", "entity": "kremlin"}
    assert ann["quotes"][0]["speaker_entity"] == "vladimir-putin"


def test_an_edit_in_brat_comes_back_as_that_edit_only(exported, assembled, tmp_path):
    """Shrink q1's content by its first word and give it another speaker."""
    gold = json.loads(gold_of(DOC))
    folder = tmp_path / "brat"
    folder.mkdir()
    for name in (f"{DOC}.txt", "sokhan.json"):
        (folder / name).write_bytes((exported["brat"] / name).read_bytes())
    ann_text = (exported["brat"] / f"{DOC}.ann").read_text("utf-8")
    content = gold["quotes"][0]["content"][0]
    first_word = content["text"].split(" ")[0]
    old = f"Content {content['start']} {content['end']}\t{content['text']}"
    new_start = content["start"] + len(first_word) + 1
    new = f"Content {new_start} {content['end']}\t{content['text'][len(first_word) + 1:]}"
    assert ann_text.count(old) == 1
    cue = re.search(r"A\d+\tQuote (T\d+) q1\n", ann_text).group(1)
    speaker = f"Reference {cue} speaker:{gold['quotes'][0]['speaker_entity']}"
    edited = ann_text.replace(old, new).replace(speaker, f"Reference {cue} speaker:vladimir-putin")
    (folder / f"{DOC}.ann").write_text(edited, encoding="utf-8")

    ann = import_annotation("brat", folder / f"{DOC}.ann", assembled)
    assert _diff(gold, ann) == ["/quotes/0/content/0/start", "/quotes/0/content/0/text",
                                "/quotes/0/speaker_entity"]
    assert ann["quotes"][0]["content"][0]["start"] == new_start


def test_an_entity_not_in_the_registry_is_refused_on_import(exported, assembled, tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    for name in (f"{DOC}.txt", "sokhan.json"):
        (folder / name).write_bytes((exported["brat"] / name).read_bytes())
    ann_text = (exported["brat"] / f"{DOC}.ann").read_text("utf-8")
    (folder / f"{DOC}.ann").write_text(ann_text.replace("registry:ebrahim-raisi",
                                                        "registry:no-such-person", 1), "utf-8")
    with pytest.raises(BuildError) as err:
        import_annotation("brat", folder / f"{DOC}.ann", assembled)
    assert {i.check for i in err.value.incidents} == {"unknown-entity"}
    assert err.value.incidents[0].where == "/mentions/0/entity"


def test_a_brat_span_that_lands_inside_a_token_is_refused(exported, assembled, tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    for name in (f"{DOC}.txt", "sokhan.json"):
        (folder / name).write_bytes((exported["brat"] / name).read_bytes())
    ann_text = (exported["brat"] / f"{DOC}.ann").read_text("utf-8")
    (folder / f"{DOC}.ann").write_text(ann_text.replace("T1\tPERSON 9 14\tرئیسی",
                                                        "T1\tPERSON 9 13\tرئیس", 1), "utf-8")
    with pytest.raises(BuildError) as err:
        import_annotation("brat", folder / f"{DOC}.ann", assembled)
    assert {i.check for i in err.value.incidents} == {"span-token"}


# --- the command line ---------------------------------------------------------------------


@pytest.mark.slow
def test_command_line_exports_and_imports_back(tmp_path, capsys):
    args = ["--seeds", str(SEEDS), "--annotations", str(ANNOTATIONS)]
    assert main(["export", "--format", "xmi", "--out", str(tmp_path / "x"), *args]) == 0
    out = tmp_path / "back" / f"{DOC}.json"
    assert main(["import", "--format", "xmi", str(tmp_path / "x" / f"{DOC}.xmi"),
                 "--out", str(out), *args]) == 0
    assert out.read_bytes() == gold_of(DOC)
    assert "exported 5 articles as xmi" in capsys.readouterr().out


@pytest.mark.slow
def test_bad_xml_exits_1_without_a_traceback(tmp_path, capsys, exported):
    bad = tmp_path / f"{DOC}.xmi"
    bad.write_text("<xmi:XMI><unclosed>", encoding="utf-8")
    (tmp_path / "TypeSystem.xml").write_bytes((exported["xmi"] / "TypeSystem.xml").read_bytes())
    status = main(["import", "--format", "xmi", str(bad), "--out", str(tmp_path / "o.json"),
                   "--seeds", str(SEEDS), "--annotations", str(ANNOTATIONS)])
    err = capsys.readouterr().err
    assert status == 1 and "[import-xml]" in err and "Traceback" not in err
    assert not (tmp_path / "o.json").exists()


def test_import_refuses_to_write_over_a_gold_file(tmp_path, capsys, exported):
    gold = tmp_path / "annotations"
    gold.mkdir()
    for p in ANNOTATIONS.glob("*.json"):
        (gold / p.name).write_bytes(p.read_bytes())
    status = main(["import", "--format", "xmi", str(exported["xmi"] / f"{DOC}.xmi"),
                   "--out", str(gold / f"{DOC}.json"), "--seeds", str(SEEDS),
                   "--annotations", str(gold)])
    assert status == 1 and "[output-unsafe]" in capsys.readouterr().err
    assert (gold / f"{DOC}.json").read_bytes() == gold_of(DOC)


@pytest.mark.slow
def test_export_replaces_its_own_files_and_keeps_the_others(tmp_path, capsys):
    out = tmp_path / "brat"
    out.mkdir()
    (out / "notes.md").write_text("mine", encoding="utf-8")
    (out / f"{DOC}.ann").write_text("stale", encoding="utf-8")
    args = ["export", "--format", "brat", "--out", str(out), "--seeds", str(SEEDS),
            "--annotations", str(ANNOTATIONS)]
    assert main(args) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first["notes.md"] == b"mine" and first[f"{DOC}.ann"] != b"stale"
    assert main(args) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert not list(tmp_path.glob(".brat.*"))  # no staging folder left behind


# --- fuzzing the readers ------------------------------------------------------------------

@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """The mini corpus, assembled, with its brat and XMI exports."""
    corpus = assemble(MINI / "seeds", MINI / "annotations")
    gold = json.loads((MINI / "annotations" / "mini_001.json").read_text("utf-8"))
    docs = exchange_documents(corpus, {"mini_001": gold})
    root = tmp_path_factory.mktemp("mini-exports")
    for fmt in ("brat", "xmi"):
        for rel, text in export_files(fmt, docs, SPLITS).items():
            (root / fmt).mkdir(exist_ok=True)
            (root / fmt / rel).write_text(text, encoding="utf-8")
    return corpus, root


#: Edits a person or a tool might make to an export: a character lost, added or replaced.
_EDIT = st.tuples(st.sampled_from(["delete", "insert", "replace"]), st.floats(0, 1),
                  st.sampled_from([*"0123456789 \t\n:;<>\"'=/TRAN#qm-", "پوتین", "T99"]))


def _mutate(text: str, edits) -> str:
    for op, where, piece in edits:
        k = int(where * len(text))
        if op == "delete":
            text = text[:k] + text[k + 1:]
        elif op == "insert":
            text = text[:k] + piece + text[k:]
        else:
            text = text[:k] + piece + text[k + len(piece):]
    return text


@pytest.mark.fuzz
@pytest.mark.parametrize("fmt", ["brat", "xmi"])
def test_a_mangled_export_is_imported_or_refused_never_crashes(fmt, mini, tmp_path_factory):
    corpus, root = mini
    name = "mini_001.ann" if fmt == "brat" else "mini_001.xmi"
    original = (root / fmt / name).read_text("utf-8")
    work = tmp_path_factory.mktemp(f"fuzz-{fmt}")
    for other in (root / fmt).iterdir():
        (work / other.name).write_bytes(other.read_bytes())

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(edits=st.lists(_EDIT, min_size=1, max_size=4))
    def run(edits):
        (work / name).write_text(_mutate(original, edits), encoding="utf-8")
        try:
            ann = import_annotation(fmt, work / name, corpus)
        except BuildError as err:
            assert err.incidents  # refused, with the reasons
        else:
            assert ann["doc_id"] == "mini_001"  # an edit that still makes a valid file

    run()


@pytest.mark.parametrize("out", ["", "seeds"])
def test_export_refuses_a_dangerous_out(out, capsys):
    status = main(["export", "--format", "iob2", "--out", out and str(SEEDS), "--seeds",
                   str(SEEDS), "--annotations", str(ANNOTATIONS)])
    assert status == 1 and "[output-unsafe]" in capsys.readouterr().err


def test_an_xmi_file_as_inception_exports_it_is_imported(exported, assembled, tmp_path):
    """INCEpTION keeps only layers (the provenance is gone) and names the document by file."""
    folder = tmp_path / "inception"
    folder.mkdir()
    (folder / "TypeSystem.xml").write_bytes((exported["xmi"] / "TypeSystem.xml").read_bytes())
    text = (exported["xmi"] / f"{DOC}.xmi").read_text("utf-8")
    info = re.search(r'\s*<type0:ExportInfo xmi:id="(\d+)"[^>]*/>', text)
    text = text.replace(info.group(0), "")
    text = re.sub(r'(members="[^"]*)', lambda m: re.sub(rf"\b{info.group(1)} ", "", m.group(1)),
                  text)
    text = text.replace(f'documentId="{DOC}"', f'documentId="{DOC}.xmi"')
    (folder / "upload.xmi").write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as err:
        import_annotation("xmi", folder / "upload.xmi", assembled)
    assert {i.check for i in err.value.incidents} == {"import-document"}
    ann = import_annotation("xmi", folder / "upload.xmi", assembled, annotator="adjudicated")
    assert annotation_bytes(ann) == gold_of(DOC)
