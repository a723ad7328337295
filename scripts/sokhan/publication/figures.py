"""The card's figures, drawn from the published rows with matplotlib.

Pure: rows in, PNG bytes out. The bytes depend only on the rows and the pinned
matplotlib: the Agg canvas is used directly (no pyplot state, no backend
choice), the style is matplotlib's default with DejaVu Sans (shipped inside
matplotlib, so no system font is looked up), and the PNG carries no
``Software`` or other text chunk. Labels are the registry's English names:
matplotlib neither shapes Arabic letters nor orders right-to-left text.
"""

from __future__ import annotations

import functools
import io
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from sokhan.records import ENTITY_TYPES, QUOTE_FORMS, SPEAKER_KINDS, SPLITS
from sokhan.stages import prepared

#: Figure files, relative to the corpus folder, with the card's caption for each.
FIGURES = {
    "figures/entity-types.png": "Entity mentions per OntoNotes type and split",
    "figures/speakers.png": "The most quoted speakers, by form of quotation",
    "figures/quote-forms.png": "Quotations by form and kind of speaker span",
}
#: How many speakers the speakers figure shows.
TOP_SPEAKERS = 12
_DPI = 100
_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#dddddd",
    "axes.axisbelow": True,
    "svg.hashsalt": "sokhan",
    "path.simplify": False,
}
_COLOURS = ("#3b6ea8", "#e59a3b", "#5a9e6f", "#b05d8c")

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _style() -> AbstractContextManager:
    """The fixed style, as a context.

    matplotlib is imported only when a figure is drawn, so commands that stop at bad
    input (``sokhan validate`` on a huge seed) do not pay for its import.
    """
    import matplotlib as mpl

    return mpl.rc_context(_STYLE)


def _figure(height: float, width: float = 7) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _every(rows: dict[str, dict[str, list[dict]]], config: str) -> list[dict]:
    return [r for split in rows[config].values() for r in split]


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    return buf.getvalue()


def _stacked(ax, labels: list[str], series: dict[str, list[int]]) -> None:
    """Horizontal bars, one segment per series, first label on top, counts at the end."""
    left = [0] * len(labels)
    ys = list(range(len(labels)))[::-1]
    for colour, (name, values) in zip(_COLOURS, series.items(), strict=False):
        ax.barh(ys, values, left=left, label=name, color=colour, height=0.7)
        left = [a + b for a, b in zip(left, values, strict=True)]
    # a corpus without annotations has no bars at all: an empty axis, not an error
    most = max(left, default=0)
    for y, total in zip(ys, left, strict=True):
        ax.text(total + most * 0.01, y, str(total), va="center", fontsize=9)
    ax.set_yticks(ys, labels)
    # a corpus without mentions or quotations (every article empty) draws empty axes
    ax.set_xlim(0, most * 1.1 if most else 1)
    ax.figure.legend(frameon=False, loc="outside lower center", ncol=len(series))


@dataclass(frozen=True)
class Chart:
    """What one figure shows: horizontal stacked bars, one segment per series."""

    height: float
    width: float
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    xlabel: str


def entity_types_chart(rows: dict[str, dict[str, list[dict]]]) -> Chart:
    """Mentions per entity type, stacked by split."""
    counts = {s: Counter(m["type"] for m in rows["mentions"][s]) for s in SPLITS}
    types = tuple(t for t in ENTITY_TYPES if any(counts[s][t] for s in SPLITS))
    return Chart(0.32 * len(types) + 1.5, 7, types,
                 tuple((s, tuple(counts[s][t] for t in types)) for s in SPLITS), "mentions")


def speakers_chart(rows: dict[str, dict[str, list[dict]]]) -> Chart:
    """The most quoted speakers (registry English names), stacked by form."""
    names = {e["id"]: e["name_en"] for e in _every(rows, "entities")}
    names[None] = "(unidentified speaker)"  # published as null
    quotes = _every(rows, "quotes")
    total = Counter(q["speaker_entity"] for q in quotes)
    top = sorted(total, key=lambda e: (-total[e], e or ""))[:TOP_SPEAKERS]
    by_form = {f: Counter(q["speaker_entity"] for q in quotes if q["form"] == f)
               for f in QUOTE_FORMS}
    return Chart(0.32 * len(top) + 1.5, 8, tuple(names.get(e, e or "") for e in top),
                 tuple((f, tuple(by_form[f][e] for e in top)) for f in QUOTE_FORMS),
                 "quotations")


def quote_forms_chart(rows: dict[str, dict[str, list[dict]]]) -> Chart:
    """Quotations per form, stacked by the kind of speaker span."""
    counts = Counter((q["form"], q["speaker_kind"]) for q in _every(rows, "quotes"))
    return Chart(2.6, 7, tuple(QUOTE_FORMS),
                 tuple((k if k != "none" else "none (dropped subject)",
                        tuple(counts[(f, k)] for f in QUOTE_FORMS)) for k in SPEAKER_KINDS),
                 "quotations")


def charts(rows: dict[str, dict[str, list[dict]]]) -> dict[str, Chart]:
    """What every figure shows, by path relative to the corpus folder (no matplotlib)."""
    return {
        "figures/entity-types.png": entity_types_chart(rows),
        "figures/speakers.png": speakers_chart(rows),
        "figures/quote-forms.png": quote_forms_chart(rows),
    }


def draw(charts: dict[str, Chart]) -> dict[str, bytes]:
    """Every chart as PNG bytes, by the same paths."""
    return {path: _drawn(path, chart) for path, chart in charts.items()}


@functools.lru_cache(maxsize=32)
def _drawn(path: str, chart: Chart) -> bytes:
    # Remembered: the bytes are a pure function of the chart, and a process that
    # builds again with the same counts (the test suite builds the mini corpus
    # hundreds of times) would spend three quarters of each build drawing.
    with _style():
        fig = _figure(chart.height, width=chart.width)
        ax = fig.add_subplot()
        _stacked(ax, list(chart.labels), {name: list(v) for name, v in chart.series})
        ax.set_xlabel(chart.xlabel)
        fig.suptitle(FIGURES[path], x=0.02, ha="left")
        return _png(fig)


def figures(rows: dict[str, dict[str, list[dict]]]) -> dict[str, bytes]:
    """Every figure by path relative to the corpus folder."""
    return draw(charts(rows))


def _serve(conn: Connection) -> None:
    """The drawing process: warm up, then draw the one request and send the bytes back."""
    try:
        draw({"figures/quote-forms.png": Chart(1, 1, ("a",), (("a", (1,)),), "")})
        conn.send(draw(conn.recv()))
    except (EOFError, OSError):  # the build stopped (or was killed): nothing to draw
        pass
    except Exception:  # the build draws again here, and reports the error itself
        conn.send(None)


#: The prepared copies (:mod:`sokhan.stages.prepared`) of drawn figures.
_COPIES = "figures"


def remembered(
    drawer: Callable[[dict[str, Chart]], dict[str, bytes]],
) -> Callable[[dict[str, Chart]], dict[str, bytes]]:
    """``drawer``, its figures kept as a prepared copy keyed by the charts and matplotlib.

    A rebuild with the same counts (``make corpus`` again, the tests' builds) then
    loads three PNGs instead of importing matplotlib (a second of CPU, as much as the
    rest of a five-seed build). The bytes are a pure function of the charts, this
    module's code and the pinned matplotlib and NumPy, which make the key.
    """

    def draw_or_load(wanted: dict[str, Chart]) -> dict[str, bytes]:
        from importlib.metadata import version

        key = prepared.key_of({"charts": repr(sorted(wanted.items())),
                               "matplotlib": version("matplotlib"), "numpy": version("numpy")},
                              [prepared.source_of(__name__)])
        kept = prepared.load(_COPIES, key, dict)
        if kept is not None and set(kept) == set(wanted):
            return kept
        drawn = drawer(wanted)
        prepared.store(_COPIES, key, drawn)
        return drawn

    return draw_or_load


@contextmanager
def drawing_process() -> Iterator[Callable[[dict[str, Chart]], dict[str, bytes]]]:
    """A :func:`draw` that runs in a second process, started (and warmed up) at once.

    Importing matplotlib and drawing a first figure cost about a second of CPU, as
    much as the rest of a five-seed build; started first, the second process does it
    while this one runs the text pipeline, so on two cores the build ends that much
    sooner. The bytes are those :func:`draw` gives here (a test compares them). If
    matplotlib is already imported here, no second process can be started, or it
    fails, the figures are drawn here. A build that stops early ends the process at
    once.
    """
    if "matplotlib.figure" in sys.modules or prepared.has_copies(_COPIES):
        # matplotlib imported already (a second build in this process), or figures
        # drawn by an earlier build kept: drawing here, if at all, costs less than a
        # second interpreter importing matplotlib again
        yield remembered(draw)
        return
    ctx = get_context("spawn")  # a fresh interpreter: no state shared with the caller
    try:
        conn, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child,), daemon=True)
        proc.start()
        child.close()
    except (OSError, RuntimeError):  # no processes here (a sandbox, a process limit)
        yield remembered(draw)
        return

    def elsewhere(wanted: dict[str, Chart]) -> dict[str, bytes]:
        try:
            conn.send(wanted)
            drawn = conn.recv()
        except (EOFError, OSError):
            drawn = None
        return drawn if isinstance(drawn, dict) else draw(wanted)

    try:
        yield remembered(elsewhere)
    finally:
        conn.close()
        if proc.is_alive():
            proc.terminate()
        proc.join()


def markdown(prefix: str = "") -> str:
    """The figures as Markdown images, paths relative to the card (or ``prefix``)."""
    return "\n\n".join(f"![{caption}]({prefix}{path})" for path, caption in FIGURES.items())
