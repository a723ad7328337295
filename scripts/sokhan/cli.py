"""Command line: ``sokhan build``, ``sokhan validate`` and ``sokhan checks``.

Bad input ends with every incident on standard error, one per line as
``path: location: [check-id] message``, and exit status 1, never with a
traceback. An unexpected internal error prints one line and exits with status
2 (``SOKHAN_DEBUG=1`` shows the traceback); an interrupt exits with 130.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from sokhan.checks.incidents import CHECKS, BuildError, Incident, markdown_table

#: Exit statuses.
OK, BAD_INPUT, INTERNAL, INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sokhan", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, what in (("build", "build the corpus (atomically replaces the output folder)"),
                       ("validate", "check seeds, annotations and the published corpus; "
                                    "write nothing")):
        p = sub.add_parser(name, help=what, description=what)
        p.add_argument("--seeds", type=Path, default=Path("seeds"),
                       help="seed folder (default: seeds)")
        p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                       help="annotation folder (default: corpus/annotations)")
        # a str, not a Path: Path("") is ".", and an empty --out must be refused, not
        # taken for the working folder
        p.add_argument("--out", default="corpus", help="corpus folder (default: corpus)")
        p.add_argument("--card", type=Path, default=Path("dataset_card.md"),
                       help="dataset card template (default: dataset_card.md)")
    what = "write the static annotation browser (a self-contained HTML site)"
    p = sub.add_parser("browse", help=what, description=what)
    p.add_argument("--seeds", type=Path, default=Path("seeds"),
                   help="seed folder (default: seeds)")
    p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                   help="annotation folder (default: corpus/annotations)")
    p.add_argument("--out", default="site", help="site folder, replaced (default: site)")
    p.add_argument("--draft", type=Path, default=None,
                   help="browse this draft annotation file (sokhan annotate) instead of the gold")
    checks = sub.add_parser("checks", help="list the stable check ids")
    checks.add_argument("--markdown", action="store_true",
                        help="print the Markdown table of docs/checks.md")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (it never raises)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has already printed
        return stop.code if isinstance(stop.code, int) else INTERNAL
    command = getattr(args, "command", "?")
    try:
        if command == "checks":
            print(markdown_table() if args.markdown
                  else "\n".join(f"{check}\t{what}" for check, what in CHECKS.items()))
            return OK
        if command == "build":
            return _build(args)
        if command == "browse":
            return _browse(args)
        return _validate(args)
    except BuildError as err:
        for incident in err.incidents:
            print(incident, file=sys.stderr)
        print(f"sokhan {command}: {len(err.incidents)} problem(s); nothing written",
              file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print(f"sokhan {command}: interrupted; the corpus folder is as it was",
              file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # the reader went away (sokhan checks | head); nothing more to say
        with open(os.devnull, "w") as devnull:  # noqa: PTH123
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        return OK
    except Exception as err:  # the one place that turns a bug into a message
        if os.environ.get("SOKHAN_DEBUG"):
            traceback.print_exc()
        message = " ".join(str(err).split())
        if len(message) > 300:
            message = message[:300] + "…"
        print(f"sokhan: internal error: {type(err).__name__}: {message} "
              "(set SOKHAN_DEBUG=1 for a traceback)", file=sys.stderr)
        return INTERNAL


def _preflight(args) -> None:
    """Refuse a mistyped ``--annotations`` before it builds a corpus without annotations."""
    from sokhan.checks.incidents import shown_path

    registry = args.annotations / "entities.json"
    if not registry.exists():
        raise BuildError([Incident(shown_path(registry), "", "registry-json",
                                   "file not found; expected the entity registry in the "
                                   "annotations folder (is --annotations right?)")])


def _guard_output(args) -> Path:
    """Refuse an output folder that could destroy the inputs, before anything is touched."""
    from sokhan.checks.outdir import output_incidents

    incidents = output_incidents(
        args.out,
        {"seeds": args.seeds, "annotations": args.annotations, "card template": args.card},
        nested=("annotations",),  # corpus/annotations: the build keeps it entry by entry
    )
    if incidents:
        raise BuildError(incidents)
    return Path(args.out)


def _build(args) -> int:
    from sokhan.build import build
    from sokhan.publication.swap import recover

    started = time.perf_counter()
    args.out = _guard_output(args)
    try:
        recover(args.out)  # a corpus a killed build left under its backup name
        _preflight(args)
        result = build(args.seeds, args.annotations, args.out, args.card)
    except OSError as err:
        # Inputs are read with their own checks, so what is left is writing the
        # corpus: a file where the folder should be, permissions, a full disk.
        where = err.filename or args.out
        raise BuildError([Incident(str(where), "", "corpus-write",
                                   f"{err.strerror or err}; the corpus folder {args.out} "
                                   "is as it was")]) from None
    counts = result["counts"]
    total = {c: sum(s.values()) for c, s in counts.items()}
    print(f"built {args.out}: {total['documents']} documents, {total['sentences']} sentences, "
          f"{result['tokens']} tokens, {total['mentions']} mentions, {total['quotes']} "
          f"quotations, {total['entities']} entities in {time.perf_counter() - started:.1f} s")
    for what, n in result["skipped"].items():
        if n:
            print(f"skipped: {n} {what}")
    return OK


def _browse(args) -> int:
    from sokhan.browse.output import write_site
    from sokhan.browse.pages import site
    from sokhan.browse.view import from_corpus, from_draft
    from sokhan.build import assemble
    from sokhan.checks.incidents import shown_path
    from sokhan.checks.jsonfile import load_object
    from sokhan.checks.outdir import output_incidents

    started = time.perf_counter()
    inputs = {"seeds": args.seeds, "annotations": args.annotations}
    if args.draft is not None:
        inputs["draft"] = args.draft
    incidents = output_incidents(args.out, inputs)
    if incidents:
        raise BuildError(incidents)
    out = Path(args.out)
    _preflight(args)
    corpus = assemble(args.seeds, args.annotations)
    if args.draft is None:
        view = from_corpus(corpus)
    else:
        # bounded, strict, non-blocking; a draft of null or [] is refused here, not crashed on
        draft, found = load_object(args.draft, "annotation-json", "a draft annotation file")
        if found:
            raise BuildError(found)
        view = from_draft(corpus, draft, shown_path(args.draft))
    files = site(view)
    try:
        write_site(files, out)
    except OSError as err:
        raise BuildError([Incident(str(err.filename or out), "", "corpus-write",
                                   f"{err.strerror or err}; the site folder {out} "
                                   "is as it was")]) from None
    mentions = sum(len(a.layers.mentions) for a in view.articles)
    quotes = sum(len(a.layers.quotes) for a in view.articles)
    print(f"wrote {out}{' (DRAFT)' if view.draft is not None else ''}: {len(files)} pages, "
          f"{len(view.articles)} articles, {len(view.entities)} entities, {mentions} mentions, "
          f"{quotes} quotations in {time.perf_counter() - started:.1f} s")
    return OK


def _validate(args) -> int:
    from sokhan.verify import verify

    args.out = Path(args.out)
    _preflight(args)
    incidents = verify(args.seeds, args.annotations, args.out, args.card)
    if incidents:
        raise BuildError(incidents)
    print(f"{args.out}: valid; seeds, annotations and published files agree with a fresh build")
    return OK


if __name__ == "__main__":
    sys.exit(main())
