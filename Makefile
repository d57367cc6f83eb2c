# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

export SAMPLE_DATA_DIR ?= $(abspath ../shared/data)
export WAREHOUSE_DIR ?= $(abspath warehouse)
export DAGSTER_HOME ?= $(abspath .dagster_home)
export DBT_PROFILES_DIR := $(abspath dbt_project)
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# dbt's profile reads its database, spill directory and memory limit from these: the layout's paths and
# the run settings (stdlib-only modules, so they run before the virtualenv exists), for every recipe that
# runs dbt or its templater.
export CHIPCHAIN_DBT_DATABASE ?= $(shell WAREHOUSE_DIR="$(WAREHOUSE_DIR)" $(PYTHON) -m orchestration.layout working_db)
export CHIPCHAIN_DBT_SPILL_DIR ?= $(shell WAREHOUSE_DIR="$(WAREHOUSE_DIR)" $(PYTHON) -m orchestration.layout spill_dir)
export CHIPCHAIN_DBT_MEMORY_LIMIT ?= $(shell $(PYTHON) -m orchestration.settings memory_limit)
SOURCE ?= offline
# `make postgres` starts a local PostgreSQL and writes its connection settings here: runs and tests use it.
export CHIPCHAIN_PG_DIR ?= /tmp/chipchain-postgres
-include $(CHIPCHAIN_PG_DIR)/env.mk
# WAREHOUSE_TARGET=ducklake: the same warehouse on a DuckLake (catalog in that PostgreSQL, data on a
# local SeaweedFS S3 store); `make lake` starts both and writes their settings here.
export WAREHOUSE_TARGET ?= duckdb
export CHIPCHAIN_LAKE_DIR ?= /tmp/chipchain-lake
-include $(CHIPCHAIN_LAKE_DIR)/env.mk

.PHONY: help setup run test dev lint sql docs clean bench postgres postgres-stop bi bi-stop suites lake lake-stop

help:
	@echo "make run    build the warehouse from the offline sample and publish it"
	@echo "make test   run the test suite (sets everything up first)"
	@echo "make dev    open the Dagster UI on http://127.0.0.1:3000"
	@echo "make sql    SQL prompt on the published snapshot (read-only)"
	@echo "make postgres  install (apt) and start PostgreSQL 15 on 127.0.0.1:55432: make run serves the marts there"
	@echo "make lake   start what WAREHOUSE_TARGET=ducklake needs: catalog in PostgreSQL, SeaweedFS S3 store"
	@echo "make bi     Apache Superset with the dashboard on http://127.0.0.1:8088 (after make run)"
	@echo "make lint   ruff + sqlfluff"
	@echo "make suites write every raw table's GX suite (built from the registry + data_quality/rules) to <warehouse>/gx_suites/"
	@echo "make bench  make run with a generated BACI year added (ROWS=10000000): stages beside the DuckDB floor, peak RSS"

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

dbt_project/target/manifest.json: $(VENV)/.installed $(shell find dbt_project/models dbt_project/seeds dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && ../$(BIN)/dbt parse --quiet

# Local copies of the CSS/JS GX Data Docs link on CDNs (npm registry, exact releases): docs render offline.
.cache/docs-vendor/.complete: orchestration/report/docs_assets.py $(VENV)/.installed
	$(BIN)/python -m orchestration.report.docs_assets fetch && touch $@ \
	  || echo "npm registry unreachable: GX Data Docs keep their CDN links"

setup: $(VENV)/.installed dbt_project/target/manifest.json .cache/docs-vendor/.complete
	@mkdir -p $(DAGSTER_HOME) $(WAREHOUSE_DIR)

# The run serves the marts to a local PostgreSQL too: started (installed on first use) here unless
# PG=off; if it cannot start, the run goes on and says the BI copy was skipped.
PG ?= on
run: setup
	@if [ "$(WAREHOUSE_TARGET)" = ducklake ]; then bash scripts/lake.sh start; fi
	@if [ "$(PG)" != off ]; then bash scripts/postgres.sh start || echo "PostgreSQL could not be started: the BI copy is skipped"; fi
	@if [ "$(WAREHOUSE_TARGET)" = ducklake ]; then . $(CHIPCHAIN_LAKE_DIR)/env.sh; fi; \
	if [ "$(PG)" != off ] && [ -f $(CHIPCHAIN_PG_DIR)/env.sh ]; then . $(CHIPCHAIN_PG_DIR)/env.sh; fi; \
	$(BIN)/python -m orchestration.run_pipeline --source $(SOURCE)

lake: setup
	bash scripts/lake.sh start

lake-stop:
	bash scripts/lake.sh stop

test: setup
	$(BIN)/pytest

# Superset in its own virtualenv, on the PostgreSQL copy of the marts (`make run` serves them there).
bi: setup
	@bash scripts/postgres.sh start
	@. $(CHIPCHAIN_PG_DIR)/env.sh && bash bi/superset.sh up

bi-stop:
	bash bi/superset.sh stop

dev: setup
	$(BIN)/dagster dev -m orchestration.definitions

suites: setup
	$(BIN)/python -m orchestration.ingest.suites write

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models

# make run's own job with a generated BACI-format year of $(ROWS) rows added to a symlinked copy of the sample.
# LAKE_WORKERS=1,2: then the same runs on the DuckLake target with 1 and with 2 worker processes.
ROWS ?= 10000000
LAKE_WORKERS ?=
bench: setup
	@if [ -n "$(LAKE_WORKERS)" ]; then bash scripts/lake.sh start; fi
	@if [ -n "$(LAKE_WORKERS)" ]; then . $(CHIPCHAIN_LAKE_DIR)/env.sh; fi; \
	$(BIN)/python scripts/bench_baci.py --rows $(ROWS) $(if $(LAKE_WORKERS),--lake-workers $(LAKE_WORKERS))

sql: setup
	$(BIN)/python -m orchestration.sql_prompt

postgres:
	bash scripts/postgres.sh start

postgres-stop:
	bash scripts/postgres.sh stop

clean:
	rm -rf dbt_project/target dbt_project/logs $$($(BIN)/python -m orchestration.layout published_dir gx_site_dir)
	rm -f $$($(BIN)/python -m orchestration.layout working_db)*
