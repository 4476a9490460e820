# One entry point for everything. `make run` and `make test` work on a fresh machine that has
# only Python 3.11 and make: they create .venv and install the project into it first.
SHELL := /bin/bash
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

# The server (`app_warm.py serve`: streamlit run app.py) starts at once. On the first start after an
# install it starts `app_warm.py prepare` as a child process, which computes the data and the
# baseline into .cache/ while the server starts (progress on this terminal and on the first page);
# as soon as it answers, the server imports the code, loads the data and runs the first page's
# scenario in its own process (once the baseline is on disk), and one warm-up session opens the
# first pages, so the first user does not wait for imports, data or baseline.
run: $(STAMP)
	($(PY) app_warm.py visit --port $(PORT) > /dev/null 2>&1 &) ; \
	$(PY) app_warm.py serve --server.address 127.0.0.1 --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser" $(FAST_IGNORE)

$(LINT_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[lint]'
	touch $(LINT_STAMP)

# ruff (rules and format) and mypy, the versions pinned in pyproject.toml's `lint` extra, over the
# Python files git tracks (someone's scratch file is not the project's); outside git, everything.
LINT_FILES = $(or $(shell git ls-files '*.py' 2>/dev/null),.)
lint: $(LINT_STAMP)
	@echo "ruff check, ruff format --check: $(words $(LINT_FILES)) files"
	@$(VENV)/bin/ruff check $(LINT_FILES)
	@$(VENV)/bin/ruff format --check $(LINT_FILES)
	$(VENV)/bin/mypy simulator

# Every benchmark (or BENCH="bench/bench_x.py ..."); the output, with the date, the commit and the
# load average before and after each, is written to docs/benchmarks.md as it runs (a failed or
# stopped run leaves the previous file; see docs/benchmark-history.md for earlier figures).
BENCH ?= $(wildcard bench/bench_*.py)
BENCH_OUT := docs/benchmarks.md
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]' || echo "statsforecast not installable: benchmarks run without the peer"
	@mkdir -p docs
	@{ echo "# Benchmark figures"; echo; \
	  echo "Written by \`make bench\` (do not edit by hand). Earlier figures: docs/benchmark-history.md."; echo; \
	  echo "- date: $$(date -u '+%Y-%m-%d %H:%M UTC')"; \
	  echo "- commit: $$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD -- simulator bench 2>/dev/null || echo ' (with uncommitted changes)')"; \
	  echo "- machine: $$(nproc) cores; load before: $$(uptime)"; echo; } > $(BENCH_OUT).tmp
	@status=0; for f in $(BENCH); do \
	  echo "== $$f"; \
	  { echo "## $$f"; echo; echo "load before: $$(uptime)"; echo; echo '```'; } >> $(BENCH_OUT).tmp; \
	  $(PY) $$f 2>&1 | tee -a $(BENCH_OUT).tmp; rc=$${PIPESTATUS[0]}; [ $$rc -eq 0 ] || status=1; \
	  { echo '```'; echo; echo "exit code $$rc; load after: $$(uptime)"; echo; } >> $(BENCH_OUT).tmp; \
	done; mv $(BENCH_OUT).tmp $(BENCH_OUT); exit $$status

data: $(STAMP)
	$(PY) -m data_gen.synth

clean:
	rm -rf $(VENV) .pytest_cache .cache .mypy_cache .ruff_cache
