"""Benchmark of the build and of ``sokhan process`` (a measurement, not a test).

Run from the repository root, after ``make setup``::

    .venv/bin/python benchmarks/bench.py                         # 1000 and 10000 articles
    .venv/bin/python benchmarks/bench.py --sizes 200 --repeat 1  # a quick look

It prints one table, side by side:

- the five-seed ``sokhan build`` as a whole process against ``python -c "import hazm"``;
- ``sokhan process`` on one article: its start-up (imports, prepared copies, output),
  which the floor below does not pay and which the table also leaves out of both sides,
  for comparison only;
- for each size, ``sokhan process`` on synthetic articles (:mod:`synthetic`, fixed
  seed) with 1 and 2 local workers against a floor: hazm's Normalizer alone over
  the same lines, constructed before the clock starts; and the peak memory of the
  whole process tree (sampled every 50 ms).

Every measurement runs ``--repeat`` times (5). At each size the runs are
interleaved, the floor and then each worker count, round after round, so a slow
spell of the machine falls on all of them alike. The table gives the best and
the median wall time and each run's; targets are checked on the best run of
each (:func:`summary` says why), and the same ratios on the medians are printed
beside them for comparison.

Rates are given per wall-clock second and per CPU second (user + system of the
child processes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic

REPO = synthetic.REPO
BIN = Path(sys.executable).parent

FLOOR = r"""
import json, sys, time
from hazm import Normalizer
normalizer = Normalizer()
lines = [line for row in open(sys.argv[1], encoding="utf-8")
         for line in json.loads(row)["text"].split("\n")]
wall, cpu = time.perf_counter(), time.process_time()
for line in lines:
    normalizer.normalize(line)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, read from ``/proc``.

    Read straight from ``statm`` and the tasks' ``children`` lists rather than
    with psutil: the sampler runs every 50 ms beside the workers, and with both
    cores busy its CPU comes out of theirs. Over a 10 s child, psutil's walk of
    the tree cost the sampler 0.42 CPU s (4% of a core), these reads 0.09 s with
    four processes in the tree.
    """
    total, stack = 0, [pid]
    while stack:
        proc = Path(f"/proc/{stack.pop()}")
        try:
            total += int((proc / "statm").read_bytes().split()[1]) * _PAGE
            for task in (proc / "task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_bytes().split())
        except (OSError, ValueError, IndexError):  # a process or thread that just ended
            continue
    return total


def _psutil_tree_rss(pid: int) -> int:
    """:func:`tree_rss` where ``/proc`` has no ``children`` lists (not Linux)."""
    import psutil  # type: ignore[import-untyped]

    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    rss = 0
    for p in tree:
        with contextlib.suppress(psutil.Error):  # a worker that just ended
            rss += p.memory_info().rss
    return rss


def _rss_reader():
    own = Path(f"/proc/self/task/{os.getpid()}/children")
    return tree_rss if own.exists() else _psutil_tree_rss


def run(cmd: list[str], cwd: Path = REPO) -> dict:
    """Run ``cmd``; its wall time, CPU time, peak RSS of its process tree, stdout."""
    rss_of = _rss_reader()
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], rss_of(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"wall": wall, "cpu": _children_cpu() - cpu0, "rss": peak[0], "out": out}


def summary(runs: list[dict]) -> dict:
    """The best and the median wall and CPU time of ``runs``, and their highest memory.

    Every run's wall time is kept too. The best is what the targets are checked
    on, as ``timeit`` advises: on this machine the same command's time varies by
    10-20% from one run to the next (other guests on the host slow it, CPU time
    included), and that noise only ever adds time. Memory is taken at its
    highest, the cautious side.
    """
    walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
    return {"wall": min(walls), "cpu": min(cpus), "median_wall": median(walls),
            "median_cpu": median(cpus), "rss": max(r["rss"] for r in runs), "walls": walls}


def repeated(cmd: list[str], repeat: int, cwd: Path = REPO) -> dict:
    """The :func:`summary` of ``repeat`` runs of ``cmd``."""
    return summary([run(cmd, cwd) for _ in range(repeat)])


def floor_run(python: str, source: Path) -> dict:
    """hazm's Normalizer alone over ``source``'s lines, timed inside the process."""
    floor = run([python, "-c", FLOOR, str(source)])
    floor.update(json.loads(floor.pop("out")))
    return floor


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts (default 1000,10000)")
    parser.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of every measurement, interleaved (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    python, sokhan = str(BIN / "python"), str(BIN / "sokhan")
    figures: dict = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0],
                     "repeat": args.repeat}
    with tempfile.TemporaryDirectory(prefix="sokhan-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        hazm = repeated([python, "-c", "import hazm"], args.repeat)
        build = repeated([sokhan, "build", "--seeds", "seeds", "--annotations",
                            "corpus/annotations", "--out", str(corpus), "--card",
                            "dataset_card.md"], args.repeat)
        figures["import_hazm"], figures["build"] = hazm, build
        # start-up: the whole command on one article (imports, prepared copies, output)
        one = synthetic.write_jsonl(work / "articles-1.jsonl", 1)
        figures["startup"] = repeated([sokhan, "process", str(one), "--out",
                                         str(work / "out-1"), "--workers", "1", "-q"],
                                        args.repeat)
        for n in sizes:
            source = synthetic.write_jsonl(work / f"articles-{n}.jsonl", n)
            # interleaved, floor then each worker count, round after round, so that
            # a slow spell of the machine falls on all of them alike
            rounds: list[dict] = []
            for _ in range(args.repeat):
                found: dict[object, dict] = {"floor": floor_run(python, source)}
                for w in workers:
                    found[w] = run([sokhan, "process", str(source), "--out",
                                    str(work / f"out-{n}-{w}"), "--workers", str(w), "-q"])
                rounds.append(found)
            figures[f"floor_{n}"] = summary([r["floor"] for r in rounds])
            for w in workers:
                figures[f"process_{n}_{w}"] = summary([r[w] for r in rounds])
    figures["load_after"] = os.getloadavg()[0]
    print(table(figures, sizes, workers))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


def _runs(walls: list[float]) -> str:
    return ", ".join(f"{w:.2f}" for w in walls)


def table(f: dict, sizes: list[int], workers: list[int]) -> str:
    """The figures as a Markdown table, with the targets checked on the best runs."""
    mb = 1 / 2**20
    rows = [
        "| measurement | best wall s | CPU s | median wall s | peak MB | articles/s (wall) "
        "| articles/s (CPU) | wall s, each run |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]

    def row(name: str, m: dict, n: int | None = None, memory: bool = True) -> None:
        rate = f" {n / m['wall']:.0f} | {n / m['cpu']:.0f} |" if n else " | |"
        peak = f"{m['rss'] * mb:.0f}" if memory else ""
        runs = ", ".join(f"{w:.2f}" for w in m["walls"])
        rows.append(f"| {name} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['median_wall']:.2f} | "
                    f"{peak} |{rate} {runs} |")

    row('`python -c "import hazm"`', f["import_hazm"])
    row("`sokhan build` (5 seeds, whole process)", f["build"])
    if "startup" in f:
        row("`sokhan process`, 1 article (start-up)", f["startup"])
    for n in sizes:
        row(f"hazm Normalizer alone, {n} articles (floor)", f[f"floor_{n}"], n, memory=False)
        for w in workers:
            row(f"`sokhan process`, {n} articles, {w} worker(s)", f[f"process_{n}_{w}"], n)
    checks: list[str] = []
    medians: list[str] = []

    def target(name: str, top: dict, bottom: dict, limit: float, at_most: bool,
               key: str = "wall") -> None:
        value = top[key] / bottom[key]
        ok = value <= limit if at_most else value >= limit
        checks.append(f"- {name}: {value:.2f} ({'≤' if at_most else '≥'} {limit}) "
                      f"{'met' if ok else 'NOT met'}")
        if key != "rss":
            medians.append(f"- {name}: {top['median_' + key] / bottom['median_' + key]:.2f}")

    target("build / import hazm (wall)", f["build"], f["import_hazm"], 1.5, True)
    target("build / import hazm (CPU)", f["build"], f["import_hazm"], 1.5, True, "cpu")
    for n in sizes:
        floor = f[f"floor_{n}"]
        if 1 in workers:
            one = f[f"process_{n}_1"]
            target(f"{n}: one worker / hazm floor (wall)", floor, one, 0.5, False)
            target(f"{n}: one worker / hazm floor (CPU)", floor, one, 0.5, False, "cpu")
            if 2 in workers:
                target(f"{n}: 2 workers / 1 worker (wall)", one, f[f"process_{n}_2"], 1.8,
                       False)
    if len(sizes) >= 2 and 1 in workers:
        target(f"peak memory {sizes[-1]} / {sizes[0]} (1 worker)", f[f"process_{sizes[-1]}_1"],
               f[f"process_{sizes[0]}_1"], 1.2, True, "rss")
    loads = f"load average {f['load_before']:.1f} before, {f['load_after']:.1f} after"
    notes = []
    if "startup" in f and 1 in workers:
        # the floor leaves hazm's own start-up out; this leaves ours out too
        for n in sizes:
            run = f[f"process_{n}_1"]["wall"] - f["startup"]["wall"]
            notes.append(f"- {n}: one worker / hazm floor, start-up left out of both (wall): "
                         f"{f[f'floor_{n}']['wall'] / run:.2f}")
    how = (f"Each measurement ran {f['repeat']} times, interleaved at each size (floor, then "
           "each worker count, round after round). Targets are checked on the best run of "
           "each, peak memory on the highest.")
    return "\n".join([*rows, "", how, "", f"Targets ({f['cpus']} CPUs, {loads}):", *checks,
                      "", "For comparison, not targets: the same ratios on the median runs",
                      *medians, *notes])


if __name__ == "__main__":
    sys.exit(main())
