"""The annotation browser: a static, self-contained site of the corpus (``sokhan browse``).

:mod:`sokhan.browse.view` picks what the pages show from a build's in-memory
corpus (or from a draft annotation file), :mod:`sokhan.browse.markup` turns
overlapping standoff spans into well-formed nested HTML, and
:mod:`sokhan.browse.pages` renders every page to bytes. All three are pure;
:mod:`sokhan.browse.output` is the only module that writes.
"""
