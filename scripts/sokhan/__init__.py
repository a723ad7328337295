"""Sokhan: a Persian news corpus on Iran–Russia presidential meetings.

The build reads top-down: ``stages`` (seeds → normalise → segment → tokenise → attach)
make typed records, ``checks`` report every problem as an incident, ``publication``
turns records into rows, Parquet, the card and metadata, and ``evaluation`` measures
what the card reports. ``build`` wires them together and ``cli`` is the command line.
"""

from importlib.metadata import version

#: The version has one source, pyproject.toml; CITATION.cff is checked against it.
__version__ = version("sokhan")
#: The release date (ISO 8601): the card, Croissant and CITATION.cff (checked by a test).
RELEASE_DATE = "2026-11-22"
