"""The command line explains itself: version, help, argument errors, progress, verdicts."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from helpers import ANNOTATIONS, REPO, SEEDS, Workspace
from sokhan import __version__
from sokhan.cli import _progress, main


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        from sokhan.cli import _parser

        _parser().parse_args(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"sokhan {__version__}"
    assert main(["--version"]) == 0


@pytest.mark.parametrize("command", ["build", "validate", "checks", "agreement", "eval-zwnj"])
def test_every_subcommand_has_plain_text_help(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: sokhan {command}")
    assert "``" not in out and ":func:" not in out  # plain text, not reStructuredText


@pytest.mark.parametrize("command", ["agreement", "eval-zwnj", "build", "validate"])
def test_argument_errors_exit_2(command, capsys):
    assert main([command, "--no-such-option"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["agreement", "--seeds", "{tmp}/missing"],
    ["agreement", "--annotations", "{tmp}/missing"],
    ["eval-zwnj", "--seeds", "{tmp}/missing"],
])
def test_a_missing_folder_is_an_error(args, tmp_path, capsys):
    assert main([a.format(tmp=tmp_path) for a in args]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "file not found" in err[0]
    assert err[-1] == f"sokhan {args[0]}: 1 problem(s)"


@pytest.mark.slow
def test_agreement_disagreements_are_json(capsys):
    assert main(["agreement", "--seeds", str(SEEDS), "--annotations", str(ANNOTATIONS),
                 "--disagreements"]) == 0
    found = json.loads(capsys.readouterr().out)
    log = json.loads((ANNOTATIONS / "passes" / "adjudication.json").read_text("utf-8"))
    assert set(found) == set(log["a_vs_b"])


def test_progress_lines_only_on_a_terminal_and_not_with_quiet(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert _progress(argparse.Namespace(quiet=True)) is None
    assert _progress(argparse.Namespace(quiet=False)) is not None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _progress(argparse.Namespace(quiet=False)) is None


@pytest.mark.slow
def test_validate_reports_one_line_per_stage_then_one_verdict(tmp_path, monkeypatch, capsys):
    ws = Workspace(tmp_path)
    assert main([*ws.args("build"), "-q"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(ws.args("validate")) == 0
    captured = capsys.readouterr()
    stages = [line.strip().rsplit(":", 1)[0] for line in captured.err.splitlines()]
    assert stages == ["seeds", "normalise, segment, tokenise", "annotations", "attach and rows",
                      "row checks", "Parquet, card, Croissant, manifest", "compare"]
    assert all(line.endswith(" s") for line in captured.err.splitlines())
    assert captured.out.splitlines() == [
        f"sokhan validate: {ws.root / 'corpus'} is valid; seeds, annotations and published "
        "files agree with a fresh build"]
    assert main([*ws.args("validate"), "-q"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.slow
@pytest.mark.parametrize(("args", "expected"), [
    (["agreement"], "Pass A against pass B"),
    (["eval-zwnj"], "target (visible recall >= 95%"),
    (["--version"], f"sokhan {__version__}"),
])
def test_subcommand_smoke_in_a_real_process(args, expected):
    proc = subprocess.run([sys.executable, "-m", "sokhan.cli", *args], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout
