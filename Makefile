# One entry point for everything. `make run` and `make test` work on a fresh machine that has
# only Python 3.11 and make: they create .venv and install the project into it first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

LINT_STAMP := $(VENV)/.lint-installed
# The library's tests alone: no app (AppTest, server, browser) and nothing marked slow.
FAST_IGNORE := --ignore=tests/test_app.py --ignore=tests/test_app_safety.py --ignore=tests/test_app_serve.py \
	--ignore=tests/test_browser.py --ignore=tests/test_sweep_app.py

.PHONY: run test test-fast lint bench data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser" $(FAST_IGNORE)

$(LINT_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[lint]'
	touch $(LINT_STAMP)

# ruff (rules and format) and mypy, the versions pinned in pyproject.toml's `lint` extra.
lint: $(LINT_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy simulator

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]' || echo "statsforecast not installable: benchmarks run without the peer"
	@status=0; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || status=1; done; exit $$status

data: $(STAMP)
	$(PY) -m simulator.synth

clean:
	rm -rf $(VENV) .pytest_cache .cache .mypy_cache .ruff_cache
