# make venv | run | test | bench | lint   (README: the two commands, "Command line")

PYTHON ?= python3
PORT ?= 5000
# links in mail and feeds point at the port served (set BASE_URL to override)
BASE_URL ?= http://127.0.0.1:$(PORT)
TRACKER_INSTANCE ?= instance
PYTEST_ARGS ?=

VENV := .venv
BIN := $(VENV)/bin
# Reinstalled only when pyproject.toml changes (the install is editable).
STAMP := $(VENV)/.installed

.PHONY: venv run test bench lint screenshots

venv: $(STAMP)

$(STAMP): pyproject.toml
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# The embedded setup: SQLite and the mail outbox in $(TRACKER_INSTANCE)/; the demo
# dossier is loaded on the first run only.
run: export TRACKER_INSTANCE := $(TRACKER_INSTANCE)
run: export BASE_URL := $(BASE_URL)
run: venv
	$(BIN)/tracker db upgrade
	@if [ ! -e "$(TRACKER_INSTANCE)/.demo-loaded" ]; then \
		echo "$(BIN)/tracker demo"; \
		$(BIN)/tracker demo && mkdir -p "$(TRACKER_INSTANCE)" && touch "$(TRACKER_INSTANCE)/.demo-loaded"; \
	fi
	@echo
	@echo "Sign in at $(BASE_URL)/login as a demo user (admin@, coordinator@, staff@ or"
	@echo "lawyer@demo.example) with the password printed when the demo was loaded. Lost it?"
	@echo "    $(BIN)/tracker user password coordinator@demo.example"
	@echo "An API token for the JSON API (printed on the last line):"
	@echo "    $(BIN)/tracker token create coordinator@demo.example"
	@echo
	exec $(BIN)/tracker serve --host 127.0.0.1 --port $(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	@set -e; found=; \
	for script in bench/*.py; do \
		[ -e "$$script" ] || continue; \
		found=1; echo "== $$script"; $(BIN)/python "$$script"; \
	done; \
	[ -n "$$found" ] || echo "no benchmarks yet"

# The README's screenshots, taken by the browser tests in Debian's chromium.
screenshots: venv
	TRACKER_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -m browser -k sqlite $(PYTEST_ARGS)

# style, formatting, the house's layers (import-linter contracts in pyproject.toml), types
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
