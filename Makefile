# Everything runs from a project-local virtual environment, made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run sandbox test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job: the sandbox in the foreground (Ctrl-C stops it).
run: $(STAMP)
	$(BIN)/python -m smsnb.sandbox

sandbox: run

# The whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

# The benchmarks: prints a table and records it in benchmarks/RESULTS.md (not part of CI).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --write

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
