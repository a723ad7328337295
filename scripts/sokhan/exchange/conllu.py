"""CoNLL-U export: one file per split, one block per sentence, written with ``conllu``.

FORM is the normalised token; ``# text`` the normalised sentence and
``# raw_text`` the original. MISC carries the token's offsets in the normalised
document (``TokenRange=start:end``) and in the raw article (``RawRange``), the
entity BIO tag (``NE=B-PERSON``), the registry id of the mention
(``Entity=vladimir-putin``) and the quotation roles of the token
(``Quote=B-CONTENT:q1,I-CUE:q2``: cue, source (the speaker span) or content, per
quotation id; ``B`` only on the token where the span begins, so a content span that
runs on from the previous sentence starts its block with ``I``), and
``SpaceAfter=No`` where the text has no space after it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from conllu.models import Metadata, Token, TokenList

from sokhan.exchange.model import OFFSET_UNIT, ExchangeDocument, ExchangeSentence
from sokhan.records import Span

#: The quotation roles in MISC, by the quotation field they come from.
ROLES = {"cue": "CUE", "speaker": "SOURCE", "content": "CONTENT"}
_COLUMNS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")


def _inside(token: Span, span: Span) -> bool:
    return span.start <= token.start and token.end <= span.end


def token_tags(doc: ExchangeDocument, sentence: ExchangeSentence) -> list[dict[str, str]]:
    """Per token of ``sentence``: ``NE``, ``Entity`` and ``Quote`` values (absent when none)."""
    tags: list[dict[str, str]] = [{} for _ in sentence.tokens]
    for m in doc.mentions:
        inside = [k for k, t in enumerate(sentence.tokens) if _inside(t, m.span)]
        for n, k in enumerate(inside):
            tags[k]["NE"] = f"{'I' if n else 'B'}-{m.type}"
            if m.entity is not None:
                tags[k]["Entity"] = m.entity
    roles: dict[int, list[str]] = defaultdict(list)
    for q in doc.quotes:
        parts = [("cue", q.cue)] + ([("speaker", q.speaker)] if q.speaker else [])
        parts += [("content", c) for c in q.content]
        for field, span in parts:
            for k, t in enumerate(sentence.tokens):
                if _inside(t, span):
                    # B only where the span begins: content running on from the
                    # previous sentence continues with I
                    roles[k].append(f"{'B' if t.start == span.start else 'I'}-"
                                    f"{ROLES[field]}:{q.id}")
    for k, values in roles.items():
        tags[k]["Quote"] = ",".join(values)
    return tags


def _block(doc: ExchangeDocument, sentence: ExchangeSentence, first_of_file: bool,
           first_of_doc: bool) -> TokenList:
    meta: dict[str, str | None] = {}
    if first_of_file:
        meta["sokhan_text"] = ("normalised (FORM, text, TokenRange); the original in "
                               "raw_text and RawRange")
        meta["offset_unit"] = OFFSET_UNIT
    if first_of_doc:
        meta["newdoc id"] = doc.doc_id
    meta["sent_id"] = sentence.id
    meta["text"] = sentence.span.text
    meta["raw_text"] = sentence.span.raw_text
    meta["role"] = sentence.role
    if sentence.repeat_of:
        meta["repeat_of"] = sentence.repeat_of
    tags = token_tags(doc, sentence)
    tokens = []
    for k, tok in enumerate(sentence.tokens):
        misc: dict[str, str | None] = {
            "TokenRange": f"{tok.start}:{tok.end}",
            "RawRange": f"{tok.raw_start}:{tok.raw_end}",
            **tags[k],
        }
        following = sentence.tokens[k + 1].start if k + 1 < len(sentence.tokens) else None
        if following == tok.end:
            misc["SpaceAfter"] = "No"
        values = (k + 1, tok.text, None, None, None, None, None, None, None, misc)
        tokens.append(Token(dict(zip(_COLUMNS, values, strict=True))))
    return TokenList(tokens, Metadata(meta))


def conllu_files(docs: Iterable[ExchangeDocument], splits: Iterable[str]) -> dict[str, str]:
    """``{"<split>.conllu": text}`` for every split, sentences in corpus order."""
    by_split: dict[str, list[str]] = {s: [] for s in splits}
    for doc in docs:
        blocks = by_split[doc.split]
        for j, sentence in enumerate(doc.sentences):
            blocks.append(_block(doc, sentence, not blocks, j == 0).serialize())
    return {f"{split}.conllu": "".join(blocks) for split, blocks in by_split.items()}
