"""Croissant metadata (``corpus/croissant.json``) for the published Parquet.

Croissant (MLCommons) is the JSON-LD vocabulary dataset search engines and ML
loaders read. Every published column is a field (lists are ``repeated``, structs
have ``subField``s), every class label references a record set of its names, the
splits are a split record set, and the Responsible-AI properties quote the
dataset card. ``mlcroissant`` validates the file and loads every record set in the
test suite, and the loaded values are compared with the Parquet.
"""

from __future__ import annotations

import re

from sokhan import RELEASE_DATE, __version__
from sokhan.publication.about import AUTHOR, CITATION, DESCRIPTION
from sokhan.publication.columns import COLUMNS, CONFIGS, Column, Label, Scalar, Sequence, Struct
from sokhan.publication.licence import ANNOTATIONS_LICENCE_URL, TEXTS_STATEMENT
from sokhan.records import SPLITS

#: The standard Croissant 1.0 JSON-LD context.
CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs",
    "column": "cr:column", "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
    "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform", "samplingRate": "cr:samplingRate",
    "equivalentProperty": "cr:equivalentProperty",
}

_DATA_TYPES = {"string": "sc:Text", "int32": "sc:Integer", "int64": "sc:Integer",
               "bool": "sc:Boolean"}

#: Responsible-AI property -> the dataset-card sections it quotes.
RAI_SECTIONS = {
    "rai:dataCollection": ("Initial Data Collection and Normalization",),
    "rai:dataAnnotationProtocol": ("Annotation process",),
    "rai:dataAnnotationPlatform": ("Who are the annotators?",),
    "rai:dataBiases": ("Discussion of Biases",),
    "rai:dataLimitations": ("Other Known Limitations",),
    "rai:personalSensitiveInformation": ("Personal and Sensitive Information",),
    "rai:dataUseCases": ("Direct Use", "Out-of-Scope Use"),
    "rai:dataSocialImpact": ("Social Impact of Dataset",),
    "rai:dataReleaseMaintenancePlan": ("Maintenance",),
}


def labels_record_set(column: Column) -> str:
    """The id of the record set holding a label column's names."""
    return f"labels-{column.name}"


def _label_record_sets() -> list[dict]:
    seen: dict[str, tuple[str, ...]] = {}
    for config in CONFIGS:
        for column in COLUMNS[config]:
            if column.label is not None:
                seen.setdefault(labels_record_set(column), column.label.names)
    return [
        {
            "@type": "cr:RecordSet", "@id": rid, "name": rid, "dataType": "sc:Enumeration",
            "description": f"The class-label names of `{rid.removeprefix('labels-')}`, by id.",
            "key": {"@id": f"{rid}/id"},
            "field": [
                {"@type": "cr:Field", "@id": f"{rid}/id", "name": f"{rid}/id",
                 "dataType": "sc:Integer"},
                {"@type": "cr:Field", "@id": f"{rid}/name", "name": f"{rid}/name",
                 "dataType": "sc:Text"},
            ],
            "data": [{f"{rid}/id": i, f"{rid}/name": n} for i, n in enumerate(names)],
        }
        for rid, names in seen.items()
    ]


def _field(config: str, column: Column, path: str, source: dict) -> dict:
    fid = f"{path}/{column.name}"
    field: dict = {"@type": "cr:Field", "@id": fid, "name": fid,
                   "description": column.description.replace("`", "")}
    kind = column.type.item if isinstance(column.type, Sequence) else column.type
    if isinstance(column.type, Sequence):
        field["repeated"] = True
    if isinstance(kind, Struct):
        field["subField"] = [
            _field(config, sub, fid,
                   {**source, "transform": {"jsonPath": sub.name}})
            for sub in kind.fields
        ]
    else:
        field["dataType"] = "sc:Integer" if isinstance(kind, Label) else _DATA_TYPES[
            kind.dtype if isinstance(kind, Scalar) else "string"]
        field["source"] = source
    if isinstance(kind, Label):
        field["references"] = {"field": {"@id": f"{labels_record_set(column)}/id"}}
    if column.name == "split":
        field["references"] = {"field": {"@id": "splits/name"}}
    return field


def card_section(card: str, heading: str) -> str:
    """The prose of one section of the rendered card: paragraphs and lists, no tables or code.

    Raises:
        KeyError: when the card has no such heading.
    """
    match = re.search(rf"^#+ {re.escape(heading)}\n(.*?)(?=^#+ |\Z)", card, re.M | re.S)
    if match is None:
        raise KeyError(heading)
    body = re.sub(r"```.*?```", "", match.group(1), flags=re.S)
    lines = [ln for ln in body.split("\n") if not ln.startswith("|")]
    text = "\n".join(lines)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # links: keep their words
    return re.sub(r"\n{3,}", "\n\n", text.replace("**", "").replace("`", "")).strip()


def rai_properties(card: str) -> dict[str, str]:
    """The Responsible-AI properties quoting the card's sections.

    A card made from another template may lack some of the sections; their
    properties are left out (the repository's card has them all, as a test checks).
    """
    out = {}
    for key, headings in RAI_SECTIONS.items():
        found = [h for h in headings if re.search(rf"^#+ {re.escape(h)}$", card, re.M)]
        if found:
            out[key] = "\n\n".join(card_section(card, h) for h in found)
    return out


def croissant(files: dict[str, str], card: str) -> dict:
    """The Croissant document for the published files.

    Args:
        files: sha256 of every published Parquet file, by path relative to the corpus folder.
        card: the rendered dataset card, which the Responsible-AI properties quote.
    """
    distribution = [
        {"@type": "cr:FileObject", "@id": path, "name": path, "contentUrl": path,
         "encodingFormat": "application/x-parquet", "sha256": digest}
        for path, digest in sorted(files.items())
    ]
    distribution += [
        {"@type": "cr:FileSet", "@id": f"{config}-files", "name": f"{config}-files",
         "encodingFormat": "application/x-parquet", "includes": f"data/{config}/*.parquet"}
        for config in CONFIGS
    ]
    record_sets: list[dict] = [{
        "@type": "cr:RecordSet", "@id": "splits", "name": "splits", "dataType": "cr:Split",
        "description": "The splits: by event and time (see the dataset card).",
        "key": {"@id": "splits/name"},
        "field": [{"@type": "cr:Field", "@id": "splits/name", "name": "splits/name",
                   "dataType": "sc:Text"}],
        "data": [{"splits/name": s} for s in SPLITS],
    }]
    record_sets += _label_record_sets()
    for config in CONFIGS:
        record_sets.append({
            "@type": "cr:RecordSet", "@id": config, "name": config,
            "description": f"The `{config}` config: one record per row of its Parquet files.",
            "field": [
                _field(config, column, config,
                       {"fileSet": {"@id": f"{config}-files"}, "extract": {"column": column.name}})
                for column in COLUMNS[config]
            ],
        })
    rai = rai_properties(card)
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "Sokhan",
        "description": DESCRIPTION,
        "license": ANNOTATIONS_LICENCE_URL,
        "copyrightNotice": TEXTS_STATEMENT,
        # No public address yet: a URN names the dataset without inventing a host.
        "url": "urn:sokhan:dataset",
        "version": __version__,
        "datePublished": RELEASE_DATE,
        "inLanguage": "fa",
        "citeAs": CITATION,
        "creator": {"@type": "sc:Organization", "name": AUTHOR},
        "keywords": ["Persian", "named entity recognition", "entity linking",
                     "quotation attribution", "news"],
        **rai,
        "distribution": distribution,
        "recordSet": record_sets,
    }
