# Parley. `make run` starts the coach, `make test` runs the whole check.
# Every target installs what it needs into .venv from the pinned lists.
# `make run` installs the runtime only (requirements.txt); the other targets add the development
# tools (requirements-dev.txt, which pins the same runtime plus the tools). Both lists are made
# by `make lock` from requirements.in and requirements-dev.in, with hashes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes

.PHONY: run test test-year-ahead lint typecheck pytest bench lock clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.txt
	touch $(RUNTIME)

$(STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(STAMP) $(RUNTIME)

run: $(RUNTIME)
	$(PY) -m bot

lint: $(STAMP)
	$(VENV)/bin/ruff check bot storage tests bench
	$(VENV)/bin/ruff format --check bot storage tests bench
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict bot storage

# pytest-xdist: one worker per core (each with its own PostgreSQL database, tests/conftest.py);
# `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto
pytest: $(STAMP)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal

test: lint typecheck pytest

# The suites that read today's date, run with the clock a year ahead (Debian's faketime):
# a test that only passes before some calendar day fails here first.
YEAR_AHEAD_SUITES := tests/engine tests/reminders tests/debrief \
	tests/e2e/test_console.py tests/e2e/test_telegram_flow.py tests/e2e/test_telegram_reminders.py
test-year-ahead: $(STAMP)
	faketime -f '+365d' $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist worksteal $(YEAR_AHEAD_SUITES)

bench: $(STAMP)
	$(PY) -m bench

# Pins with hashes from the short .in lists (pip-tools); existing pins are kept unless
# `make lock UPGRADE=--upgrade`. Run after editing requirements.in or requirements-dev.in.
COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(UPGRADE)
lock: $(STAMP)
	$(COMPILE) --output-file requirements.txt requirements.in
	$(COMPILE) --output-file requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
