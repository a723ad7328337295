"""Croissant metadata (``corpus/croissant.json``) for the published Parquet.

Croissant (MLCommons) is the JSON-LD vocabulary dataset search engines and ML
loaders read; the record sets mirror the configs and their column types, and the
distribution names every Parquet file with its sha256. ``mlcroissant`` validates
the file and loads records from it in the test suite.
"""

from __future__ import annotations

from sokhan import RELEASE_DATE, __version__
from sokhan.publication.columns import COLUMNS, CONFIGS

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

CITATION = (
    "@misc{sokhan2026, title = {Sokhan: A Persian News Corpus of Iran-Russia Presidential "
    "Meetings Annotated with Entities and Quotations}, author = {{Sokhan developers}}, "
    f"year = {{{RELEASE_DATE[:4]}}}, version = {{{__version__}}}}}"
)


def _scalar_type(feature) -> str | None:
    """The Croissant data type of a scalar column; None for lists and structs."""
    if isinstance(feature, dict) and feature.get("_type") == "Value":
        return _DATA_TYPES[feature["dtype"]]
    if isinstance(feature, dict) and feature.get("_type") == "ClassLabel":
        return "sc:Integer"
    return None


def croissant(files: dict[str, str]) -> dict:
    """The Croissant document for the published files.

    Args:
        files: sha256 of every published Parquet file, by path relative to the corpus folder.
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
    record_sets = []
    for config in CONFIGS:
        fields = []
        for name, feature, _, description in COLUMNS[config]:
            data_type = _scalar_type(feature)
            if data_type is None:
                continue  # lists and structs: described in the dataset card
            fields.append({
                "@type": "cr:Field", "@id": f"{config}/{name}", "name": f"{config}/{name}",
                "description": description.replace("`", ""), "dataType": data_type,
                "source": {"fileSet": {"@id": f"{config}-files"}, "extract": {"column": name}},
            })
        record_sets.append({
            "@type": "cr:RecordSet", "@id": config, "name": config,
            "description": f"The `{config}` config (its scalar columns; see the dataset card "
                           "for list and struct columns).",
            "field": fields,
        })
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "Sokhan",
        "description": (
            "A Persian news corpus about the meetings of the presidents of Iran and Russia, "
            "annotated with OntoNotes-5 entity mentions linked to an entity registry and with "
            "quotations (speaker, cue, content; direct, indirect or mixed). Every record keeps "
            "its raw and normalised text and offsets."
        ),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        # No public address yet: a URN names the dataset without inventing a host.
        "url": "urn:sokhan:dataset",
        "version": __version__,
        "datePublished": RELEASE_DATE,
        "inLanguage": "fa",
        "citeAs": CITATION,
        "creator": {"@type": "sc:Organization", "name": "Sokhan developers"},
        "keywords": ["Persian", "named entity recognition", "entity linking",
                     "quotation attribution", "news"],
        "distribution": distribution,
        "recordSet": record_sets,
    }
