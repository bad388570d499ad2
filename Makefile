# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test test-postgres migrate seed lint bench-pagination bench-scores bench-search clean

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

bench-pagination: install
	$(BIN)/python bench/pagination.py

bench-scores: install
	$(BIN)/python bench/scores.py

bench-search: install
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) data .pytest_cache
