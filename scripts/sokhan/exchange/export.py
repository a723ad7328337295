"""The files of one export folder, by format: the exporters' output plus a README.

Pure: records in, ``{relative path: text}`` out; the command line writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sokhan.exchange.brat import brat_files
from sokhan.exchange.conllu import conllu_files
from sokhan.exchange.iob2 import iob2_files
from sokhan.exchange.model import OFFSET_UNIT, ExchangeDocument
from sokhan.exchange.xmi import xmi_files

FORMATS = ("conllu", "iob2", "brat", "xmi")

_ABOUT = {
    "conllu": (
        "CoNLL-U, one file per split (`train.conllu`, `validation.conllu`, `test.conllu`), "
        "written and readable with the `conllu` package.",
        "normalised: FORM, `# text` and `TokenRange` (offsets into the normalised article); "
        "the original is kept in `# raw_text` and `RawRange` (offsets into the raw article)",
        "MISC: `TokenRange`, `RawRange`, `NE` (BIO entity tag), `Entity` (registry id), `Quote` "
        "(comma-separated `B-|I-` + `CUE`, `SOURCE` or `CONTENT` + `:` + quotation id) and "
        "`SpaceAfter=No`. Comments: `newdoc id`, `sent_id`, `text`, `raw_text`, `role`, "
        "`repeat_of`.",
    ),
    "iob2": (
        "IOB2, one file per split (`train.tsv`, …): `token<TAB>tag`, a blank line after each "
        "sentence, as CoNLL-2003-style NER training scripts read.",
        "normalised tokens of the corpus",
        "Tags are `O`, `B-TYPE`, `I-TYPE` over the 18 OntoNotes types.",
    ),
    "brat": (
        "brat standoff: `<doc_id>.txt` and `<doc_id>.ann` per article, `annotation.conf`, and "
        "`sokhan.json` (the annotator of each file, read back by `sokhan import`).",
        "raw: the `.txt` is the article byte for byte, as brat standoff points into the "
        "original document (and so do Sokhan's gold files)",
        "T lines: mentions (`T<n>` is mention `m<n>`) and `Cue`, `Source`, `Content` spans; R "
        "lines `HasSource`, `HasContent`, `NestedIn`; A lines `Quote`, `Form`, `SpeakerKind` on "
        "cues; N lines `registry:`, `speaker:`, `addressee:` + registry id; `#` AnnotatorNotes "
        "for notes. Import: `sokhan import --format brat DIR/<doc_id>.ann --out FILE.json`.",
    ),
    "xmi": (
        "UIMA CAS XMI for INCEpTION: `<doc_id>.xmi` per article and `TypeSystem.xml`, written "
        "with `dkpro-cassis`.",
        "normalised (the sofa); every span also has `rawBegin`/`rawEnd` in the raw article",
        "DKPro Core `DocumentMetaData`, `Sentence`, `Token`, `NamedEntity` (`value` = type, "
        "`identifier` = registry id); the span layer `webanno.custom.Quotation` (`role` cue, "
        "speaker or content; the cue carries the quotation id, form, speaker kind, "
        "speaker/addressee entity, parent and note) and the relation layer "
        "`webanno.custom.QuotationRelation` (Governor = cue, Dependent = speaker or content "
        "span, `role`). Every span also has `rawBegin`/`rawEnd`. The file stores UTF-16 code "
        "units, as UIMA does; the articles have no character outside the BMP, so they equal "
        "code points. Import: "
        "`sokhan import --format xmi DIR/<doc_id>.xmi --out FILE.json`.\n\n"
        "In INCEpTION: define the layers and features above in the project before importing "
        "(INCEpTION keeps only what its project defines), including `sokhanId`, `note`, "
        "`rawBegin` and `rawEnd` on Named Entity; without `sokhanId` the import numbers "
        "mentions afresh, without the raw offsets it maps spans through the alignment (exact "
        "for every gold span). INCEpTION drops the `sokhan.type.ExportInfo` provenance: give "
        "`--annotator` when importing its export.",
    ),
}


def readme(fmt: str, docs: Sequence[ExchangeDocument]) -> str:
    """The README of an export folder: what it holds, its text and its offset unit."""
    what, text, layout = _ABOUT[fmt]
    return (f"# Sokhan export: {fmt}\n\n{what}\n\n"
            f"- Articles: {len(docs)} ({', '.join(d.doc_id for d in docs)})\n"
            f"- Text: {text}\n- Offsets: {OFFSET_UNIT}\n\n{layout}\n\n"
            "Written by `sokhan export`; the gold annotations are `corpus/annotations/`.\n")


def export_files(fmt: str, docs: Sequence[ExchangeDocument],
                 splits: Sequence[str]) -> dict[str, str]:
    """Every file of a ``fmt`` export of ``docs``."""
    if fmt == "conllu":
        files = conllu_files(docs, splits)
    elif fmt == "iob2":
        files = iob2_files(docs, splits)
    elif fmt == "brat":
        files = brat_files(docs)
    elif fmt == "xmi":
        files = xmi_files(docs)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return {"README.md": readme(fmt, docs), **files}
