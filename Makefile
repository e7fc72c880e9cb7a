# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run PORT=18300`: e-mailed links follow the port, unless SITE_URL is set.
PORT ?= 8000
SITE_URL ?= http://localhost:$(PORT)
# The embedded defaults (SQLite, console e-mails) need DEBUG=1, unless DEBUG is set.
DEV_ENV = DEBUG=$${DEBUG:-1} SITE_URL=$(SITE_URL)

.PHONY: run manage test bench deploy-local check-python venv install install-dev migrate demo lint clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Python 3.12 or newer is needed (Django 6.1); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Point PYTHON at one, e.g.: make run PYTHON=\$$(pyenv root)/versions/3.12.1/bin/python3 (or: make run PYTHON=python3.12)"; \
	  exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: check-python $(BIN)/python
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "$(VENV) was made with an older Python: remove it (rm -rf $(VENV)) and run again."; exit 1; }

$(VENV)/.installed: requirements.txt | venv
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | venv
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: venv $(VENV)/.installed
install-dev: venv $(VENV)/.installed-dev

run: install
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py demo
	$(DEV_ENV) $(BIN)/python manage.py runserver $(PORT)

# Any manage.py command with the virtualenv's Python, e.g. make manage ARGS="parcours_stats".
manage: install
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py $(ARGS)

lint: install-dev
	$(BIN)/ruff check .

test: install-dev
	$(BIN)/ruff check .
	mkdir -p var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# PostgreSQL 15, N=100 and N=8,000, gunicorn on loopback: one table and bench/results.json.
# (The in-process SQLite benchmarks: $(BIN)/python -m benchmarks.run)
bench: install-dev
	BENCH_PYTHON=$(BIN)/python bash benchmarks/bench.sh

# The production layout on one machine, on 127.0.0.1: PostgreSQL, Redis, S3 (moto),
# an SMTP sink, two gunicorn processes, Celery worker and beat; Ctrl-C stops all.
# DEPLOY_ARGS="--check" starts, waits until healthy, and stops (see deploy/local.py --help).
deploy-local: install-dev
	$(BIN)/python deploy/local.py $(DEPLOY_ARGS)

clean:
	rm -rf $(VENV) var
