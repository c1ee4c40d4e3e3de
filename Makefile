# Two commands: `make warehouse` builds everything on the bundled data; `make test` runs the tests.
# Each bootstraps what it needs (virtual environment, dbt manifest, Dagster home) from nothing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# Where the warehouse and the landing folder are: read by the Dagster resources when a run starts
# (EnvVar), by dbt's profile and by Great Expectations' Data Docs.
WAREHOUSE_DIR ?= $(CURDIR)/warehouse
LANDING_DIR ?= $(CURDIR)/data/landing
export WAREHOUSE_DIR := $(abspath $(WAREHOUSE_DIR))
export LANDING_DIR := $(abspath $(LANDING_DIR))

.PHONY: warehouse test test-fast ui lint bench clean

# The optional groups installed (pyproject.toml): EXTRAS=dev,spark adds PySpark and dbt-spark,
# which tests/test_spark_engine.py needs (CI installs them).
EXTRAS ?= dev
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-compile -e '.[$(EXTRAS)]'
	touch $@

# Bytecode, compiled once for every installed package but PySpark (thousands of files, most never
# imported; pip's own compile step cannot leave one out). Without it, where PYTHONDONTWRITEBYTECODE
# is set (as on the machines this project is built and tested on), every dbt, Dagster and test
# process compiled its imports again: ~3.5 s per dbt command, ~8 s per Dagster process. -q prints
# only the files that fail to compile; Python compiles those when it imports them.
READY := $(VENV)/.compiled
$(READY): $(VENV)/.installed
	$(PY) -m compileall -q -j 0 -x '/pyspark/' $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \
		> $(VENV)/compileall.log || cat $(VENV)/compileall.log
	touch $@

warehouse: $(READY)
	$(PY) -m orchestration.build

# Two pytest-xdist workers (tests/conftest.py's scheduler keeps a module, and the modules sharing
# the bundled warehouse, on one worker); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: $(READY)
	$(PY) -m pytest -n $(TEST_WORKERS) --durations=15

# The unit tests alone (no Dagster runs, no dbt builds, no loads through GX, no UI): under a minute.
# The dbt manifest is parsed only when there is none yet (SKIP_DBT_PARSE, tests/conftest.py).
test-fast: $(READY)
	SKIP_DBT_PARSE=1 $(PY) -m pytest -m "not integration and not ui and not slow"

# The Dagster UI on http://127.0.0.1:3000 (runs of `make warehouse` are in the same Dagster home).
ui: $(READY)
	$(PY) -m orchestration.prepare
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000 -m orchestration.definitions

lint: $(READY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint --processes 2 dbt_project/models
	$(VENV)/bin/ruff format --check .

# The four ingest benches at a quick size (~4 min on 2 cores), one table; figures in bench/out/.
# Default sizes: `$(PY) -m bench --size default` (see bench/README.md).
bench: $(READY)
	$(PY) -m bench

clean:
	rm -rf warehouse .dagster_home data/landing dbt_project/target
