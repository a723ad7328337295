"""Sokhan: a Persian news corpus on Iran–Russia presidential meetings.

The build is a pipeline of pure stages, one module each:
``seeds`` (read and verify) → ``normalise`` (hazm + ZWNJ repair, with ``alignment``)
→ ``segment`` → ``tokenise`` → ``attach`` (annotations) → ``validate`` → ``publish``.
``build`` wires them together and ``cli`` is the command line.
"""

__version__ = "0.1.0"
RELEASE_DATE = "2026-11-22"
