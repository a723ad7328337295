"""Shared test helpers: the repository's paths and private copies of its inputs.

Test files import from here, never from each other or from ``conftest``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sokhan.cli import main
from sokhan.stages import prepared
from sokhan.stages.normalise import hazm_steps

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
ANNOTATIONS = REPO / "corpus" / "annotations"
CARD = REPO / "dataset_card.md"
COMMITTED = REPO / "corpus"
MINI = REPO / "tests" / "fixtures" / "mini"
#: The user and group id of ``nobody``, who runs the fixtures about permissions as root.
NOBODY = 65534


def copy_inputs(tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the seeds and annotations a test may damage."""
    seeds = tmp_path / "seeds"
    annotations = tmp_path / "corpus" / "annotations"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(ANNOTATIONS, annotations)
    return seeds, annotations


FIXTURES = REPO / "tests" / "fixtures" / "checks"
MINI_CARD = "# Mini corpus\n\n{{counts_table}}\n"
#: One line of stderr: ``path: [location:] [check-id] message``.
INCIDENT_LINE = re.compile(r"^(?P<path>[^\n]+?):(?: (?P<where>[^\n\[]+?):)? "
                           r"\[(?P<check>[a-z0-9-]+)\] (?P<message>.+)$")
#: The last line of an error report.
SUMMARY_LINE = re.compile(r"^sokhan [a-z-]+: \d+ problem\(s\); nothing written$")


class Workspace:
    """A private copy of the mini corpus that a test may break."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(MINI / "seeds", root / "seeds")
        shutil.copytree(MINI / "annotations", root / "annotations")
        (root / "card.md").write_text(MINI_CARD, encoding="utf-8")

    def args(self, command: str = "validate", out: str | None = None,
             spec: dict | None = None) -> list[str]:
        """Arguments naming the workspace; ``out`` is relative to it ("" stays empty)."""
        inputs = ["--seeds", str(self.root / "seeds"),
                  "--annotations", str(self.root / "annotations")]
        if command == "import":
            assert spec is not None
            out = f"imported/{Path(spec['import']).stem}.json" if out is None else out
            return [command, "--format", spec["export"], str(self.root / spec["import"]),
                    "--out", out and str(self.root / out), *inputs]
        if command == "export":
            assert spec is not None
            return [command, "--format", spec["export"], "--out", str(self.root / "export"),
                    *inputs]
        out_arg = str(self.root / "corpus") if out is None else out and str(self.root / out)
        return [command, *inputs, "--out", out_arg, "--card", str(self.root / "card.md")]

    def run(self, command: str, capsys, out: str | None = None,
            spec: dict | None = None) -> tuple[int, str]:
        """Run the command line in-process; returns the status and stderr."""
        capsys.readouterr()
        status = main(self.args(command, out, spec))
        return status, capsys.readouterr().err

    def rehash(self) -> None:
        """Make the manifest agree with the seeds as they are now."""
        path = self.root / "seeds" / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        for entry in manifest["seeds"]:
            seed = self.root / "seeds" / entry["file"]
            if seed.is_file():
                data = seed.read_bytes()
                entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
        dump_json(path, manifest)

    def apply(self, folder: Path, spec: dict, capsys=None) -> None:
        """Lay a fixture folder and its ``fixture.json`` over the workspace."""
        root = self.root
        if spec.get("prebuild"):
            assert main(self.args("build")) == 0
        if spec.get("export"):
            assert main(self.args("export", spec=spec)) == 0
        for src in sorted(folder.rglob("*")):
            if src.is_file() and src.name != "fixture.json":
                dest = root / src.relative_to(folder)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
        for rel in spec.get("delete", []):
            (root / rel).unlink()
        for rel in spec.get("mkdir", []):
            (root / rel).mkdir(parents=True)
        for rel, text in spec.get("write_text", {}).items():
            if isinstance(text, dict):
                text = text["text"] * text.get("repeat", 1)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode("utf-8"))
        for rel, data in spec.get("write_bytes", {}).items():
            (root / rel).write_bytes(base64.b64decode(data))
        for rel, edits in spec.get("edit", {}).items():
            text = (root / rel).read_bytes().decode("utf-8")
            for old, new in edits:
                assert old in text, f"{folder.name}: {old!r} not in {rel}"
                text = text.replace(old, new, 1)
            (root / rel).write_bytes(text.encode("utf-8"))
        for op in ("set", "remove", "append"):
            for rel, changes in spec.get(op, {}).items():
                doc = json.loads((root / rel).read_text(encoding="utf-8"))
                items = (changes.items() if isinstance(changes, dict)
                         else ((p, None) for p in changes))
                for ptr, value in items:
                    json_edit(doc, op, ptr, value)
                dump_json(root / rel, doc)
        for rel, target in spec.get("symlink", {}).items():
            (root / rel).symlink_to(target)
        if spec.get("rehash"):
            self.rehash()
        for rel, mode in spec.get("chmod", {}).items():
            (root / rel).chmod(int(mode, 8))


def dump_json(path: Path, value) -> None:
    """Write JSON as the mini corpus does (one-space indent, letters unescaped)."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")


def resolve(doc, ptr: str):
    """The parent of a JSON pointer's target and the target's last key."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    return node, int(last) if isinstance(node, list) else last


def json_edit(doc, op: str, ptr: str, value) -> None:
    """Apply one ``set``, ``remove`` or ``append`` to a parsed JSON document."""
    if isinstance(value, dict) and "copy_of" in value:
        parent, key = resolve(doc, value["copy_of"])
        value = {**copy.deepcopy(parent[key]), **{k: v for k, v in value.items() if k != "copy_of"}}
    parent, key = resolve(doc, ptr)
    if op == "set":
        parent[key] = value
    elif op == "remove":
        del parent[key]
    else:
        parent[key].append(value)


def fixture_ids() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def fixture_params() -> list:
    """The fixture ids, as parameters: slow where the fixture builds twice or runs as nobody."""
    params = []
    for check in fixture_ids():
        spec = json.loads((FIXTURES / check / "fixture.json").read_text(encoding="utf-8"))
        slow = "chmod" in spec or spec.get("prebuild")
        params.append(pytest.param(check, marks=pytest.mark.slow) if slow else check)
    return params


def reported(stderr: str) -> list[dict]:
    """The incidents printed on stderr, parsed; every other line must be the summary."""
    out = []
    for line in stderr.splitlines():
        m = INCIDENT_LINE.match(line)
        if m:
            out.append(m.groupdict())
        else:
            assert SUMMARY_LINE.match(line), line
    return out


def run_fixture(check: str, tmp_path: Path, capsys) -> tuple[int, str, list[dict]]:
    """Lay the fixture of ``check`` over a fresh mini corpus and run its command."""
    folder = FIXTURES / check
    spec = json.loads((folder / "fixture.json").read_text(encoding="utf-8"))
    if "chmod" in spec and os.geteuid() == 0:
        return _run_as_nobody(folder, spec)
    ws = Workspace(tmp_path)
    try:
        ws.apply(folder, spec)
        if "argv" in spec:
            # a command other than build, validate or import, spelled out
            capsys.readouterr()
            status = main([a.replace("{root}", str(tmp_path)) for a in spec["argv"]])
            err = capsys.readouterr().err
        else:
            status, err = ws.run(spec.get("command", "validate"), capsys, spec.get("out"), spec)
    finally:
        for rel in spec.get("chmod", {}):  # let pytest remove the workspace
            (tmp_path / rel).chmod(0o755)
    return status, err, reported(err)


def seed_prepared_cache(folder: Path) -> Path:
    """A cache folder holding this process's prepared copy of hazm's steps.

    For commands run as another user (``nobody``), whose own cache is empty, so that each
    does not build hazm's Normalizer again (about 1 s of CPU).
    """
    folder.mkdir(parents=True, exist_ok=True)
    hazm_steps()  # makes the copy if this process has not yet
    source = prepared.cache_dir()
    if source is not None:
        for copy in source.glob("hazm-steps-*.pickle"):
            shutil.copyfile(copy, folder / copy.name)
    return folder


def _run_as_nobody(folder: Path, spec: dict) -> tuple[int, str, list[dict]]:
    """Run a fixture's command as ``nobody``, where root would bypass its permissions."""
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to run as an ordinary user")
    home = Path(tempfile.mkdtemp(prefix="sokhan-nobody-", dir="/tmp"))
    try:
        home.chmod(0o755)
        ws = Workspace(home / "ws")
        ws.apply(folder, {k: v for k, v in spec.items() if k != "chmod"})
        cache = seed_prepared_cache(home / "cache")
        for dirpath, dirnames, filenames in os.walk(home):
            for name in [*dirnames, *filenames, ""]:
                os.chown(Path(dirpath) / name, NOBODY, NOBODY, follow_symlinks=False)
        for rel, mode in spec["chmod"].items():
            (ws.root / rel).chmod(int(mode, 8))
        args = ws.args(spec.get("command", "validate"), spec.get("out"), spec)
        out = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             sys.executable, "-m", "sokhan.cli", *args],
            cwd=home, env={**os.environ, "HOME": str(home), prepared.ENV: str(cache)},
            capture_output=True, text=True,
            timeout=300, check=False)
        return out.returncode, out.stderr, reported(out.stderr)
    finally:
        for rel in spec["chmod"]:
            (home / "ws" / rel).chmod(0o755)
        shutil.rmtree(home)


#: A card that asks for the agreement report, so the passes are read for it too.
PASS_CARD = "# Mini corpus\n\n{{counts_table}}\n\n{{agreement_table}}\n"


def add_passes(root: Path) -> None:
    """Give a mini-corpus workspace two annotation passes (copies of the gold) with registries.

    The card template then asks for the agreement report, which reads them.
    """
    for name in ("a", "b"):
        folder = root / "annotations" / "passes" / name
        folder.mkdir(parents=True)
        shutil.copyfile(MINI / "annotations" / "mini_001.json", folder / "mini_001.json")
        shutil.copyfile(MINI / "annotations" / "entities.json", folder / "entities.json")
    (root / "card.md").write_text(PASS_CARD, encoding="utf-8")


#: The article drafts are made from in tests.
DRAFT_DOC = "003_6bdf49eb73ba74a2"
#: The entity the test draft proposes.
PROPOSED = {"id": "test-proposed-entity", "type": "GPE", "name_fa": "تهران",
            "name_en": "Tehran <proposed & \"quoted\">", "aliases": ["تهران"],
            "is_group": False, "members": []}


def make_draft(annotations: Path, doc_id: str = DRAFT_DOC, **block) -> dict:
    """A draft of the pre-annotator's shape, made from a gold file: one mention re-linked to a
    proposed entity. ``block`` overrides fields of the ``draft`` block."""
    gold = json.loads((annotations / f"{doc_id}.json").read_text(encoding="utf-8"))
    draft = copy.deepcopy(gold)
    draft["annotator"] = "sokhan annotate"
    mention = next(m for m in draft["mentions"] if m["type"] == "GPE")
    mention["entity"] = PROPOSED["id"]
    draft["draft"] = {"tool": "sokhan annotate", "version": "0.0-test", "status": "draft",
                      "proposed_entities": [copy.deepcopy(PROPOSED)], **block}
    return draft


def write_json(path: Path, value) -> Path:
    """``value`` as UTF-8 JSON at ``path``."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def seed_records() -> list[dict]:
    """The five seed articles as ``sokhan process`` input records, with their metadata."""
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for entry in manifest["seeds"]:
        meta = {k: v for k, v in entry.items() if k not in ("doc_id", "file", "sha256", "size")}
        text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
        out.append({"id": entry["doc_id"], "text": text, **meta})
    return sorted(out, key=lambda r: r["id"])


def write_jsonl(path: Path, records: list, raw_lines: tuple[bytes, ...] = ()) -> Path:
    """Write records one JSON object a line, then any raw (possibly broken) lines."""
    with path.open("wb") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False).encode() + b"\n")
        for line in raw_lines:
            f.write(line + b"\n")
    return path


def make_socket(path: Path) -> None:
    """A Unix socket file at ``path``, bound by its name alone.

    A socket's address is limited to 107 bytes, which pytest's temporary folders (one
    more level per xdist worker) can pass; binding from the folder itself avoids it.
    """
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(path.name)
    finally:
        os.chdir(here)


# --- sokhan process: workers that die ---------------------------------------------------------

#: Records whose id starts with this kill the worker that processes them.
KILLER = "kill"


def dies_on_killers(records, drafter=None):
    """:func:`sokhan.process.document.process_batch`, but SIGKILLs its worker on a killer record.

    Swapped in for ``sokhan.process.engines.batch_function``; the local pool forks, and
    Dask workers import it from this module by name.
    """
    import signal

    from sokhan.process.document import process_batch

    if any(isinstance(r.id, str) and r.id.startswith(KILLER) for r in records):
        os.kill(os.getpid(), signal.SIGKILL)
    return process_batch(records, drafter)


def always_dies(records, drafter=None):
    """A batch function whose worker never survives (a cluster that keeps dying)."""
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


#: Where :func:`dies_once` records that it has killed a worker (set by the test, before the
#: pool forks).
DIED_ONCE: Path | None = None


def dies_once(records, drafter=None):
    """Like :func:`dies_on_killers`, but only the first time (a worker the system killed once)."""
    import signal

    from sokhan.process.document import process_batch

    if DIED_ONCE is not None and not DIED_ONCE.exists() and any(
            isinstance(r.id, str) and r.id.startswith(KILLER) for r in records):
        DIED_ONCE.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return process_batch(records, drafter)


# --- kill traps: scripts run with ``python -c SCRIPT POINT N sokhan-args…`` -------------------

#: The start of a kill-trap script: ``point`` and ``n`` from its arguments, ``die()``
#: SIGKILLs the process, ``nth()`` is true on its ``n``-th call.
KILL_PRELUDE = """
import os, signal, sys
point, n = sys.argv[1], int(sys.argv[2])
calls = {"n": 0}
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def nth():
    calls["n"] += 1
    return calls["n"] == n
"""
#: The end of a kill-trap script: the command line, as ``sokhan`` runs it.
KILL_MAIN = """
from sokhan.cli import main
sys.exit(main(sys.argv[3:]))
"""


def torn_write(point: str, writer: str) -> str:
    """The trap that opens a script's ``if`` chain: at ``point``, the ``n``-th file
    ``writer`` (a dotted module attribute) writes gets half its bytes, then the process dies."""
    module, name = writer.rsplit(".", 1)
    return f"""
if point == {point!r}:
    write = {writer}
    def torn(path, data):
        if nth():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data[: len(data) // 2])
            die()
        return write(path, data)
    {module}.{name} = torn
"""


def swap_traps(module: str) -> str:
    """The ``swap`` (before the exchange) and ``swapped`` (after it) traps of ``module``."""
    return f"""
elif point == "swap":
    {module}.exchange = lambda staging, target: die()
elif point == "swapped":
    exchange = {module}.exchange
    def then_die(staging, target):
        exchange(staging, target)
        die()
    {module}.exchange = then_die
"""
