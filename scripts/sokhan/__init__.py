"""Sokhan: a Persian news corpus on Iran–Russia presidential meetings.

The build reads top-down: ``stages`` (seeds → normalise → segment → tokenise → attach)
make typed records, ``checks`` report every problem as an incident, ``publication``
turns records into rows, Parquet, the card and metadata, and ``evaluation`` measures
what the card reports. ``build`` wires them together and ``cli`` is the command line.
"""

__version__ = "0.1.0"
RELEASE_DATE = "2026-11-22"
