# Parley. `make run` starts the coach, `make test` runs the whole check.
# Every target installs what it needs into .venv from the pinned lists.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-year-ahead lint typecheck pytest bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

lint: $(STAMP)
	$(VENV)/bin/ruff check bot storage tests bench
	$(VENV)/bin/ruff format --check bot storage tests bench
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict bot storage

pytest: $(STAMP)
	$(VENV)/bin/pytest

test: lint typecheck pytest

# The suites that read today's date, run with the clock a year ahead (Debian's faketime):
# a test that only passes before some calendar day fails here first.
YEAR_AHEAD_SUITES := tests/engine tests/reminders tests/debrief \
	tests/e2e/test_console.py tests/e2e/test_telegram_flow.py tests/e2e/test_telegram_reminders.py
test-year-ahead: $(STAMP)
	faketime -f '+365d' $(VENV)/bin/pytest -q $(YEAR_AHEAD_SUITES)

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
