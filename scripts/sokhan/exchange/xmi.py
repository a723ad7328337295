"""UIMA CAS XMI export (one ``.xmi`` per article and ``TypeSystem.xml``) with ``dkpro-cassis``.

Laid out as INCEpTION's "UIMA CAS XMI" import expects: the sofa is the
normalised article (what the corpus publishes: ZWNJs restored, Persian letters
and digits), DKPro Core types for the document id, sentences, tokens and named
entities (``NamedEntity.value`` the OntoNotes type, ``identifier`` the registry
id), and two ``webanno.custom.*`` layers for quotations: the span layer
``Quotation``, whose ``role`` is ``cue``, ``speaker`` or ``content`` (a cue also
carries the quotation's id, form, speaker kind, speaker and addressee entity,
parent and note), and the relation layer ``QuotationRelation`` from a cue
(``Governor``) to its speaker or content span (``Dependent``; ``role`` says
which), spanning its dependent as INCEpTION draws it. One span layer, not three,
because INCEpTION takes a type as a relation layer only when ``Governor`` and
``Dependent`` have the same range (its ``TypeSystemAnalysis``).

Offsets: cassis works in code points and writes UTF-16 code units, as UIMA
does; the articles have no character outside the Basic Multilingual Plane, so
both are the same numbers here. Every span also carries ``rawBegin``/``rawEnd``,
its offsets in the raw article: the import keeps them while the span still sits
where the export put it, and maps a moved span through the build's alignment.
"""

from __future__ import annotations

from functools import cache

from cassis import Cas, TypeSystem

from sokhan import __version__
from sokhan.exchange.model import OFFSET_UNIT, ExchangeDocument
from sokhan.records import Span

DKPRO = "de.tudarmstadt.ukp.dkpro.core.api"
METADATA = f"{DKPRO}.metadata.type.DocumentMetaData"
SENTENCE = f"{DKPRO}.segmentation.type.Sentence"
TOKEN = f"{DKPRO}.segmentation.type.Token"
NAMED_ENTITY = f"{DKPRO}.ner.type.NamedEntity"
QUOTATION = "webanno.custom.Quotation"
QUOTATION_RELATION = "webanno.custom.QuotationRelation"
#: Values of ``Quotation.role``; a relation's ``role`` is that of its dependent.
ROLES = ("cue", "speaker", "content")
#: The quotation's own fields, carried by its cue.
CUE_FEATURES = ("quoteId", "form", "speakerKind", "speakerEntity", "addresseeEntity", "parent",
                "note")
#: Export provenance; not an annotation, so INCEpTION shows nothing for it.
EXPORT_INFO = "sokhan.type.ExportInfo"

_STRING, _INTEGER = "uima.cas.String", "uima.cas.Integer"
_RAW = (("rawBegin", _INTEGER), ("rawEnd", _INTEGER))


@cache
def type_system() -> TypeSystem:
    """The type system of every Sokhan XMI file (written as ``TypeSystem.xml``)."""
    ts = TypeSystem()

    def make(name: str, features, supertype: str = "uima.tcas.Annotation", description=""):
        t = ts.create_type(name, supertypeName=supertype, description=description)
        for feature, range_type in features:
            ts.create_feature(t, feature, range_type)
        return t

    make(METADATA, [("documentTitle", _STRING), ("documentId", _STRING),
                    ("documentUri", _STRING), ("collectionId", _STRING),
                    ("documentBaseUri", _STRING), ("isLastSegment", "uima.cas.Boolean")],
         supertype="uima.tcas.DocumentAnnotation")
    make(SENTENCE, [("id", _STRING)])
    make(TOKEN, [("id", _STRING)])
    make(NAMED_ENTITY, [("value", _STRING), ("identifier", _STRING), ("sokhanId", _STRING),
                        ("note", _STRING), *_RAW],
         description="value: OntoNotes type; identifier: Sokhan registry id")
    make(QUOTATION, [("role", _STRING), *((f, _STRING) for f in CUE_FEATURES), *_RAW],
         description="a span of a quotation: role cue, speaker or content; the cue carries "
                     "the quotation's attributes")
    make(QUOTATION_RELATION, [("Governor", QUOTATION), ("Dependent", QUOTATION),
                              ("role", _STRING)],
         description="from a quotation's cue to its speaker or one of its content spans")
    make(EXPORT_INFO, [("annotator", _STRING), ("text", _STRING), ("offsetUnit", _STRING),
                       ("sokhanVersion", _STRING)], supertype="uima.cas.TOP")
    return ts


def _span(t, span: Span, **features):
    return t(begin=span.start, end=span.end, rawBegin=span.raw_start, rawEnd=span.raw_end,
             **features)


def cas_of(doc: ExchangeDocument) -> Cas:
    """The CAS of one article."""
    ts = type_system()
    cas = Cas(typesystem=ts)
    cas.sofa_string = doc.text
    cas.sofa_mime = "text/plain"
    cas.add(ts.get_type(METADATA)(begin=0, end=len(doc.text), documentId=doc.doc_id,
                                  documentTitle=doc.doc_id, language="fa"))
    cas.add(ts.get_type(EXPORT_INFO)(
        annotator=doc.annotator, text="normalised", offsetUnit=OFFSET_UNIT + " (cassis API; "
        "the XMI file stores UTF-16 code units)", sokhanVersion=__version__))
    sentence_t, token_t = ts.get_type(SENTENCE), ts.get_type(TOKEN)
    for s in doc.sentences:
        cas.add(sentence_t(begin=s.span.start, end=s.span.end, id=s.id))
        for tok in s.tokens:
            cas.add(token_t(begin=tok.start, end=tok.end))
    ne_t = ts.get_type(NAMED_ENTITY)
    for m in doc.mentions:
        cas.add(_span(ne_t, m.span, value=m.type, identifier=m.entity, sokhanId=m.id,
                      note=m.note))
    span_t, relation_t = ts.get_type(QUOTATION), ts.get_type(QUOTATION_RELATION)
    for q in doc.quotes:
        cue = _span(span_t, q.cue, role="cue", quoteId=q.id, form=q.form,
                    speakerKind=q.speaker_kind, speakerEntity=q.speaker_entity,
                    addresseeEntity=q.addressee_entity, parent=q.parent, note=q.note)
        cas.add(cue)
        parts = [("speaker", q.speaker)] if q.speaker is not None else []
        parts += [("content", c) for c in q.content]
        for role, part in parts:
            span = _span(span_t, part, role=role)
            cas.add(span)
            cas.add(relation_t(begin=span.begin, end=span.end, Governor=cue, Dependent=span,
                               role=role))
    return cas


def xmi_files(docs) -> dict[str, str]:
    """``<doc_id>.xmi`` per article and ``TypeSystem.xml``."""
    files = {f"{doc.doc_id}.xmi": cas_of(doc).to_xmi(pretty_print=True) for doc in docs}
    files["TypeSystem.xml"] = type_system().to_xml()
    return files
