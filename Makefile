# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench install install-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Installs, migrates, loads the demo data and runs web (127.0.0.1:8000), a Celery worker and
# Celery beat together; Ctrl-C stops all three. SQLite and a file-system broker: no servers needed.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Installs the test dependencies and runs the whole suite, on two workers (pytest-xdist; modules
# with costly module-wide fixtures stay whole on one, see tests/conftest.py). PYTEST_WORKERS=0: one process.
PYTEST_WORKERS ?= 2
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The benchmarks that set up everything they need (the PostgreSQL server binaries, for a private cluster),
# briefly; bench/README.md has every benchmark at full length, and the ones that need a server or the large demo.
bench: install-dev
	$(BIN)/python bench/bench_exports.py --runs 1
	$(BIN)/python bench/bench_import.py --sizes 1000
	$(BIN)/python bench/bench_load.py --users 10 --seconds 10

lint: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
