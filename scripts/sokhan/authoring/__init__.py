"""Authoring: add an article, review a draft with anchors, accept it as gold, release.

One module per concern: ``metadata`` (what the text says about itself), ``add``
(``sokhan add``), ``anchors`` (offsets and copied-string anchors), ``accept``
(``sokhan validate --draft`` and ``sokhan accept``), ``sentences``
(``sokhan draft-sentences``) and ``release`` (``sokhan release``).
"""
