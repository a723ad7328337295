"""Command line: ``sokhan build`` and ``sokhan validate``.

Bad input ends with every incident on standard error and exit status 1, never
with a traceback; an unexpected internal error exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sokhan.incidents import CHECKS, BuildError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sokhan", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in (("build", "build the corpus (atomically replaces the output folder)"),
                       ("validate", "check seeds, annotations and the published corpus; write nothing")):
        p = sub.add_parser(name, help=what, description=what)
        p.add_argument("--seeds", type=Path, default=Path("seeds"), help="seed folder (default: seeds)")
        p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                       help="annotation folder (default: corpus/annotations)")
        p.add_argument("--out", type=Path, default=Path("corpus"),
                       help="corpus folder (default: corpus)")
        p.add_argument("--card", type=Path, default=Path("dataset_card.md"),
                       help="dataset card template (default: dataset_card.md)")
    sub.add_parser("checks", help="list the stable check ids")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "checks":
        for check, what in CHECKS.items():
            print(f"{check}\t{what}")
        return 0
    try:
        if args.command == "build":
            return _build(args)
        return _validate(args)
    except BuildError as err:
        for incident in err.incidents:
            print(incident, file=sys.stderr)
        print(f"sokhan {args.command}: {len(err.incidents)} problem(s); nothing written",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"sokhan {args.command}: interrupted; nothing written", file=sys.stderr)
        return 130


def _build(args) -> int:
    from sokhan.build import build

    started = time.perf_counter()
    result = build(args.seeds, args.annotations, args.out, args.card)
    counts = result["counts"]
    total = {c: sum(s.values()) for c, s in counts.items()}
    print(f"built {args.out}: {total['documents']} documents, {total['sentences']} sentences, "
          f"{result['tokens']} tokens, {total['mentions']} mentions, {total['quotes']} quotations, "
          f"{total['entities']} entities in {time.perf_counter() - started:.1f} s")
    for what, n in result["skipped"].items():
        if n:
            print(f"skipped: {n} {what}")
    return 0


def _validate(args) -> int:
    from sokhan.verify import verify

    incidents = verify(args.seeds, args.annotations, args.out, args.card)
    if incidents:
        raise BuildError(incidents)
    print(f"{args.out}: valid; seeds, annotations and published files agree with a fresh build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
