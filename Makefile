# Two commands for a new user: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo schedule lint typecheck check clean bench-visibility bench-reminders

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The sweeps beat starts (idempotent: running it again changes nothing).
schedule: migrate
	$(PY) manage.py setup_periodic_tasks

# Web, worker and beat together; Ctrl-C stops all three.
run: demo schedule
	$(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

check: lint typecheck test

# One page of the visible-actions lists at national scale, against the OR-of-EXISTS form
# (set DATABASE_URL to a PostgreSQL database; the data set is generated if missing).
bench-visibility: migrate
	$(PY) -m benchmarks.visibility

# One day's reminder and escalation sweep at national scale, against a naive loop and a
# hand-written INSERT ... SELECT in the same run (set DATABASE_URL to a PostgreSQL database).
bench-reminders: migrate
	$(PY) -m benchmarks.reminders

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Digests (docs/digests.md): the Monday digest sweep for all 150 plans of the national data
# set, against a naive per-action ORM loop in the same run (set DATABASE_URL to PostgreSQL).
.PHONY: bench-digest
bench-digest: migrate
	$(PY) -m benchmarks.digest

# Hostile input: schemathesis as every role, two-user tests, throttles, lost updates.
.PHONY: hostile
hostile: install
	$(BIN)/pytest tests/hostile

# Fault injection (docs/faults.md): the real stack on loopback, one fault at
# a time, full batches and outages. Starts its own PostgreSQL cluster, Redis and SMTP server;
# never the shared ones. CI runs the short version (tests/faults/).
.PHONY: faults
faults: install
	$(PY) -m faults

.PHONY: bench-api
BENCH_STAMP := $(VENV)/.installed-bench

# locust and pyinstrument, kept out of the test environment (requirements-bench.txt).
$(BENCH_STAMP): requirements-bench.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $(BENCH_STAMP)

# The action API under HTTP load (gunicorn, locust) against a bare Django view in the same
# run (set DATABASE_URL to a PostgreSQL database of its own; the national data set is
# generated into it if missing). BENCH_API_ARGS="--profile" profiles the list instead.
bench-api: migrate $(BENCH_STAMP)
	$(PY) -m benchmarks.api_load $(BENCH_API_ARGS)

# The heaviest workspace pages under HTTP load (gunicorn, locust), each signed in as the person
# who uses it and set beside the API list of the same rows in the same run (set DATABASE_URL
# to a PostgreSQL database of its own; the national data set is generated into it if missing).
# Options in BENCH_WEB_ARGS, e.g. "--seconds 60 --users 20".
.PHONY: bench-web
bench-web: migrate $(BENCH_STAMP)
	$(PY) -m benchmarks.web_load $(BENCH_WEB_ARGS)
