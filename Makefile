# The two commands a newcomer needs:  make run  and  make test.
# Django 6 needs Python 3.12+; the first interpreter found that is new enough wins.
SHELL := /bin/bash
PYTHON ?= $(shell for candidate in python3.12 python3.13 python3 \
	$$HOME/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3; do \
	if $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	echo $$candidate; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Where make run serves, for the links in e-mails and PDFs (settings.SITE_URL
# starts from it unless SITE_URL is set); 0.0.0.0 is reached on 127.0.0.1.
RUN_ADDRESS := $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/partnerplan
PYTEST_ARGS ?=
# The suite runs in parallel, one process per core (pytest-xdist); PYTEST_WORKERS=0 runs it in one.
PYTEST_WORKERS ?= auto

.PHONY: run test test-postgres lint format bench bench-reports bench-dashboards clean check-python check-redis

check-python:
	@test -n "$(PYTHON)" || { echo "Partnerplan needs Python 3.12 or newer; none was found." >&2; exit 1; }

$(BIN)/.installed: pyproject.toml | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

## make run: set up and serve the app on the embedded defaults (SQLite, eager Celery, demo data).
run: $(BIN)/.installed
	DEBUG=true RUN_ADDRESS=$(RUN_ADDRESS) $(BIN)/python manage.py migrate --noinput
	DEBUG=true RUN_ADDRESS=$(RUN_ADDRESS) $(BIN)/python manage.py load_catalogue
	DEBUG=true RUN_ADDRESS=$(RUN_ADDRESS) $(BIN)/python manage.py load_demo
	DEBUG=true RUN_ADDRESS=$(RUN_ADDRESS) $(BIN)/python manage.py setup_schedules
	@echo "Partnerplan at http://$(HOST):$(PORT)/  (demo accounts: see README.md, password partnerplan-demo)"
	DEBUG=true RUN_ADDRESS=$(RUN_ADDRESS) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's chromium (Playwright's own browser download does
# not work on our machines); install it when missing.
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	fi

# The single sign-on tests start a real OpenID Connect provider (node-oidc-provider)
# from tests/sso/oidc/; install its npm packages from the lock file when missing.
OIDC_PROVIDER_DIR := tests/sso/oidc
OIDC_PROVIDER := $(OIDC_PROVIDER_DIR)/node_modules/.package-lock.json
$(OIDC_PROVIDER): $(OIDC_PROVIDER_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "The SSO tests need Node.js 20+ and npm: sudo apt-get install nodejs npm" >&2; exit 1; }
	cd $(OIDC_PROVIDER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The accessibility check (tests/a11y/) injects axe-core into every page it visits;
# install it from the lock file when missing.
AXE_DIR := tests/a11y
AXE := $(AXE_DIR)/node_modules/.package-lock.json
$(AXE): $(AXE_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "The accessibility check needs Node.js 20+ and npm: sudo apt-get install nodejs npm" >&2; exit 1; }
	cd $(AXE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

REDIS_TEST_URL ?= redis://127.0.0.1:6379/14

# The Celery integration test talks to a real Redis; say so plainly when it is absent.
check-redis: $(BIN)/.installed
	@$(BIN)/python -c "import redis; redis.Redis.from_url('$(REDIS_TEST_URL)', socket_connect_timeout=5).ping()" \
		|| { echo "Redis is not reachable at $(REDIS_TEST_URL): the Celery worker test needs it and fails rather than skips." >&2; exit 1; }

## make test: set up and run the whole suite on SQLite, with lint.
test: $(BIN)/.installed $(CHROMIUM) $(OIDC_PROVIDER) $(AXE) check-redis
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make test-postgres: the suite again on the real PostgreSQL server (CI runs it too).
test-postgres: $(BIN)/.installed $(CHROMIUM) $(OIDC_PROVIDER) $(AXE)
	@$(BIN)/python -c "import psycopg, sys; psycopg.connect('$(POSTGRES_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=5).close()" \
		|| { echo "PostgreSQL is not reachable at $(POSTGRES_URL): the PostgreSQL run fails rather than skips." >&2; exit 1; }
	DATABASE_URL=$(POSTGRES_URL) EXPECT_DATABASE_VENDOR=postgresql $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make bench: the report and dashboard benchmarks (PostgreSQL, Redis, wrk); figures in bench/README.md.
bench: bench-reports bench-dashboards

bench-reports: $(BIN)/.installed
	$(BIN)/python bench/reports.py

bench-dashboards: $(BIN)/.installed
	$(BIN)/python bench/dashboards.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache $(OIDC_PROVIDER_DIR)/node_modules $(AXE_DIR)/node_modules
