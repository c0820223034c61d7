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
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements-dev.txt
	touch $(STAMP)

# The local OpenID provider that the single sign-on tests start (tests/stand_ins/oidc), from
# its lock file; again only when the lock file changes. Without npm those tests say so.
OIDC_STAND_IN := tests/stand_ins/oidc
OIDC_STAMP := $(OIDC_STAND_IN)/node_modules/.installed

$(OIDC_STAMP): $(OIDC_STAND_IN)/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix $(OIDC_STAND_IN) --no-audit --no-fund --loglevel=error && touch $(OIDC_STAMP) \
	  || echo "npm ci failed in $(OIDC_STAND_IN): the single sign-on tests cannot run" >&2; \
	else \
	  echo "npm not found (node 20 and npm): the single sign-on tests cannot run" >&2; \
	fi

install: $(STAMP) $(OIDC_STAMP)

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

# The whole suite on TEST_WORKERS processes (pytest-xdist; docs/testing.md): two more than the
# cores, as the longest tests mostly wait on browsers, servers and child processes. TEST_WORKERS=0
# runs it in one process; PYTEST_ARGS adds options. Python caches bytecode whatever the shell
# says: the suite starts hundreds of Python processes, and pytest keeps its rewritten test
# modules there.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 2 )))
test: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup \
	  --no-loadscope-reorder $(PYTEST_ARGS)

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
# Options in BENCH_REMINDERS_ARGS, e.g. "--runs 21 --no-naive".
bench-reminders: migrate
	$(PY) -m benchmarks.reminders $(BENCH_REMINDERS_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Digests (docs/digests.md): the Monday digest sweep for all 150 plans of the national data
# set, against its hand-written SQL floor (in turn, 5 runs each) and a naive per-action ORM
# loop in the same run (set DATABASE_URL to PostgreSQL). Options in BENCH_DIGEST_ARGS, e.g.
# "--runs 9 --no-naive" (docs/performance.md).
.PHONY: bench-digest
bench-digest: migrate
	$(PY) -m benchmarks.digest $(BENCH_DIGEST_ARGS)

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

# The action API and every per-person list under HTTP load (gunicorn, locust), each against a
# bare Django view in the same run (set DATABASE_URL to a PostgreSQL database of its own; the
# national data set is generated into it if missing). BENCH_API_ARGS="--only lists" runs some
# scenarios only; "--profile" profiles the action list instead.
bench-api: migrate $(BENCH_STAMP)
	$(PY) -m benchmarks.api_load $(BENCH_API_ARGS)

# Every per-person list in-process, selector against the rule it replaced, with JIT on and
# off (BENCH_LISTS_ARGS="--jit --explain"; set DATABASE_URL to a PostgreSQL database).
.PHONY: bench-lists
bench-lists: migrate
	$(PY) -m benchmarks.lists $(BENCH_LISTS_ARGS)

# The heaviest workspace pages under HTTP load (gunicorn, locust), each signed in as the person
# who uses it and set beside the API list of the same rows in the same run (set DATABASE_URL
# to a PostgreSQL database of its own; the national data set is generated into it if missing).
# Options in BENCH_WEB_ARGS, e.g. "--seconds 60 --users 20".
.PHONY: bench-web
bench-web: migrate $(BENCH_STAMP)
	$(PY) -m benchmarks.web_load $(BENCH_WEB_ARGS)

# A local OpenID provider on 127.0.0.1:9400 for trying single sign-on by hand beside `make run`
# (README.md, "Single sign-on on your machine"): every sign-in is SSO_EMAIL's.
SSO_EMAIL ?= ehc.manager@northshire.example
.PHONY: sso-provider
sso-provider: $(OIDC_STAMP)
	node $(OIDC_STAND_IN)/provider.mjs --port 9400 --client-id workspace \
	  --client-secret workspace-secret --email $(SSO_EMAIL)
