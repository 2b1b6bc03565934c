# Two commands: `make run` (set up and serve the demo) and `make test` (set up and run every test).
# Both install what is missing, so they work on a fresh Debian/Ubuntu machine and in CI.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_HAZARDS ?= 400
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/hazards_test

RUN_PACKAGES := tzdata libsqlite3-mod-spatialite libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
TEST_PACKAGES := $(RUN_PACKAGES) postgresql-15-postgis-3 redis-server chromium poppler-utils gdal-bin libreoffice-writer

.PHONY: run test build venv system-run system-test services lock clean bench translations

MO_FILES := hazards/translations/zh/LC_MESSAGES/messages.mo

run: system-run venv $(MO_FILES)
	$(BIN)/hazards db upgrade
	$(BIN)/hazards seed-demo --if-empty --hazards $(DEMO_HAZARDS)
	$(BIN)/hazards tally  # today's completion snapshot, so the dashboard's trend starts at once
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

test: system-test venv services $(MO_FILES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# What a production host needs (deploy/): the virtualenv and the compiled messages, no demo, no server.
build: venv $(MO_FILES)

# Compiled message catalogues are built, not committed.
hazards/translations/%/LC_MESSAGES/messages.mo: hazards/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d hazards/translations -l $*

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

system-run:
	@bash .ci/apt-ensure $(RUN_PACKAGES)

system-test:
	@bash .ci/apt-ensure $(TEST_PACKAGES)

services:
	@bash .ci/services

# Refresh the lock file from pyproject.toml (then commit requirements.lock).
lock:
	rm -rf /tmp/hazards-lock && $(PYTHON) -m venv /tmp/hazards-lock
	/tmp/hazards-lock/bin/pip install --quiet --upgrade pip setuptools wheel
	/tmp/hazards-lock/bin/pip install --quiet -e '.[test]'
	/tmp/hazards-lock/bin/pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

translations: venv
	# After changing interface text: extract, merge scripts/zh_messages.py, list what lacks Chinese.
	$(BIN)/python scripts/update_translations.py

bench: venv services
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) instance .pytest_cache
