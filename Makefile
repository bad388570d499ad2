# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test test-postgres migrate seed lint bench-pagination bench-scores bench-search bench bench-ci wrk clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-warn-script-location -e '.[dev]'
	@touch $@

migrate: install
	$(BIN)/policy-ledger migrate

seed: migrate
	$(BIN)/policy-ledger seed --if-empty

run: seed
	$(BIN)/policy-ledger serve

test: seed
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-postgres: install
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/mypy app

BENCH_STAMP := $(VENV)/.bench-installed
BENCH_ARGS ?=

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-warn-script-location -e '.[dev,bench]'
	@touch $@

# wrk comes from the system's packages; as root, install it when it is missing.
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq wrk) || true; }

# The load harness: ours against a raw Starlette+sqlite3 baseline and Datasette.
# DATABASE_URL=postgresql+psycopg://... adds a run of ours against PostgreSQL.
bench: $(BENCH_STAMP) wrk
	$(BIN)/python bench/harness.py $(if $(DATABASE_URL),--database-url $(DATABASE_URL)) $(BENCH_ARGS)

# A small, quick run of the same harness (10,000 predictions, 3 s per operation: enough open
# predictions that resolving at a few thousand a second does not run out).
bench-ci: $(BENCH_STAMP) wrk
	$(BIN)/python bench/harness.py --predictions 10000 --duration 3 --warmup 1 --results bench/results/ci $(BENCH_ARGS)

bench-pagination: install
	$(BIN)/python bench/pagination.py

bench-scores: install
	$(BIN)/python bench/scores.py

bench-search: install
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) data .pytest_cache
