# Two entry points for a fresh machine with only Python and make:
#   make demo  - create .venv, install, render every example, serve the preview
#   make test  - create .venv with test extras, run the whole suite
#   make mutation [MODULE=journal] [SAMPLE=40] [SEED=19] [JOBS=2] - the seeded mutation run
#                 (docs/mutation.md); not part of make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench mutation clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/templating render-examples --templates templates --previews previews --out build/rendered
	@echo "Rendered examples are in build/rendered/; starting the live preview (Ctrl+C to stop):"
	$(BIN)/templating preview --templates templates --previews previews --port $(or $(PREVIEW_PORT),8000)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

$(BIN)/.mutation-installed: pyproject.toml $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $@

# mutation/run.py copies the project to a temporary folder per job and mutates only there
mutation: $(BIN)/.mutation-installed
	$(BIN)/python mutation/run.py $(if $(MODULE),--module $(MODULE)) $(if $(SAMPLE),--sample $(SAMPLE)) \
		$(if $(SEED),--seed $(SEED)) $(if $(JOBS),--jobs $(JOBS)) $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) build .pytest_cache
