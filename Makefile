# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench check-python venv install install-dev migrate demo lint clean

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
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo
	DEBUG=1 $(BIN)/python manage.py runserver $${PORT:-8000}

lint: install-dev
	$(BIN)/ruff check .

test: install-dev
	$(BIN)/ruff check .
	mkdir -p var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	mkdir -p var
	DEBUG=1 $(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var
