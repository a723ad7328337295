from __future__ import annotations

from pathlib import Path

import pytest

from sokhan.checks.incidents import (
    BuildError,
    Incident,
    Unreadable,
    byte_location,
    read_bounded,
    text_location,
)
from sokhan.publication.card import MAX_TEMPLATE_BYTES, read_card_template


def _places(*wheres: str) -> list[str]:
    err = BuildError([Incident("a.json", w, "annotation-schema", "x") for w in wheres])
    return [i.where for i in err.incidents]


def test_incidents_sort_naturally():
    assert _places("/mentions/10", "/mentions/2", "/mentions/1/text") == [
        "/mentions/1/text", "/mentions/2", "/mentions/10"]
    assert _places("line 10 column 1", "line 9 column 12", "line 9 column 2") == [
        "line 9 column 2", "line 9 column 12", "line 10 column 1"]
    # leading zeros and numbers too long for int() still sort
    assert _places("/k/" + "9" * 5000, "/k/010", "/k/9") == ["/k/9", "/k/010", "/k/" + "9" * 5000]


@pytest.mark.parametrize(("text", "offset", "where"), [
    ("abc", 0, "line 1 column 1"),
    ("ab\ncd", 4, "line 2 column 2"),
    ("سلام\nخوب", 6, "line 2 column 2"),  # columns count characters
])
def test_one_line_and_column_helper(text, offset, where):
    assert text_location(text, offset) == where
    data = text.encode()
    assert byte_location(data, len(text[:offset].encode())) == where


def test_bounded_reader_refuses_instead_of_truncating(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 11)
    assert read_bounded(path, 11) == b"x" * 11
    found = read_bounded(path, 10)
    assert isinstance(found, Unreadable) and found.kind == "too-large"
    assert read_bounded(tmp_path, 10) == Unreadable(
        "not-regular", "not a regular file (a folder)")
    assert isinstance(read_bounded(tmp_path / "nope", 10), Unreadable)


def test_card_template_over_the_limit_is_refused_not_cut(tmp_path: Path):
    path = tmp_path / "card.md"
    path.write_text("{{version}}\n" + "x" * MAX_TEMPLATE_BYTES, encoding="utf-8")
    with pytest.raises(BuildError) as err:
        read_card_template(path, {"version"})
    assert [i.check for i in err.value.incidents] == ["card-template"]
    assert "expected at most" in err.value.incidents[0].message
