# The verbs a newcomer needs. `make run` and `make test` are the whole quick start.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help install run test pytest lint format assets assets-check code bench clean

help: ## List the make targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mosovo needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

run: install ## Set everything up on embedded defaults and run web, worker and beat
	@bin/run

test: install lint pytest ## Run the static checks and the whole test suite

pytest: install ## Run the test suite only (pass ARGS="tests/accounts -k login" to narrow it)
	@bin/test $(ARGS)

lint: install ## Static checks: ruff, formatting, mypy, Django system checks, missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=mosovo.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=mosovo.settings.test bin/with-db $(BIN)/python manage.py makemigrations --check --dry-run

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

assets: ## Rebuild static/ from package.json (needs Node.js and npm)
	npm ci --no-audit --no-fund
	npm run build

assets-check: assets ## Fail if the committed static/ differs from a fresh build
	@git diff --exit-code --stat -- static tests/browser/vendor || { echo "static/ is out of date: run 'make assets' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- static tests/browser/vendor)" || { git status --porcelain -- static tests/browser/vendor; echo "static/ has uncommitted build output: run 'make assets' and commit"; exit 1; }

code: install ## Print a demo account's current security code: make code ACCOUNT=officer.north1
	@MOSOVO_DEMO=1 $(BIN)/python manage.py demo_code $(ACCOUNT)

bench: install ## Run the benchmarks (reported in docs/benchmarks.md)
	@bin/test -m benchmark --benchmark-only $(ARGS)

clean: ## Stop the embedded database and remove var/ (all local data) and .venv
	-@$(BIN)/python -m mosovo.embedded_db stop 2>/dev/null
	-@MOSOVO_PGDATA=var/pgtest $(BIN)/python -m mosovo.embedded_db stop 2>/dev/null
	rm -rf var staticfiles $(VENV)
