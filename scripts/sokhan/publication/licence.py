"""The corpus's licence terms, stated once: the card, Croissant and ``LICENSE.md`` read them here.

Three parts have three different terms: the annotations (CC BY 4.0), the code
(MIT, the repository's ``LICENSE``) and the article texts, which are not Sokhan's to
license. ``tests/test_licences.py`` checks that the card, Croissant, CITATION.cff and
pyproject say the same.
"""

from __future__ import annotations

from importlib.resources import files

ANNOTATIONS_SPDX = "CC-BY-4.0"
ANNOTATIONS_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CODE_SPDX = "MIT"
#: The Hub's ``license_name`` for the combined terms (the Hub asks for lowercase and dashes).
HUB_LICENSE_NAME = "cc-by-4.0-annotations-texts-by-their-outlets"
#: The licence file published in the corpus folder (the card's ``license_link``).
LICENCE_FILE = "LICENSE.md"
TEXTS_STATEMENT = (
    "The article texts belong to their outlets. Sokhan redistributes them for "
    "non-commercial research only; the CC BY 4.0 licence of the annotations does not "
    "extend to them, and Sokhan grants no rights in them."
)


def licence_file() -> str:
    """``LICENSE.md`` of the corpus: the three parts, then the CC BY 4.0 legal code."""
    # The legal code is the SPDX licence list's text (spdx-license-list 6.12.0).
    legal = files("sokhan").joinpath("data/CC-BY-4.0.txt").read_text(encoding="utf-8")
    return "\n".join([
        "# Licences of the Sokhan corpus",
        "",
        f"- **Annotations** (entity mentions, the entity registry, quotations, sentence roles, "
        f"tags and all other work of the Sokhan developers): Creative Commons Attribution 4.0 "
        f"International (`{ANNOTATIONS_SPDX}`, {ANNOTATIONS_LICENCE_URL}); the legal code "
        "follows below.",
        f"- **Code** (the `sokhan` package that builds this folder): the MIT licence "
        f"(`{CODE_SPDX}`), in the `LICENSE` file of the source repository.",
        f"- **Article texts**: {TEXTS_STATEMENT}",
        "",
        "---",
        "",
        legal,
    ])
