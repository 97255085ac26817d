# The short names people type. `make run` and `make test` are the two commands.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
CATALOGS := $(wildcard suggestion/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test install lint check messages clean bench fuzz

# `make run`: the site's port, and the one address every process (the site,
# the worker, beat) puts in the links of its e-mails. honcho gives each
# process its own PORT, so none of them may derive the address from it.
PORT ?= 5000
PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

## run: set everything up and start the site, a worker and beat (SQLite, embedded broker)
run: install $(COMPILED)
	@mkdir -p instance
	$(BIN)/flask db upgrade
	PUBLIC_BASE_URL="$(PUBLIC_BASE_URL)" $(BIN)/flask seed demo
	@echo
	@echo "  Suggestion is starting at $(PUBLIC_BASE_URL)/"
	@echo "  E-mail is written to instance/mail/ and announced on the console."
	@echo "  Press Ctrl+C to stop the site, the worker and beat."
	@echo
	PATH="$(abspath $(BIN)):$$PATH" PORT="$(PORT)" PUBLIC_BASE_URL="$(PUBLIC_BASE_URL)" \
		$(BIN)/honcho -f Procfile.dev start

## test: run the test suite (PostgreSQL and Redis on their usual ports, or TEST_DATABASE_URL / TEST_BROKER_URL)
test: install $(COMPILED) tests/a11y/node_modules/.installed
	$(BIN)/pytest

# axe-core for the accessibility test (tests/test_accessibility.py), from the npm registry.
tests/a11y/node_modules/.installed: tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --silent
	@touch $@

## install: a virtual environment with the pinned dependencies
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

## bench: the benchmark (BENCH_CASES=1000000 for the full run); see docs/performance.md
bench: install $(COMPILED) $(VENV)/.bench-installed
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	@touch $@

## fuzz: Schemathesis against the API of the site as deployed (FUZZ_EXAMPLES=100 per operation and phase); see fuzz/run.py
fuzz: install $(COMPILED) $(VENV)/.fuzz-installed
	$(BIN)/python -m fuzz.run

$(VENV)/.fuzz-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,fuzz]'
	@touch $@

%.mo: %.po
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

## lint: ruff and mypy
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## check: lint, the layers of DESIGN §3 (import-linter), and the models against the migrations
check: lint
	$(BIN)/lint-imports
	$(BIN)/flask db check

## messages: extract new strings and merge them into the catalogs
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --omit-header --no-location --no-wrap \
		-o suggestion/translations/messages.pot .
	$(BIN)/pybabel update -i suggestion/translations/messages.pot -d suggestion/translations --no-fuzzy-matching --no-wrap

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
