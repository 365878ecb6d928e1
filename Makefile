# Quick start: `make serve` and `make test`. Each sets up its own virtualenv first.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: serve test lint check-rules clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH (or PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/closeness serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/closeness rules check
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

check-rules: $(STAMP)
	$(BIN)/closeness rules check
	$(BIN)/closeness rules test

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-output
