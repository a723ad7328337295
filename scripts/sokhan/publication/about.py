"""What the corpus is called and how it is cited: read by the card, Croissant and the tests.

``CITATION.cff`` states the same title and key; ``tests/test_licences.py`` checks it.
"""

from __future__ import annotations

from sokhan import RELEASE_DATE, __version__

TITLE = (
    "Sokhan: A Persian News Corpus of Iran–Russia Presidential Meetings "
    "Annotated with Entities and Quotations"
)
CITATION_KEY = "sokhan2026"
AUTHOR = "Sokhan developers"
DESCRIPTION = (
    "Persian news articles about the meetings of the presidents of Iran and Russia, annotated "
    "with OntoNotes-5 entity mentions linked to an entity registry and with quotations "
    "(speaker, cue, content; direct, indirect or mixed). Every record keeps its raw and "
    "normalised text and offsets."
)
CITATION = (
    f"@misc{{{CITATION_KEY}, title = {{{TITLE}}}, author = {{{{{AUTHOR}}}}}, "
    f"year = {{{RELEASE_DATE[:4]}}}, version = {{{__version__}}}}}"
)


def bibtex() -> str:
    """The card's BibTeX entry, one field per line."""
    return "\n".join([
        f"@misc{{{CITATION_KEY},",
        f"  title   = {{{TITLE}}},",
        f'  author  = "{{{AUTHOR}}}",',
        f"  year    = {{{RELEASE_DATE[:4]}}},",
        f'  version = "{__version__}",',
        "  note    = {Dataset. Annotations licensed CC BY 4.0, code MIT; the article texts "
        "remain the property of their outlets and are included for non-commercial research "
        "only}",
        "}",
    ])
