# Two commands on a fresh machine: `make corpus` (set up and build), `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# A second environment proves the Parquet loads with datasets 3.6 too.
COMPAT := .venv-datasets36
# cffconvert needs jsonschema<4, which cannot share an environment with the build.
CFF := .venv-cffconvert
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: corpus test setup build validate lint clean

corpus: setup build

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) -c requirements.lock -e ".[test]"
	touch $@

$(COMPAT)/.installed: requirements-datasets36.lock
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/pip install $(PIP_QUIET) -r requirements-datasets36.lock
	touch $@

$(CFF)/.installed: requirements-cffconvert.lock
	$(PYTHON) -m venv $(CFF)
	$(CFF)/bin/pip install $(PIP_QUIET) -r requirements-cffconvert.lock
	touch $@

build: setup
	$(BIN)/sokhan build

validate: setup
	$(BIN)/sokhan validate

lint: setup
	$(BIN)/ruff check scripts tests

test: setup $(COMPAT)/.installed $(CFF)/.installed
	SOKHAN_DATASETS36_PYTHON=$(COMPAT)/bin/python SOKHAN_CFFCONVERT=$(CFF)/bin/cffconvert \
	  $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(COMPAT) $(CFF) .pytest_cache .ruff_cache .hypothesis
