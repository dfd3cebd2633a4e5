# Two commands get a newcomer from a fresh clone to a working plan:
#   make demo   - set up .venv and plan the June 2005 shift on the embedded data
#   make test   - set up .venv and run the whole test suite (offline)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo app lint catalog test test-fast bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/senkata maps info
	$(BIN)/senkata plan scenarios/senkata-2005-06.yaml --out out/

app: $(STAMP)
	$(BIN)/streamlit run app.py

# The house rules: lint and format (ruff), types (mypy: strict on model, routing, plan), and
# the import contracts (rooms in data-flow order, no circles, validator apart from solver).
lint: $(STAMP)
	$(BIN)/ruff check logistics app.py tests bench
	$(BIN)/ruff format --check logistics app.py tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Translations: re-extract every _() / N_() / ngettext() message and merge it into the
# catalogs (new messages arrive untranslated; tests/i18n fails until they are translated).
POT := .cache/senkata.pot
catalog: $(STAMP)
	mkdir -p .cache
	$(BIN)/pybabel -q extract -F logistics/i18n/babel.cfg --no-location --sort-output \
		--project senkata -o $(POT) .
	$(BIN)/pybabel -q update -i $(POT) -d logistics/i18n/locale -D senkata \
		--no-fuzzy-matching --ignore-obsolete
	# no creation date in the catalogs: two runs (or two branches) give the same header
	sed -i '/^"POT-Creation-Date: /d' logistics/i18n/locale/*/LC_MESSAGES/senkata.po

test: lint
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python bench/core_bench.py

clean:
	rm -rf $(VENV) .cache out
