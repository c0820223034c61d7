# Two commands for a new user: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo lint typecheck check clean bench-visibility

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

# Web, worker and beat together; Ctrl-C stops all three.
run: demo
	$(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

check: lint typecheck test

# One page of the visible-actions lists at national scale, against the OR-of-EXISTS form
# (set DATABASE_URL to a PostgreSQL database; the data set is generated if missing).
bench-visibility: migrate
	$(PY) -m benchmarks.visibility

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
