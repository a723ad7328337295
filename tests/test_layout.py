"""The package's shape: no import cycle, no path into the checkout, schemas agree with code."""

from __future__ import annotations

import ast
import json
import re
from importlib import resources

import pytest

from helpers import REPO
from sokhan.publication.columns import SPLITS
from sokhan.records import ENTITY_TYPES, QUOTE_FORMS, ROLES, SPEAKER_KINDS

PACKAGE = REPO / "scripts" / "sokhan"


def _module_name(path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports anywhere (also inside functions and TYPE_CHECKING)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from sokhan.stages import zwnj" imports the module sokhan.stages.zwnj
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


def test_the_import_graph_has_no_cycle():
    graph = {name: _imports(name) for name in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert len(graph) > 30  # the walk saw the whole package


def test_the_cycle_finder_sees_imports_inside_functions():
    assert "sokhan.build" in _imports("sokhan.cli")  # imported lazily in a function


def test_no_module_reaches_into_the_checkout():
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"parents\[\d\]|REPO_ROOT|__file__", text), name


def test_schemas_and_the_evaluation_list_are_package_data():
    names = {e.name for e in resources.files("sokhan.schemas").iterdir()}
    assert {p.name for p in (REPO / "schema").glob("*.schema.json")} <= names
    assert (resources.files("sokhan") / "data" / "zwnj_eval.tsv").is_file()
    assert (resources.files("sokhan") / "py.typed").is_file()


def _schema(name: str) -> dict:
    return json.loads((REPO / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("enum", "code"), [
    # entity types: one list in defs, used by annotations, mentions, the registry
    (_schema("defs")["$defs"]["entity_type"]["enum"], ENTITY_TYPES),
    (_schema("annotation")["properties"]["quotes"]["items"]["properties"]["form"]["enum"],
     QUOTE_FORMS),
    (_schema("annotation")["properties"]["quotes"]["items"]["properties"]["speaker_kind"]["enum"],
     SPEAKER_KINDS),
    (_schema("quote")["properties"]["form"]["enum"], QUOTE_FORMS),
    (_schema("quote")["properties"]["speaker_kind"]["enum"], SPEAKER_KINDS),
    (_schema("sentence")["properties"]["role"]["enum"], ROLES),
    (_schema("document")["properties"]["split"]["enum"], SPLITS),
])
def test_schema_enums_are_the_code_lists(enum, code):
    assert tuple(enum) == tuple(code)


def test_the_readme_lists_every_module():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_/]+)` \|", readme, flags=re.M))
    modules = {name.removeprefix("sokhan.").replace(".", "/") for name, path in MODULES.items()
               if path.name != "__init__.py"}
    assert modules <= listed, modules - listed


def test_the_wheel_lists_every_subpackage():
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    folders = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert folders | {"sokhan.schemas"} == listed
