# Bodega: `make run` serves the API with a demo chain; `make test` runs the whole suite.
# Both need only Python 3.11+, gcc and make: they create .venv and install everything.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint snapshots clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bodega dev

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

snapshots: $(STAMP)
	BODEGA_UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest -q tests/api/test_snapshots.py

lint: $(STAMP)
	$(BIN)/ruff check platform native tests
	$(BIN)/ruff format --check platform native tests

clean:
	rm -rf $(VENV) build *.egg-info .bodega
