"""The package works outside its checkout: a wheel, a fresh environment, a foreign folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from helpers import ANNOTATIONS, CARD, COMMITTED, REPO, SEEDS
from sokhan.build import GENERATED

pytestmark = pytest.mark.slow


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=env, check=False)


def _generated(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()
            and any(p.relative_to(root).as_posix().startswith(g) for g in GENERATED)}


def test_an_installed_wheel_validates_and_builds_the_same_bytes(tmp_path):
    wheels = tmp_path / "wheels"
    # the wheel is built in a copy: the build writes build/ and egg-info next to the sources
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "corpus", "build", "*.egg-info", "__pycache__", ".*cache",
        ".hypothesis"))
    out = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
               str(source), cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    (wheel,) = wheels.glob("sokhan-*.whl")

    # A fresh environment holding only the wheel; its dependencies are the pinned set
    # of this environment, reached through a .pth file (installing them again from the
    # index would prove nothing more and take minutes).
    env_dir = tmp_path / "env"
    assert _run(sys.executable, "-m", "venv", "--without-pip", str(env_dir),
                cwd=tmp_path).returncode == 0
    python = env_dir / "bin" / "python"
    out = _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
               "--no-index", "-q", str(wheel), cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    site = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                     cwd=tmp_path).stdout.strip())
    (site / "pinned_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")

    # inputs copied into a folder that is not a checkout
    work = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, work / "my-seeds")
    shutil.copytree(ANNOTATIONS, work / "my-annotations")
    shutil.copyfile(CARD, work / "card.md")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOKHAN_DEBUG")}
    where = _run(str(python), "-c", "import sokhan.schemas, sokhan; print(sokhan.__file__)",
                 cwd=work, env=env)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout + where.stderr
    sokhan = str(env_dir / "bin" / "sokhan")
    inputs = ["--seeds", "my-seeds", "--annotations", "my-annotations", "--card", "card.md",
              "--out", "built"]
    out = _run(sokhan, "build", *inputs, cwd=work, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    # without --card (and no dataset_card.md here) the installed template gives the same card
    assert (site / "sokhan" / "data" / "dataset_card.md").read_bytes() == CARD.read_bytes()
    defaults = [a for a in inputs if a not in ("--card", "card.md")]
    defaults[-1] = "built-by-default"
    out = _run(sokhan, "build", *defaults, cwd=work, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert _generated(work / "built-by-default") == _generated(COMMITTED)
    out = _run(sokhan, "validate", *inputs, cwd=work, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "is valid" in out.stdout
    assert _generated(work / "built") == _generated(COMMITTED)
