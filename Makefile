# Two commands on a fresh machine: `make corpus` (set up and build), `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# A second environment proves the Parquet loads with datasets 3.6 too.
COMPAT := .venv-datasets36
# cffconvert needs jsonschema<4, which cannot share an environment with the build.
CFF := .venv-cffconvert
# mlcroissant needs NumPy 2, which hazm forbids: it validates croissant.json on its own.
MLC := .venv-mlcroissant
PIP_QUIET := --quiet --disable-pip-version-check
# Our own temporary folder: pytest's shared default is cleaned up by every run on the machine.
PYTEST_TMP ?= /tmp/sokhan-pytest-$(notdir $(CURDIR))

.PHONY: corpus test test-fast setup build validate lint clean bytecode

corpus: setup build

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) -c requirements.lock -e ".[test,dask]"
	touch $@

# The package's bytecode, written once: an editable install compiles nothing, and where
# PYTHONDONTWRITEBYTECODE is set every command would compile the package again (~0.3 s).
# Up-to-date files are skipped, so running it before every target costs little.
bytecode: setup
	@$(BIN)/python -m compileall -q scripts/sokhan

$(COMPAT)/.installed: requirements-datasets36.lock
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/pip install $(PIP_QUIET) -r requirements-datasets36.lock
	touch $@

$(CFF)/.installed: requirements-cffconvert.lock
	$(PYTHON) -m venv $(CFF)
	$(CFF)/bin/pip install $(PIP_QUIET) -r requirements-cffconvert.lock
	touch $@

$(MLC)/.installed: requirements-mlcroissant.lock
	$(PYTHON) -m venv $(MLC)
	$(MLC)/bin/pip install $(PIP_QUIET) -r requirements-mlcroissant.lock
	touch $@

build: setup bytecode
	$(BIN)/sokhan build

validate: setup
	$(BIN)/sokhan validate

lint: setup
	$(BIN)/ruff check scripts tests benchmarks
	$(BIN)/mypy

test: setup bytecode $(COMPAT)/.installed $(CFF)/.installed $(MLC)/.installed
	SOKHAN_DATASETS36_PYTHON=$(CURDIR)/$(COMPAT)/bin/python SOKHAN_CFFCONVERT=$(CURDIR)/$(CFF)/bin/cffconvert \
	  SOKHAN_MLCROISSANT=$(CURDIR)/$(MLC)/bin/mlcroissant \
	  $(BIN)/python -m pytest -n auto --basetemp=$(PYTEST_TMP)

# everything but the slow, fuzz and browser tests: the loop while changing code
test-fast: setup bytecode
	$(BIN)/python -m pytest -q -n auto -m "not slow and not fuzz and not browser" --basetemp=$(PYTEST_TMP)

clean:
	rm -rf $(VENV) $(COMPAT) $(CFF) $(MLC) .pytest_cache .ruff_cache .hypothesis
