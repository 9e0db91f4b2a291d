# Bodega: `make run` serves the API with a demo chain; `make test` runs the whole suite.
# Both need only Python 3.11+, gcc and make: they create .venv and install everything.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-services fuzz lint snapshots bench bench-events bench-orders bench-pricing bench-replenish bench-segments clean

# The shipped plugins are installed beside Bodega (each is its own distribution).
PLUGINS := $(wildcard plugins/*/pyproject.toml)
# A changed kernel is compiled again by the same install.
KERNELS := $(wildcard native/bodega_native/*.pyx native/bodega_native/*.pxd)

$(STAMP): pyproject.toml setup.py $(PLUGINS) $(KERNELS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' $(patsubst %/pyproject.toml,-e %,$(PLUGINS))
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bodega dev

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite against already-running servers (default: PostgreSQL and Redis on localhost).
test-services: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Random, deeper schemathesis exploration (the normal suite replays fixed examples).
fuzz: $(STAMP)
	BODEGA_FUZZ=1 $(BIN)/python -m pytest -q tests/api/test_schemathesis.py

snapshots: $(STAMP)
	BODEGA_UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest -q tests/api/test_snapshots.py

# Read throughput of a real `bodega serve` against baselines of the same run (see bench/README.md).
bench: $(STAMP)
	$(BIN)/python bench/rest_reads.py $(BENCH_ARGS)

# Events relayed and delivered per second to a local receiver, against its ceiling (bench/README.md).
bench-events: $(STAMP)
	$(BIN)/python bench/events.py $(BENCH_ARGS)

# Sales created and paid per second through a real `bodega serve`, next to plain INSERTs (bench/README.md).
bench-orders: $(STAMP)
	$(BIN)/python bench/orders.py $(BENCH_ARGS)

# The promotion engine on a 50-line basket against 500 promotions, compiled next to pure Python (bench/README.md).
bench-pricing: $(STAMP)
	$(BIN)/python bench/pricing.py $(BENCH_ARGS)

# Suggested store orders for 3 stores x 2,000 products x 365 days, phase by phase (bench/README.md).
bench-replenish: $(STAMP)
	$(BIN)/python bench/replenishment.py $(BENCH_ARGS)

# The nightly segment refresh of 100,000 members with 1,000,000 paid orders, next to a bare GROUP BY (bench/README.md).
bench-segments: $(STAMP)
	$(BIN)/python bench/segments.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check platform native plugins tests
	$(BIN)/ruff format --check platform native plugins tests

clean:
	rm -rf $(VENV) build *.egg-info .bodega
