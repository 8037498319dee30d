# Developer entry points. Everything runs from the project's own virtualenv in .venv.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
# Interpreters to try for the virtualenv, best first; the first one that is 3.12+ wins.
PYTHON_CANDIDATES := python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python) python3

.DEFAULT_GOAL := help
.PHONY: help venv bytecode run lint test coverage format clean bench bench-smoke chaos chaos-sqlite soak

help:
	@echo "make run     start the app at http://127.0.0.1:8000/ (creates .venv, DB and an admin)"
	@echo "make test    lint, then run the test suite, gating the core's coverage"
	@echo "make coverage  the test suite with every test traced; a report of the whole project"
	@echo "make lint    ruff, mypy, import contracts, migrations check, Django system check"
	@echo "make format  reformat and auto-fix"
	@echo "make bench   workloads W1-W9 on SQLite and PostgreSQL -> bench/results.json (~15 min)"
	@echo "make bench-smoke  the same at tiny sizes, in about a minute"
	@echo "make bytecode  compile the project's modules (run, test, bench and chaos do it first)"
	@echo "make clean   remove caches and build output (keeps .venv, db.sqlite3, .secret_key)"
	@echo "make chaos   50,000 tasks; 4 workers killed, paused, group-TERMed, one cut off in a netns; PostgreSQL cut and restarted; invariants checked"
	@echo "make chaos-sqlite  the chaos run on one SQLite file (kills, pauses, SIGTERMs; no partition)"
	@echo "make soak    200,000 tasks through 2 workers; memory and connections must stay flat"

venv: $(STAMP)

$(BIN)/python:
	@py=""; \
	for candidate in $(PYTHON_CANDIDATES); do \
		if command -v "$$candidate" >/dev/null 2>&1 && \
			"$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
			py="$$candidate"; break; \
		fi; \
	done; \
	if [ -z "$$py" ]; then \
		echo "Python 3.12+ is required (Django 6.1), but none was found (tried: $(PYTHON_CANDIDATES))." >&2; \
		echo "Install it, for example with: pyenv install 3.13" >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)

# Re-installs whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The project's own modules compiled ahead of time. A worker imports about 250 of them
# before its first task. Python saves what it compiles only where it may write, and never
# with PYTHONDONTWRITEBYTECODE set (as on the CI machine), so each start compiled them all
# again: W8 took 0.46 to 0.51 s to a first task on PostgreSQL, against 0.35 to 0.39 s with
# the bytecode compiled (docs/performance.md, round 7). compileall redoes only what changed.
BYTECODE_SOURCES := api bench chaos dashboard demo scheduler_core tests manage.py

bytecode: venv
	$(BIN)/python -m compileall -q -j 0 $(BYTECODE_SOURCES)

# Web server and worker pool together in the foreground; Ctrl-C stops both: the worker
# drains (running tasks finish) and the server exits. The worker runs in its own session
# so that Ctrl-C reaches it once, through the trap, not twice. Demo tasks only on a first
# run (an empty database; DEMO=1 asks for more). The admin's password and the address are
# printed last, in a box, once the server answers /healthz and the start-up logs are out.
run: bytecode
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(MANAGE) demo_tasks --count 30 $(if $(DEMO),,--if-empty)
	@admin=$$($(MANAGE) bootstrap_admin) || exit 1; \
	trap 'kill -TERM $$worker $$alerts $$server 2>/dev/null; wait $$worker $$alerts' INT TERM EXIT; \
	setsid $(MANAGE) runworkers --concurrency 2 & worker=$$!; \
	setsid $(MANAGE) run_alerts & alerts=$$!; \
	DJANGO_DEBUG=1 $(MANAGE) runserver --noreload 127.0.0.1:8000 & server=$$!; \
	for try in $$(seq 1 120); do \
		$(BIN)/python -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/healthz", timeout=1)' 2>/dev/null && break; \
		sleep 0.5; \
	done; sleep 1; \
	echo; \
	echo "+------------------------------------------------------------------------------"; \
	echo "| Open http://127.0.0.1:8000/   API docs: http://127.0.0.1:8000/api/v1/docs"; \
	echo "$$admin" | sed -n 's/^Created superuser \(.*\)\.$$/| Log in as \1/p; s/^Password (shown only this once): /| Password (shown only this once): /p; s/^A superuser already exists: \([^.]*\)\..*/| Log in as \1 (password shown on the first run; reset: manage.py changepassword \1)/p'; \
	echo "| More demo work: $(MANAGE) demo_tasks   Ctrl-C stops the server, the worker and the alert loop"; \
	echo "+------------------------------------------------------------------------------"; \
	wait $$server

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

# The core (domain and in-memory adapters) must stay fully exercised by its own tests.
CORE_COVERAGE := --include='scheduler_core/domain/*,scheduler_core/memory/*' --fail-under=95

# Four test processes on two cores: much of the suite waits on worker subprocesses, browsers
# and databases, so the extra processes fill the waits. On 2026-12-07, on this 2-core
# machine, three took 673 s and four 589 s for the same tests, all passing at load 9 to 10.
# (An earlier suite with four broke the fault tests' timing promises: slots gone within 1 s
# of a SIGKILL, 1 s heartbeats of 3 s leases. If they fail under load again, go back to
# three.) Coverage measures the test processes only (pyproject.toml says why). Tests go to
# the processes one by one (tests/conftest.py's run_group says why its file groups are not
# in effect).
PYTEST_WORKERS ?= 4
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=25 --cov-branch

# Coverage traces only tests/unit and tests/contract here, and reports the core they gate:
# tracing every test cost about half again their CPU (tests/coverage_scope.py says why).
test: lint bytecode
	$(PYTEST) --cov=scheduler_core.domain --cov=scheduler_core.memory --cov-report=term-missing:skip-covered
	@echo "Branch coverage of the domain and the in-memory adapters, by their own tests (at least 95%):"
	$(BIN)/coverage report $(CORE_COVERAGE) --format=total

# The whole suite traced, and a report of the whole project; slower than make test.
coverage: venv bytecode
	$(PYTEST) --cover-all --cov --cov-report=term-missing:skip-covered

# BENCH_ARGS passes options through, e.g. make bench BENCH_ARGS="--only W2 --db sqlite --quick".
# PostgreSQL: databases bench_<pid>_* on BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1/test).
bench: bytecode
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-smoke: bytecode
	$(BIN)/python -m bench --smoke --output $(or $(BENCH_OUTPUT),/tmp/bench-smoke.json) $(BENCH_ARGS)

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf staticfiles htmlcov .coverage .mypy_cache .ruff_cache .pytest_cache .hypothesis .import_linter_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

# Reliability runs (docs/reliability.md), each on a database of its own: PostgreSQL at
# CHAOS_POSTGRES_URL (default postgres://postgres@127.0.0.1/test's server) or a temp SQLite
# file. CHAOS_ARGS / SOAK_ARGS pass more options, e.g. CHAOS_ARGS="--tasks 5000 --duration 120"
# or CHAOS_ARGS="--faults pause-worker,partition". The partition fault needs root and ip netns
# (it is skipped, with the reason, elsewhere).
chaos: bytecode
	$(BIN)/python -m chaos chaos --database postgres --tasks 50000 --duration 1800 $(CHAOS_ARGS)

chaos-sqlite: bytecode
	$(BIN)/python -m chaos chaos --database sqlite --tasks 50000 --duration 1800 $(CHAOS_ARGS)

soak: bytecode
	$(BIN)/python -m chaos soak --database $(or $(SOAK_DATABASE),postgres) --tasks 200000 $(SOAK_ARGS)
