"""The pre-annotator: proposes entity mentions and quotations for a raw article.

One module per concern: :mod:`text` (the article as tokens), :mod:`lexicon`
(word lists from the guidelines), :mod:`gazetteer` (registry names),
:mod:`numbers` (dates, times and numbers), :mod:`names` (the CRF for names the
registry lacks), :mod:`quotes` (quotations) and :mod:`draft` (the draft file).
"""

#: Written into every draft's ``draft.version``; bump when proposals change.
VERSION = "0.1.0"
