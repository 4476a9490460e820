# One entry point for everything. `make run` and `make test` work on a fresh machine that has
# only Python 3.11 and make: they create .venv and install the project into it first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test bench data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]' || echo "statsforecast not installable: benchmarks run without the peer"
	@status=0; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || status=1; done; exit $$status

data: $(STAMP)
	$(PY) -m simulator.synth

clean:
	rm -rf $(VENV) .pytest_cache .cache
