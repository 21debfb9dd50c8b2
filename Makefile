# Two entry points for a fresh machine with only Python and make:
#   make demo  - create .venv, install, render every example, serve the preview
#   make test  - create .venv with test extras, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

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

clean:
	rm -rf $(VENV) build .pytest_cache
