"""Benchmark of the build and of ``sokhan process`` (a measurement, not a test).

Run from the repository root, after ``make setup``::

    .venv/bin/python benchmarks/bench.py              # sizes 1000 and 10000, 1 and 2 workers
    .venv/bin/python benchmarks/bench.py --sizes 200  # a quick look

It prints one table, side by side:

- the five-seed ``sokhan build`` as a whole process against ``python -c "import hazm"``;
- ``sokhan process`` on one article: its start-up (imports, prepared copies, output),
  which the floor below does not pay and which the table also leaves out of both sides,
  for comparison only;
- for each size, ``sokhan process`` on synthetic articles (:mod:`synthetic`, fixed
  seed) with 1 and 2 local workers against a floor: hazm's Normalizer alone over
  the same lines, constructed before the clock starts; and the peak memory of the
  whole process tree (sampled every 50 ms).

Rates are given per wall-clock second and per CPU second (user + system of the
child processes): on a shared machine the CPU figure is the steadier one.
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


def run(cmd: list[str], cwd: Path = REPO) -> dict:
    """Run ``cmd``; its wall time, CPU time, peak RSS of its process tree, stdout."""
    import psutil

    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = [0]

    def sample() -> None:
        try:
            root = psutil.Process(proc.pid)
            while proc.poll() is None:
                tree = [root, *root.children(recursive=True)]
                rss = 0
                for p in tree:
                    with contextlib.suppress(psutil.Error):  # a worker that just ended
                        rss += p.memory_info().rss
                peak[0] = max(peak[0], rss)
                time.sleep(0.05)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {"wall": wall, "cpu": _children_cpu() - cpu0, "rss": peak[0], "out": out}


def median_run(cmd: list[str], repeat: int, cwd: Path = REPO) -> dict:
    """The run of median wall time out of ``repeat``."""
    runs = sorted((run(cmd, cwd) for _ in range(repeat)), key=lambda r: r["wall"])
    return runs[len(runs) // 2]


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts (default 1000,10000)")
    parser.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of build and import (3)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    python, sokhan = str(BIN / "python"), str(BIN / "sokhan")
    figures: dict = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="sokhan-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        hazm = median_run([python, "-c", "import hazm"], args.repeat)
        build = median_run([sokhan, "build", "--seeds", "seeds", "--annotations",
                            "corpus/annotations", "--out", str(corpus), "--card",
                            "dataset_card.md"], args.repeat)
        figures["import_hazm"], figures["build"] = hazm, build
        # start-up: the whole command on one article (imports, prepared copies, output)
        one = synthetic.write_jsonl(work / "articles-1.jsonl", 1)
        figures["startup"] = median_run([sokhan, "process", str(one), "--out",
                                         str(work / "out-1"), "--workers", "1", "-q"],
                                        args.repeat)
        for n in sizes:
            source = synthetic.write_jsonl(work / f"articles-{n}.jsonl", n)
            floor = run([python, "-c", FLOOR, str(source)])
            floor.update(json.loads(floor.pop("out")))
            figures[f"floor_{n}"] = floor
            for w in workers:
                result = run([sokhan, "process", str(source), "--out", str(work / f"out-{n}-{w}"),
                              "--workers", str(w), "-q"])
                figures[f"process_{n}_{w}"] = result
    figures["load_after"] = os.getloadavg()[0]
    print(table(figures, sizes, workers))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


def table(f: dict, sizes: list[int], workers: list[int]) -> str:
    """The figures as a Markdown table, with the targets checked."""
    mb = 1 / 2**20
    rows = [
        "| measurement | wall s | CPU s | peak MB | articles/s (wall) | articles/s (CPU) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `python -c \"import hazm\"` | {f['import_hazm']['wall']:.2f} | "
        f"{f['import_hazm']['cpu']:.2f} | {f['import_hazm']['rss'] * mb:.0f} | | |",
        f"| `sokhan build` (5 seeds, whole process) | {f['build']['wall']:.2f} | "
        f"{f['build']['cpu']:.2f} | {f['build']['rss'] * mb:.0f} | | |",
    ]
    if "startup" in f:
        rows.append(f"| `sokhan process`, 1 article (start-up) | {f['startup']['wall']:.2f} | "
                    f"{f['startup']['cpu']:.2f} | {f['startup']['rss'] * mb:.0f} | | |")
    for n in sizes:
        fl = f[f"floor_{n}"]
        rows.append(f"| hazm Normalizer alone, {n} articles (floor) | {fl['wall']:.2f} | "
                    f"{fl['cpu']:.2f} | | {n / fl['wall']:.0f} | {n / fl['cpu']:.0f} |")
        for w in workers:
            p = f[f"process_{n}_{w}"]
            rows.append(f"| `sokhan process`, {n} articles, {w} worker(s) | {p['wall']:.2f} | "
                        f"{p['cpu']:.2f} | {p['rss'] * mb:.0f} | {n / p['wall']:.0f} | "
                        f"{n / p['cpu']:.0f} |")
    checks = []

    def target(name: str, value: float, limit: float, at_most: bool) -> None:
        ok = value <= limit if at_most else value >= limit
        checks.append(f"- {name}: {value:.2f} ({'≤' if at_most else '≥'} {limit}) "
                      f"{'met' if ok else 'NOT met'}")

    target("build / import hazm (wall)", f["build"]["wall"] / f["import_hazm"]["wall"], 1.5,
           True)
    target("build / import hazm (CPU)", f["build"]["cpu"] / f["import_hazm"]["cpu"], 1.5, True)
    for n in sizes:
        fl = f[f"floor_{n}"]
        if 1 in workers:
            one = f[f"process_{n}_1"]
            target(f"{n}: one worker / hazm floor (wall)", fl["wall"] / one["wall"], 0.5, False)
            target(f"{n}: one worker / hazm floor (CPU)", fl["cpu"] / one["cpu"], 0.5, False)
            if 2 in workers:
                two = f[f"process_{n}_2"]
                target(f"{n}: 2 workers / 1 worker (wall)", one["wall"] / two["wall"], 1.8,
                       False)
    if len(sizes) >= 2 and 1 in workers:
        small, large = f[f"process_{sizes[0]}_1"], f[f"process_{sizes[-1]}_1"]
        target(f"peak memory {sizes[-1]} / {sizes[0]} (1 worker)", large["rss"] / small["rss"],
               1.2, True)
    loads = f"load average {f['load_before']:.1f} before, {f['load_after']:.1f} after"
    notes = []
    if "startup" in f and 1 in workers:
        # not a target: the floor leaves hazm's own start-up out, this leaves ours out too
        for n in sizes:
            run = f[f"process_{n}_1"]["wall"] - f["startup"]["wall"]
            notes.append(f"- {n}: one worker / hazm floor, start-up left out of both (wall): "
                         f"{f[f'floor_{n}']['wall'] / run:.2f}")
    return "\n".join([*rows, "", f"Targets ({f['cpus']} CPUs, {loads}):", *checks,
                      *(["", "For comparison, not targets:", *notes] if notes else [])])


if __name__ == "__main__":
    sys.exit(main())
