# Everything runs from a project-local virtual environment, made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := $(sorted $(wildcard notebooks/*.ipynb))

.PHONY: run tutorial sandbox test notebooks bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job: tutorial 01 in JupyterLab, against the sandbox (Ctrl-C stops it).
run: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) notebooks/01-first-sms.ipynb

# The main job without a browser: run tutorial 01, write it executed and as HTML into build/.
tutorial: $(STAMP)
	mkdir -p build
	$(BIN)/jupyter nbconvert --to notebook --execute --output-dir build notebooks/01-first-sms.ipynb
	$(BIN)/jupyter nbconvert --to html --output-dir build build/01-first-sms.ipynb
	@echo "written: build/01-first-sms.ipynb and build/01-first-sms.html"

# The sandbox alone, in the foreground.
sandbox: $(STAMP)
	$(BIN)/python -m smsnb.sandbox

# The whole test suite: unit, magic, widget and browser tests, and the tutorials under nbval.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-sanitize-with notebooks/sanitize.cfg

# Run the tutorials and store them with their outputs.
notebooks: $(STAMP)
	$(BIN)/python notebooks/refresh.py

# The benchmarks: prints a table and records it in benchmarks/RESULTS.md (not part of CI).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --write

# Build the sdist and the wheel, install the wheel into a fresh environment with its runtime
# dependencies only, and there load the extension, send to the sandbox and run the sandbox CLI.
package: $(STAMP)
	rm -rf dist build/package-venv
	$(BIN)/python -m build --outdir dist .
	$(PYTHON) -m venv build/package-venv
	build/package-venv/bin/pip install --quiet dist/smsnb-*.whl
	build/package-venv/bin/python tests/smoke_installed.py

clean:
	rm -rf dist $(VENV) .pytest_cache .hypothesis test-artifacts build
