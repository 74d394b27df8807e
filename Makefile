# tessera developer tasks (GNU make).
#
#   make demo    install the package into .venv and run examples/demo.py
#   make test    lint, format-check, type-check and run the whole test suite
#   make docs    build the HTML docs (warnings are errors)
#   make bench   run the benchmarks
#   make format  auto-format and auto-fix lint
#   make clean   remove .venv, docs/_build and build artefacts
#
# Extra pytest arguments: make test PYTEST_ARGS="-x -k threaded"

SHELL := /bin/bash

PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip install -q --disable-pip-version-check

# Source dirs that get linted/formatted; only those that exist are passed on.
SRC_DIRS := $(wildcard tessera tests benchmarks examples)

PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help venv install demo test lint typecheck pytest docs bench format clean

help:
	@echo "targets: demo test docs bench format clean venv"
	@echo "  make test PYTEST_ARGS='-x'   pass extra arguments to pytest"

# --- virtual environment and installs (guarded by stamp files) ------------

$(PY):
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip

venv: $(PY)

$(VENV)/.stamp-base: pyproject.toml | $(PY)
	$(PIP) -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml | $(PY)
	$(PIP) -e ".[test]"
	@touch $@

$(VENV)/.stamp-docs: pyproject.toml | $(PY)
	$(PIP) -e ".[docs]"
	@touch $@

install: $(VENV)/.stamp-base

# --- tasks ------------------------------------------------------------------

demo: $(VENV)/.stamp-base
	$(PY) examples/demo.py

lint: $(VENV)/.stamp-test
	$(PY) -m ruff check $(SRC_DIRS)
	$(PY) -m ruff format --check $(SRC_DIRS)

typecheck: $(VENV)/.stamp-test
	$(PY) -m mypy tessera

pytest: $(VENV)/.stamp-test
	$(PY) -m pytest -q $(PYTEST_ARGS)

test: $(VENV)/.stamp-test
	$(PY) -m ruff check $(SRC_DIRS)
	$(PY) -m ruff format --check $(SRC_DIRS)
	$(PY) -m mypy tessera
	$(PY) -m pytest -q $(PYTEST_ARGS)

docs: $(VENV)/.stamp-docs
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

bench: $(VENV)/.stamp-base
	$(PY) -m benchmarks

format: $(VENV)/.stamp-test
	$(PY) -m ruff format $(SRC_DIRS)
	$(PY) -m ruff check --fix $(SRC_DIRS)

clean:
	rm -rf $(VENV) docs/_build build dist *.egg-info .eggs \
	       .mypy_cache .ruff_cache .hypothesis .pytest_cache
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
