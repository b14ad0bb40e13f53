# Two commands that work on a fresh machine with Python 3.11+: `make run`, `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench,postgres,server]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/expert-tui --demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check expert_tui tests bench
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check expert_tui tests bench
	$(BIN)/ruff format --check expert_tui tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python bench/import_search.py
	$(BIN)/python bench/search_typing.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/server_load.py
	$(BIN)/python bench/idle_requests.py

# The message catalogues (expert_tui/i18n.py): what the code marks with _() into the .pot,
# then each language's .po brought up to it (new messages to translate, stale ones dropped
# to the end as obsolete). tests/test_i18n.py fails until both are done and translated.
LOCALE := expert_tui/locale
messages: $(VENV)/.installed-test
	$(BIN)/pybabel extract --no-location --sort-output --project expert-tui -o $(LOCALE)/expert_tui.pot expert_tui
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(LOCALE)/expert_tui.pot -d $(LOCALE) -D expert_tui

clean:
	rm -rf $(VENV) .pytest_cache
