# The two commands: `make run` (the whole system with demo data) and `make test` (the whole suite).
# Both create .venv and install what they need; both start embedded PostgreSQL and Redis under
# var/ unless DATABASE_URL / REDIS_URL point at real servers.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m arhub.devservers --root var/dev run

test: $(STAMP)
	$(PY) -m arhub.devservers --root var/test exec -- $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy arhub invoicing payments disputes reminders metrics bench

bench: $(STAMP)
	$(PY) -m arhub.devservers --root var/bench exec -- $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var/test var/bench
