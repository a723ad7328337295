"""Reading JSON inputs safely: bounded size and depth, strict numbers, no repeated keys.

Every failure is an incident with a line and column or a JSON pointer, never an
exception, so seeds' manifest, annotation files and the registry follow one set
of rules.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sokhan.checks.incidents import (
    Incident,
    Unreadable,
    byte_location,
    clip,
    read_bounded,
    shown_path,
    text_location,
)

#: JSON inputs larger than this are refused unread: they are parsed whole in memory.
#: The largest real annotation file is about 60 KB.
MAX_JSON_BYTES = 16 * 1024 * 1024


def pointer(parts: Iterable) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts) or "/"



class _Objects:
    """An ``object_pairs_hook`` that remembers the first repeated key of each object.

    JSON allows a key twice in one object and ``json`` keeps the last value; we
    refuse it, so the hook notes the object (by identity, while it is alive).
    """

    def __init__(self) -> None:
        self.repeated: dict[int, str] = {}
        # flagged objects stay referenced: one dropped as a repeated key's value must not
        # free its id for another object
        self._kept: list[dict] = []

    def __call__(self, pairs: list[tuple[str, object]]) -> dict:
        out = dict(pairs)
        if len(out) < len(pairs):
            seen: set[str] = set()
            for k, _ in pairs:
                if k in seen:
                    self.repeated[id(out)] = k
                    self._kept.append(out)
                    break
                seen.add(k)
        return out


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite(literal: str) -> float:
    """A JSON number with a fraction or an exponent, refused where it overflows a double.

    Python's json reads ``1e999`` as infinity, a value JSON has no number for;
    read silently, it would reach the checks as a number larger than any other.
    """
    value = float(literal)
    if math.isinf(value):
        raise _Overflow(literal)
    return value


class _Overflow(ValueError):
    """A number literal too large for a double; keeps the literal, to point at it."""

    def __init__(self, literal: str) -> None:
        super().__init__(f"the number {clip(literal)} is too large for a 64-bit float (it "
                         "would read as infinity)")
        self.literal = literal


def walk(value) -> Iterator[tuple[tuple, object]]:
    """Every ``(path, value)`` of a parsed JSON document, depth first, without recursion."""
    stack: list[tuple[tuple, object]] = [((), value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*path, k), v) for k, v in reversed(list(enumerate(node))))


#: What Python's json reads but JSON has no number for (or cannot convert).
_NOT_JSON_NUMBER = r"(?<![\w\"])(?:-?Infinity|NaN|-?[0-9]{4301,})"
#: The deepest nesting of arrays and objects accepted (the annotation files need 4).
#: Deeper documents are refused before they are parsed, where they first get too deep.
MAX_JSON_DEPTH = 64


def _locate(text: str, pattern: str) -> str:
    m = re.search(pattern, text)
    return text_location(text, m.start()) if m else ""


def _too_deep(text: str) -> str:
    """Where brackets outside strings first nest deeper than :data:`MAX_JSON_DEPTH`, or ``""``."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return ""  # cannot be too deep: decided without a scan
    depth, in_string, escaped = 0, False, False
    for k, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return text_location(text, k)
        elif char in "]}":
            depth -= 1
    return ""


def json_type(value) -> str:
    """``null``, ``a number``, ``a string``, ``true``, ``an array``, ``an object``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"a number ({value})" if len(str(value)) < 40 else "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def load_json(path: Path, check: str) -> tuple[object, list[Incident]]:
    """Read and parse a JSON input strictly (:func:`parse_json`); failures are incidents.

    A file that holds ``null`` parses to ``None``: callers tell failure from a
    parsed value by the incidents, never by the value.

    Returns:
        ``(value, [])`` or ``(None, incidents)``.
    """
    data = read_bounded(path, MAX_JSON_BYTES)
    if isinstance(data, Unreadable):
        return None, [Incident(shown_path(path), "", check, data.message
                               + ("" if data.kind == "missing" else "; expected a JSON file"))]
    return parse_json(data, shown_path(path), check)


def load_object(path: Path, check: str, kind: str) -> tuple[dict | None, list[Incident]]:
    """:func:`load_json` for a file whose whole value must be a JSON object.

    ``null``, a number, a string or an array is refused here, with ``check``, as
    a file that is not the ``kind`` of file it should be.

    Returns:
        ``(object, [])`` or ``(None, incidents)``.
    """
    value, incidents = load_json(path, check)
    if incidents:
        return None, incidents
    return require_object(value, shown_path(path), check, kind)


def require_object(value: object, shown: str, check: str,
                   kind: str) -> tuple[dict | None, list[Incident]]:
    """``value`` when it is a JSON object; otherwise one ``check`` incident at ``/``.

    Returns:
        ``(object, [])`` or ``(None, incidents)``.
    """
    if not isinstance(value, dict):
        return None, [Incident(shown, "/", check,
                               f"the file holds {json_type(value)}; expected a JSON object "
                               f"({kind})")]
    return value, []


def parse_json(data: bytes, shown: str, check: str) -> tuple[object, list[Incident]]:
    """Parse the bytes of a JSON input strictly; every failure is an incident, never an exception.

    Refused: bytes that are not UTF-8 (with line and column), a byte-order mark, a
    syntax error (line and column), ``NaN`` and ``Infinity``, a number too large for
    a 64-bit float (``1e999``, which ``json`` reads as infinity), integers of more
    than 4300 digits, nesting deeper than :data:`MAX_JSON_DEPTH`, and a key repeated
    in one object (which ``json`` would silently resolve to its last value).

    Returns:
        ``(value, [])`` or ``(None, incidents)``.
    """

    def fail(where: str, message: str) -> tuple[None, list[Incident]]:
        return None, [Incident(shown, where, check, message)]

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return fail(byte_location(data, err.start),
                    f"byte 0x{data[err.start]:02x} is not UTF-8 ({err.reason}); "
                    "expected UTF-8 JSON")
    deep = _too_deep(text)
    if deep:
        return fail(deep, f"nested more than {MAX_JSON_DEPTH} levels deep; expected at most "
                          f"{MAX_JSON_DEPTH}")
    try:
        objects = _Objects()
        value = json.loads(text, object_pairs_hook=objects, parse_constant=_no_constant,
                           parse_float=_finite)
    except json.JSONDecodeError as err:
        return fail(f"line {err.lineno} column {err.colno}", f"{err.msg}; expected valid JSON")
    except RecursionError:  # cannot happen below MAX_JSON_DEPTH; kept as a safety net
        return fail("", f"nested too deeply; expected at most {MAX_JSON_DEPTH} levels")
    except _Overflow as err:  # 1e999: the first such literal outside a string
        return fail(_locate(text, rf"(?<![\w\".+-]){re.escape(err.literal)}(?![\w.])"),
                    f"{err}; expected valid JSON")
    except ValueError as err:  # NaN, Infinity, or an integer too long to convert
        return fail(_locate(text, _NOT_JSON_NUMBER), f"{err}; expected valid JSON")
    incidents = [Incident(shown, pointer(p), check,
                          f"key {clip(objects.repeated[id(node)])} appears more than once in "
                          "this object; expected each key once")
                 for p, node in walk(value)
                 if isinstance(node, dict) and id(node) in objects.repeated]
    return (None, incidents) if incidents else (value, [])
