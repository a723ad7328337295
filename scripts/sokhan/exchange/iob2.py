"""IOB2 export: ``token<TAB>tag`` per line, a blank line after each sentence, one file per split.

Tokens are the normalised tokens of the corpus and tags its entity BIO tags,
the two columns CoNLL-2003-style NER training scripts read.
"""

from __future__ import annotations

from collections.abc import Iterable

from sokhan.exchange.conllu import token_tags
from sokhan.exchange.model import ExchangeDocument


def iob2_files(docs: Iterable[ExchangeDocument], splits: Iterable[str]) -> dict[str, str]:
    """``{"<split>.tsv": text}`` for every split, sentences in corpus order."""
    by_split: dict[str, list[str]] = {s: [] for s in splits}
    for doc in docs:
        for sentence in doc.sentences:
            tags = token_tags(doc, sentence)
            lines = [f"{tok.text}\t{tags[k].get('NE', 'O')}"
                     for k, tok in enumerate(sentence.tokens)]
            by_split[doc.split].append("\n".join(lines) + "\n\n")
    return {f"{split}.tsv": "".join(parts) for split, parts in by_split.items()}
