"""The pinned dependency set installs and imports together (hazm needs NumPy 1.24)."""

from importlib.metadata import version

import pytest

PINS = {
    "hazm": "0.10.0",
    "numpy": "1.24.3",
    "pyarrow": "25.0.1",
    "datasets": "5.2.0",
    "wordfreq": "3.1.1",
    "jsonschema": "4.26.0",
    "polars": "2.1.0",
    "sklearn-crfsuite": "0.5.0",
    "python-crfsuite": "0.9.12",
    "scikit-learn": "1.9.1",
    "babel": "2.18.0",
    "matplotlib": "3.10.8",
    "selenium": "4.36.0",
    "conllu": "6.0.0",
    "dkpro-cassis": "0.12.0",
}


@pytest.mark.parametrize(("package", "pinned"), sorted(PINS.items()))
def test_installed_version_is_the_pin(package, pinned):
    assert version(package) == pinned


@pytest.mark.slow
def test_the_pinned_set_imports_together():
    import datasets
    import fastjsonschema
    import hazm
    import jsonschema
    import numpy
    import pyarrow

    # pyarrow 26 would refuse NumPy 1.x; this proves the set works in one process.
    arr = pyarrow.array(numpy.arange(3))
    assert arr.to_pylist() == [0, 1, 2]
    assert hazm.Normalizer().normalize("میتواند") == "می\u200cتواند"
    assert datasets.Features.from_arrow_schema(pyarrow.schema([("x", pyarrow.int32())]))
    assert jsonschema.Draft202012Validator({"type": "string"}).is_valid("سخن")
    assert fastjsonschema.compile({"type": "string"})("سخن") == "سخن"


def test_polars_works_with_the_pinned_numpy():
    import numpy
    import polars

    assert numpy.__version__ == "1.24.3"
    frame = polars.from_numpy(numpy.arange(3, dtype=numpy.int32), schema=["n"])
    assert frame["n"].dtype == polars.Int32 and frame["n"].to_numpy().tolist() == [0, 1, 2]


@pytest.mark.slow
def test_matplotlib_draws_with_numpy_1_24():
    import numpy
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    assert numpy.__version__ == "1.24.3"
    fig = Figure(figsize=(1, 1))
    FigureCanvasAgg(fig)
    fig.add_subplot().plot(numpy.arange(3))
    fig.canvas.draw()
    assert numpy.asarray(fig.canvas.buffer_rgba()).shape == (100, 100, 4)
def test_the_exchange_libraries_import_with_the_pinned_numpy():
    import cassis
    import conllu

    # dkpro-cassis needs no NumPy, so it cannot pull a NumPy 2 in beside hazm's 1.24
    ts = cassis.TypeSystem()
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = "سخن"
    assert cassis.load_cas_from_xmi(cas.to_xmi(), typesystem=ts).sofa_string == "سخن"
    assert conllu.parse("1\tسخن\t_\t_\t_\t_\t_\t_\t_\t_\n\n")[0][0]["form"] == "سخن"


def test_lock_file_pins_the_output_changing_libraries():
    from pathlib import Path

    lock = (Path(__file__).parents[1] / "requirements.lock").read_text().splitlines()
    for package, pinned in PINS.items():
        assert f"{package}=={pinned}" in lock


def test_the_pre_annotator_libraries_import_with_numpy_1_24():
    import numpy
    import sklearn_crfsuite
    from babel import Locale

    assert numpy.__version__ == "1.24.3"
    crf = sklearn_crfsuite.CRF(algorithm="lbfgs", max_iterations=5)
    crf.fit([[{"w": "ایران"}, {"w": "و"}]], [["B-GPE", "O"]])
    assert [list(row) for row in crf.predict([[{"w": "ایران"}, {"w": "و"}]])] == [["B-GPE", "O"]]
    assert Locale("fa").territories["RU"] == "روسیه"  # CLDR data ships with babel


@pytest.mark.slow
def test_the_dask_extra_imports_with_the_pinned_set():
    # sokhan[dask] must install beside hazm's NumPy 1.24 and the locked pandas
    import dask
    import distributed
    import numpy
    import pandas

    assert (dask.__version__, distributed.__version__) == ("2026.8.0", "2026.8.0")
    assert (numpy.__version__, pandas.__version__) == ("1.24.3", "2.3.3")
    assert dask.compute(dask.delayed(sum)([1, 2, 3]))[0] == 6
