# The two commands of the README: `make run` (main job) and `make test` (lint, types, tests).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/policykg build data/letters --out out/letters.ttl
	$(BIN)/policykg stats out/letters.ttl --top 5
	@echo "graph written to out/letters.ttl"

test: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest --doctest-modules src tests

# Extraction scores on every annotated letter set (../shared), checked against tools/eval_floors.tsv.
eval: $(STAMP)
	$(BIN)/python tools/eval.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
