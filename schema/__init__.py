"""The JSON Schemas, installed as package data ``sokhan.schemas`` (see pyproject.toml).

This file only makes the folder importable, so that an editable install finds it too.
"""
