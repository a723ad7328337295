"""The ``sokhan`` command line: every subcommand, its arguments and its exit status.

``build``, ``validate`` and ``checks`` make and verify the corpus; ``add``,
``annotate``, ``anchors``, ``accept``, ``draft-sentences`` and ``release`` grow it
(README, "Adding an article"); ``eval-preannotator`` measures the pre-annotator.

Bad input ends with every incident on standard error, one per line as
``path: location: [check-id] message``, and exit status 1, never with a
traceback. An unexpected internal error prints one line and exits with status
2 (``SOKHAN_DEBUG=1`` shows the traceback); an interrupt exits with 130.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

from sokhan import __version__
from sokhan.checks.incidents import CHECKS, BuildError, Incident, markdown_table, shown_path
from sokhan.stages.resources import collector_paused

#: Commands that only print: "nothing written" would say nothing about them.
_REPORT_ONLY = frozenset({"checks", "agreement", "eval-zwnj"})
#: Exit statuses.
OK, BAD_INPUT, INTERNAL, INTERRUPTED = 0, 1, 2, 130

_DESCRIPTION = ("Sokhan: build, check and measure a Persian news corpus annotated with "
                "entities and quotations.")


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of at least 1")
    return int(text)


def _inputs(p: argparse.ArgumentParser, card: bool = True) -> None:
    p.add_argument("--seeds", type=Path, default=Path("seeds"),
                   help="seed folder (default: seeds)")
    p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                   help="annotation folder (default: corpus/annotations)")
    if card:
        # a str, not a Path: Path("") is ".", and an empty --out must be refused, not
        # taken for the working folder
        p.add_argument("--out", default="corpus", help="corpus folder (default: corpus)")
        p.add_argument("--card", type=Path, default=None,
                       help="dataset card template (default: dataset_card.md in the working "
                            "folder if there is one, else the template installed with sokhan)")
        p.add_argument("--allow-unannotated", action="store_true",
                       help="leave seeds without a gold annotation file out of the published "
                            "corpus instead of failing (annotation-missing)")
        p.add_argument("-q", "--quiet", action="store_true",
                       help="no progress lines (they are shown only on a terminal anyway)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sokhan", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"sokhan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, what in (("build", "build the corpus; validates everything first and replaces "
                                 "the output folder atomically"),
                       ("validate", "check seeds, annotations and the published corpus against "
                                    "a fresh in-memory build; writes nothing")):
        p = sub.add_parser(name, help=what, description=what)
        _inputs(p)
        if name == "validate":
            p.add_argument("--draft", type=Path, metavar="DRAFT.json",
                           help="check a draft annotation file (offsets or anchors) instead: "
                                "every problem sokhan accept would refuse it for")
    _authoring_parsers(sub)
    what = "pre-annotate an article: write a draft annotation file to review"
    ann = sub.add_parser("annotate", help=what, description=what)
    ann.add_argument("article", type=Path, help="the article (UTF-8, one paragraph a line)")
    ann.add_argument("--out", required=True, help="the draft annotation file to write")
    ann.add_argument("--doc-id", help="doc id for the draft (default: the file name's stem)")
    what = "leave-one-out evaluation of the pre-annotator on the gold articles"
    ev = sub.add_parser("eval-preannotator", help=what, description=what)
    for p in (ann, ev):
        p.add_argument("--seeds", type=Path, default=Path("seeds"),
                       help="seed folder (default: seeds)")
        p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                       help="annotation folder with the registry and the gold files "
                            "(default: corpus/annotations)")
    ev.add_argument("--json", action="store_true", help="print the table as JSON data")
    what = "write the static annotation browser (a self-contained HTML site)"
    p = sub.add_parser("browse", help=what, description=what)
    p.add_argument("--seeds", type=Path, default=Path("seeds"),
                   help="seed folder (default: seeds)")
    p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                   help="annotation folder (default: corpus/annotations)")
    p.add_argument("--out", default="site", help="site folder, replaced (default: site)")
    p.add_argument("--draft", type=Path, default=None,
                   help="browse this draft annotation file (sokhan annotate) instead of the gold")
    for name, what in (("export", "write the annotated articles in a standard format"),
                       ("import", "read a corrected brat or XMI export back into an "
                                  "annotation file")):
        p = sub.add_parser(name, help=what, description=what)
        p.add_argument("--seeds", type=Path, default=Path("seeds"),
                       help="seed folder (default: seeds)")
        p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                       help="annotation folder (default: corpus/annotations)")
    export = sub.choices["export"]
    export.add_argument("--format", required=True, choices=("conllu", "iob2", "brat", "xmi"))
    # a str, not a Path: Path("") would silently mean the working folder
    export.add_argument("--out", required=True, help="folder to write the files into")
    imp = sub.choices["import"]
    imp.add_argument("--format", required=True, choices=("xmi", "brat"))
    imp.add_argument("file", type=Path, help="the .xmi file, or the .ann file (its .txt beside)")
    imp.add_argument("--out", required=True, help="annotation file to write")
    imp.add_argument("--typesystem", type=Path,
                     help="TypeSystem.xml (default: the one beside the XMI file)")
    imp.add_argument("--annotator", help="annotator name (default: the one the export recorded)")
    what = "run the unannotated text pipeline over any number of articles into sharded Parquet"
    p = sub.add_parser("process", help=what, description=what)
    p.add_argument("input", type=Path,
                   help="a folder of .txt files, a JSONL file or a Parquet file (id, text)")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local processes (default) or Dask distributed")
    p.add_argument("--workers", type=_positive, default=1, help="worker processes (default: 1)")
    p.add_argument("--scheduler",
                   help="address of a running Dask scheduler (implies --engine dask)")
    p.add_argument("--strict", action="store_true", help="stop at the first bad record")
    p.add_argument("--shard-records", type=_positive, metavar="N",
                   help="input records per shard (default: set by the input's size, so that "
                        "a small input still makes enough shards to share among workers); "
                        "the same whatever the engine and the worker count")
    p.add_argument("--drafts", action="store_true",
                   help="add a third config, drafts: the pre-annotator's machine-made draft of "
                        "every article (slower; never gold)")
    p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                   help="with --drafts: the registry and gold files the pre-annotator learns "
                        "from (default: corpus/annotations)")
    p.add_argument("--seeds", type=Path, default=Path("seeds"),
                   help="with --drafts: the gold articles' seed folder (default: seeds)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    checks = sub.add_parser("checks", help="list the stable check ids",
                            description="list the stable check ids and what each one finds")
    checks.add_argument("--markdown", action="store_true",
                        help="print the Markdown table of docs/checks.md")
    what = ("print the inter-annotator agreement of the annotation passes (the dataset "
            "card's tables), computed on the validated seeds and annotations")
    agreement = sub.add_parser("agreement", help="print inter-annotator agreement",
                               description=what)
    _inputs(agreement, card=False)
    agreement.add_argument("--disagreements", action="store_true",
                           help="print every disagreement between passes A and B as JSON")
    what = ("print ZWNJ-restoration recall and precision on the seeds, hazm alone against "
            "hazm + Sokhan, scored on the hand-labelled list shipped with the package")
    zwnj = sub.add_parser("eval-zwnj", help="measure ZWNJ restoration", description=what)
    zwnj.add_argument("--seeds", type=Path, default=Path("seeds"),
                      help="seed folder (default: seeds)")
    zwnj.add_argument("-v", "--verbose", action="store_true",
                      help="also list misses and changes outside the listed words")
    return parser


def _authoring_parsers(sub) -> None:
    """``add``, ``anchors``, ``accept``, ``draft-sentences`` and ``release``."""
    def folders(p, annotations: bool = True) -> None:
        p.add_argument("--seeds", type=Path, default=Path("seeds"),
                       help="seed folder (default: seeds)")
        if annotations:
            p.add_argument("--annotations", type=Path, default=Path("corpus/annotations"),
                           help="annotation folder (default: corpus/annotations)")

    what = "copy a new article into the seeds folder and write its manifest entry"
    p = sub.add_parser("add", help=what, description=what)
    p.add_argument("file", type=Path, help="the article: UTF-8, one paragraph a line")
    folders(p, annotations=False)
    what = "convert a draft's spans between raw offsets and {line, text, occurrence} anchors"
    p = sub.add_parser("anchors", help=what, description=what)
    p.add_argument("draft", type=Path, help="the draft annotation file")
    way = p.add_mutually_exclusive_group(required=True)
    way.add_argument("--to-anchors", action="store_true", help="offsets -> anchors")
    way.add_argument("--to-offsets", action="store_true", help="anchors -> offsets")
    p.add_argument("--out", required=True, help="the file to write")
    folders(p)
    what = "turn a reviewed draft into the gold file and add its new entities to the registry"
    p = sub.add_parser("accept", help=what, description=what)
    p.add_argument("draft", type=Path, help="the reviewed draft (offsets or anchors)")
    p.add_argument("--annotator", help="the gold file's annotator field (default: the draft's)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing gold file")
    folders(p)
    what = "draft an article's entry of the expected-sentences fixture, to review"
    p = sub.add_parser("draft-sentences", help=what, description=what)
    p.add_argument("doc_id", help="the seed's doc id (or file name)")
    p.add_argument("--into", type=Path, metavar="FIXTURE",
                   help="add the entry to this fixture file (default: print it)")
    p.add_argument("--overwrite", action="store_true", help="replace the article's entry")
    folders(p, annotations=False)
    what = "set the version and release date in pyproject.toml, the package and CITATION.cff"
    p = sub.add_parser("release", help=what, description=what)
    p.add_argument("version", help="the new version, X.Y.Z")
    p.add_argument("--date", help="release date, YYYY-MM-DD (default: today, UTC)")
    p.add_argument("--root", type=Path, default=Path(), help="project root (default: .)")


#: Commands that never run the text pipeline, so they do not import hazm.
_WITHOUT_HAZM = frozenset({"checks", "release", "agreement"})


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (it never raises)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error argparse has already printed
        return stop.code if isinstance(stop.code, int) else INTERNAL
    command = getattr(args, "command", "?")
    try:
        if getattr(args, "card", "") is None:  # --card not given
            from sokhan.publication.card import default_card_template

            args.card = default_card_template()
        if command not in _WITHOUT_HAZM:
            # hazm's import builds long-lived tables: cheaper with the collector paused
            with collector_paused():
                import sokhan.stages.normalise  # noqa: F401
        if command == "checks":
            print(markdown_table() if args.markdown
                  else "\n".join(f"{check}\t{what}" for check, what in CHECKS.items()))
            return OK
        if command == "build":
            return _build(args)
        if command == "agreement":
            return _agreement(args)
        if command == "eval-zwnj":
            return _eval_zwnj(args)
        if command == "annotate":
            return _annotate(args)
        if command == "eval-preannotator":
            return _eval_preannotator(args)
        if command in AUTHORING:
            return AUTHORING[command](args)
        if command == "browse":
            return _browse(args)
        if command == "export":
            return _export(args)
        if command == "import":
            return _import(args)
        if command == "process":
            return _process(args)
        return _validate(args)
    except BuildError as err:
        for incident in err.incidents:
            print(incident, file=sys.stderr)
        # the verdict, always the last line; every command that writes checks first and
        # writes nothing when it finds a problem (the report-only commands write nothing anyway)
        tail = "" if command in _REPORT_ONLY else "; nothing written"
        print(f"sokhan {command}: {len(err.incidents)} problem(s){tail}", file=sys.stderr)
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


def _progress(args: argparse.Namespace):
    """One line per finished stage on standard error, on a terminal and without ``-q``."""
    if args.quiet or not sys.stderr.isatty():
        return None

    def report(name: str, seconds: float) -> None:
        print(f"  {name}: {seconds:.1f} s", file=sys.stderr, flush=True)

    return report


def _preflight(args: argparse.Namespace) -> None:
    """Refuse a mistyped ``--annotations`` before it builds a corpus without annotations."""
    registry = args.annotations / "entities.json"
    if not registry.exists():
        raise BuildError([Incident(shown_path(registry), "", "registry-json",
                                   "file not found; expected the entity registry in the "
                                   "annotations folder (is --annotations right?)")])


def _guard_output(args: argparse.Namespace) -> Path:
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


def _annotate(args: argparse.Namespace) -> int:
    from sokhan.annotate.run import run, summary
    from sokhan.checks.outdir import output_incidents

    started = time.perf_counter()
    _preflight(args)
    # the draft must not land in (or replace) an input: the gold folder, the seeds
    incidents = output_incidents(args.out, {"article": args.article, "seeds": args.seeds,
                                            "annotations": args.annotations})
    if incidents:
        raise BuildError(incidents)
    result = run(args.article, Path(args.out), args.annotations, args.seeds, args.doc_id)
    print(f"wrote draft {args.out}: {summary(result)} in {time.perf_counter() - started:.1f} s; "
          "review it, set draft.status to reviewed, then run sokhan accept")
    return OK


def _eval_preannotator(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from sokhan.evaluation.preannotator import leave_one_out, markdown

    _preflight(args)
    table = leave_one_out(args.annotations, args.seeds)
    if args.json:
        print(json.dumps(dataclasses.asdict(table), indent=1))
    else:
        print(markdown(table))
    return OK


def _build(args: argparse.Namespace) -> int:
    from sokhan.build import build
    from sokhan.publication.swap import recover

    started = time.perf_counter()
    args.out = _guard_output(args)
    try:
        recover(args.out)  # a corpus a killed build left under its backup name
        _preflight(args)
        result = build(args.seeds, args.annotations, args.out, args.card, _progress(args),
                       allow_unannotated=args.allow_unannotated)
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
    for seed in result["unannotated_seeds"]:
        print(f"  not published: {seed} (no gold annotation; counted in build-manifest.json "
              "and the card)")
    return OK


def _process(args: argparse.Namespace) -> int:
    from sokhan.process.run import Options, guard_output, inputs_of, process, summary
    from sokhan.publication.parquet import skip_pandas_probe

    engine = "dask" if args.scheduler else args.engine
    opts = Options(args.input, Path(args.out), engine, args.workers, args.scheduler,
                   args.strict, args.quiet, shard_docs=args.shard_records, drafts=args.drafts,
                   annotations=args.annotations, seeds=args.seeds)
    guard_output(args.out, inputs_of(opts))  # before anything, with "" still empty
    args.out = Path(args.out)
    skip_pandas_probe()  # a command of its own: no pandas objects reach Arrow here
    try:
        manifest = process(opts)
    except OSError as err:
        raise BuildError([Incident(str(err.filename or args.out), "", "corpus-write",
                                   f"{err.strerror or err}; the output folder {args.out} "
                                   "is as it was")]) from None
    print(summary(opts, manifest))
    return OK


def _browse(args: argparse.Namespace) -> int:
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


def _validate(args: argparse.Namespace) -> int:
    from sokhan.verify import verify

    if args.draft:
        return _validate_draft(args)
    args.out = Path(args.out)
    _preflight(args)
    incidents = verify(args.seeds, args.annotations, args.out, args.card, _progress(args),
                       allow_unannotated=args.allow_unannotated)
    if incidents:
        raise BuildError(incidents)
    print(f"sokhan validate: {args.out} is valid; seeds, annotations and published files "
          "agree with a fresh build")
    return OK


def _agreement(args: argparse.Namespace) -> int:
    from sokhan.build import assemble
    from sokhan.evaluation.agreement import PASSES, disagreements, markdown_report, pass_files

    _preflight(args)
    corpus = assemble(args.seeds, args.annotations)
    if args.disagreements:
        a, b = (pass_files(corpus, p) for p in PASSES)
        print(json.dumps(disagreements(a, b), ensure_ascii=False, indent=1))
    else:
        print(markdown_report(corpus))
    return OK


def _eval_zwnj(args: argparse.Namespace) -> int:
    from sokhan.evaluation.zwnj import report_text
    from sokhan.stages.seeds import read_seeds

    # verified seeds: a missing or altered folder is refused like in a build
    lines = {s.doc_id: s.raw_text.split("\n") for s in read_seeds(args.seeds)}
    print(report_text(lines, verbose=args.verbose))
    return OK


def _export(args) -> int:
    from sokhan.build import assemble
    from sokhan.checks.jsonfile import load_object
    from sokhan.checks.outdir import output_incidents
    from sokhan.exchange.adapter import exchange_documents
    from sokhan.exchange.export import export_files
    from sokhan.publication.columns import config_splits
    from sokhan.publication.swap import publish

    _preflight(args)
    incidents = output_incidents(args.out, {"seeds": args.seeds, "annotations": args.annotations})
    if incidents:
        raise BuildError(incidents)
    corpus = assemble(args.seeds, args.annotations)  # validates every input first
    annotations: dict[str, dict] = {}
    for doc in corpus.docs:
        path = args.annotations / f"{doc.doc_id}.json"
        if path.exists():
            # valid when assemble checked it; one changed since is refused, not exported
            ann, found = load_object(path, "annotation-json", "an annotation file")
            if found:
                raise BuildError(found)
            assert ann is not None
            annotations[doc.doc_id] = ann
    docs = exchange_documents(corpus, annotations)
    files = export_files(args.format, docs, config_splits("sentences"))
    try:
        # as the build does: a failed or killed export leaves the old folder; files it
        # does not write are kept
        publish({rel: text.encode("utf-8") for rel, text in files.items()}, Path(args.out))
    except OSError as err:
        raise BuildError([Incident(str(err.filename or args.out), "", "corpus-write",
                                   f"{err.strerror or err}; expected a writable folder")]) from None
    size = sum(len(t.encode("utf-8")) for t in files.values())
    print(f"exported {len(docs)} articles as {args.format} to {args.out}: {len(files)} files, "
          f"{size} bytes")
    skipped = len(corpus.docs) - len(docs)
    if skipped:
        print(f"skipped: {skipped} articles without an annotation file")
    return OK


def _import(args) -> int:
    from sokhan.build import assemble
    from sokhan.checks.incidents import shown_path
    from sokhan.checks.outdir import output_incidents
    from sokhan.exchange.importer import annotation_bytes, import_annotation

    _preflight(args)
    # the gold files are never rewritten by a script: --out inside the annotations is refused
    incidents = output_incidents(args.out, {"seeds": args.seeds, "annotations": args.annotations,
                                            "imported file": args.file})
    if incidents:
        raise BuildError(incidents)
    out = Path(args.out)
    corpus = assemble(args.seeds, args.annotations)
    ann = import_annotation(args.format, args.file, corpus, typesystem=args.typesystem,
                            annotator=args.annotator)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
        try:
            partial.write_bytes(annotation_bytes(ann))
            partial.replace(out)  # one rename: the old file or the new one, never half of one
        finally:
            partial.unlink(missing_ok=True)
    except OSError as err:
        raise BuildError([Incident(shown_path(out), "", "corpus-write",
                                   f"{err.strerror or err}; expected a writable file")]) from None
    print(f"imported {args.file} into {args.out}: {len(ann['mentions'])} mentions, "
          f"{len(ann['quotes'])} quotations of {ann['doc_id']}")
    return OK


def _validate_draft(args) -> int:
    from sokhan.authoring.accept import review

    _preflight(args)
    result = review(args.draft, args.seeds, args.annotations)
    if result.incidents:
        raise BuildError(list(result.incidents))
    todo = ("ready: run sokhan accept" if result.status == "reviewed"
            else "set draft.status to \"reviewed\" once every item is checked, then run "
                 "sokhan accept")
    print(f"{args.draft}: no problems; {len(result.gold['mentions'])} mentions, "
          f"{len(result.gold['quotes'])} quotations, {len(result.added)} new registry "
          f"entities; status {result.status!r}: {todo}")
    return OK


def _refuse_unsafe(out, inputs: dict) -> None:
    from sokhan.checks.outdir import output_incidents

    incidents = output_incidents(out, inputs)
    if incidents:
        raise BuildError(incidents)


def _add(args) -> int:
    from sokhan.authoring.add import add, to_fill_in

    _refuse_unsafe(args.seeds, {"article": args.file})
    entry = add(args.file, args.seeds)
    print(f"added {args.seeds / entry['file']} as {entry['doc_id']} "
          f"({entry['size']} bytes, sha256 {entry['sha256'][:12]}…)")
    found = [k for k in ("headline", "outlet", "source_credit", "event_date") if entry[k]]
    print("  from the text: " + (", ".join(f"{k} = {entry[k]}" for k in found) or "nothing"))
    print(f"  to fill in (null) in {args.seeds / 'manifest.json'}: "
          + ", ".join(to_fill_in(entry)))
    print(f"next: sokhan annotate {args.seeds / entry['file']} --out {entry['doc_id']}.draft.json"
          "; review it; sokhan accept; sokhan build; sokhan validate")
    return OK


def _anchors(args) -> int:
    from sokhan.annotate.run import write_atomically
    from sokhan.authoring.anchors import to_anchors, to_offsets
    from sokhan.checks.incidents import shown_path
    from sokhan.checks.jsonfile import load_json
    from sokhan.stages.seeds import read_seeds

    _refuse_unsafe(args.out, {"draft": args.draft, "seeds": args.seeds,
                              "annotations": args.annotations})
    ann, incidents = load_json(args.draft, "annotation-json")
    if incidents:
        raise BuildError(incidents)
    seeds = {s.doc_id: s for s in read_seeds(args.seeds)}
    doc_id = ann.get("doc_id") if isinstance(ann, dict) else None
    if not isinstance(ann, dict) or doc_id not in seeds:
        raise BuildError([Incident(shown_path(args.draft), "/doc_id", "annotation-orphan",
                                   f"no seed article {doc_id!r}; expected a manifest doc id")])
    raw = seeds[doc_id].raw_text
    if args.to_anchors:
        result = to_anchors(ann, raw)
    else:
        result, incidents = to_offsets(ann, raw, shown_path(args.draft))
        if incidents:
            raise BuildError(incidents)
    write_atomically(Path(args.out), json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {args.out}: spans as {'anchors' if args.to_anchors else 'raw offsets'}")
    return OK


def _accept(args) -> int:
    from sokhan.authoring.accept import accept

    _preflight(args)
    _refuse_unsafe(args.annotations, {"draft": args.draft, "seeds": args.seeds})
    result = accept(args.draft, args.seeds, args.annotations, annotator=args.annotator,
                    overwrite=args.overwrite)
    print(f"wrote {args.annotations / (result.doc_id + '.json')}: "
          f"{len(result.gold['mentions'])} mentions, {len(result.gold['quotes'])} quotations; "
          f"{len(result.added)} entities added to the registry"
          + (f" ({', '.join(result.added)})" if result.added else ""))
    print("next: sokhan build; sokhan validate")
    return OK


def _draft_sentences(args) -> int:
    from sokhan.authoring.sentences import draft, merge_into

    doc_id = args.doc_id.removesuffix(".txt")
    if args.into:
        _refuse_unsafe(args.into.parent, {"seeds": args.seeds})
    entry = draft(args.seeds, doc_id)
    if args.into:
        merge_into(args.into, doc_id, entry, args.overwrite)
        print(f"wrote {len(entry)} drafted sentences of {doc_id} into {args.into}; review "
              "each role, line and boundary before committing")
    else:
        print(json.dumps({doc_id: entry}, ensure_ascii=False, indent=1))
    return OK


def _release(args) -> int:
    import datetime

    from sokhan.authoring.release import release

    date = args.date or datetime.datetime.now(datetime.UTC).date().isoformat()
    changed = release(args.root, args.version, date)
    print(f"version {args.version}, released {date}: rewrote {', '.join(changed)}; "
          "reinstall (make setup) and rebuild (sokhan build) so the corpus carries it")
    return OK


AUTHORING = {"add": _add, "anchors": _anchors, "accept": _accept,
             "draft-sentences": _draft_sentences, "release": _release}


if __name__ == "__main__":
    sys.exit(main())
