# The two commands of the README: `make demo` (a harvest of the portal replica) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-unit lint quality format lock clean

install: $(STAMP)

# Everything comes from the lock files: requirements.lock (what nianbao runs on, all the deploy image installs) and
# requirements-dev.lock (tests and lint); uv (itself pinned in the first) makes the install quick.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check "$$(grep '^uv==' requirements.lock)"
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements.lock requirements-dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	# Bytecode written once here: every crawl and worker process starts without compiling its imports
	# (PYTHONDONTWRITEBYTECODE environments would otherwise recompile them in every process).
	$(BIN)/python -m compileall -q nianbao crawler workers flows storage shell replica
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/nianbao demo --year 2021

# Debian's Chromium, for the test of JavaScript rendering (scrapy-playwright drives it; no browser download).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium (the rendering test needs it; needs root)"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Tests run in parallel (pytest-xdist), a file per worker so that a module's shared harvest runs once: integration
# tests wait on real servers more than they use the CPU, and each
# owns its ports and folders.
TEST_WORKERS ?= 3
test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not integration"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The extraction quality gate: bench/extract_quality.py against the floors pinned in bench/quality_floors.json.
quality: $(STAMP)
	$(BIN)/python bench/quality_gate.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock:
	$(BIN)/uv pip compile -q --python-version 3.11 requirements.in -o requirements.lock
	$(BIN)/uv pip compile -q --python-version 3.11 requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
