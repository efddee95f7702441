# 阳光监督驾驶舱 / Sunshine Supervision Dashboard — GNU make.
#   make run    set up (once), load demo data (once), serve http://127.0.0.1:$(PORT) (gunicorn)
#   make dev    the same with Flask's development server (one process, tracebacks in the log)
#   make test   set up, install system packages when possible, lint, run every test
#   make lint   ruff (rules in pyproject.toml) and mypy on the non-test code
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements.stamp
PORT ?= 8050
export PORT
SYSTEM_PACKAGES := chromium fonts-noto-cjk

.PHONY: help venv bundle system-deps system-deps-optional demo run dev lint test bench clean distclean

help:
	@echo "make run    serve the dashboard (demo data on first run) at http://127.0.0.1:$(PORT)"
	@echo "make dev    the same on Flask's development server"
	@echo "make test   lint, then run all tests (unit + headless chromium)"
	@echo "make lint   ruff + mypy"
	@echo "make bench  measure the performance budgets"
	@echo "make bundle build plotly.js of our traces only (needs node + npm; else the full bundle is used)"
	@echo "make demo | venv | system-deps | clean | distclean"

venv: $(STAMP)

# pip runs only when requirements.txt is newer than the stamp.
$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

# plotly.js of only our trace types (web/plotly-bundle/index.js; web/bundle.py serves it).
# npm ci + esbuild run only when the output is missing or older than its sources; without
# node/npm (or the registry), a warning: dcc.Graph then loads the full plotly.js as before.
PLOTLY_DIR := web/plotly-bundle
PLOTLY_BUNDLE := var/build/plotly-custom.min.js

bundle: $(PLOTLY_BUNDLE)

$(PLOTLY_BUNDLE): $(PLOTLY_DIR)/package-lock.json $(PLOTLY_DIR)/index.js $(PLOTLY_DIR)/build.mjs
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
		echo "WARNING: node/npm not found: the full plotly.js bundle will be used (install nodejs npm, then make bundle)"; \
	elif (cd $(PLOTLY_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) && mkdir -p $(@D) \
		&& node $(PLOTLY_DIR)/build.mjs $@.tmp && mv $@.tmp $@; then \
		echo "plotly bundle: $@ ($$(wc -c <$@) bytes)"; \
	else \
		rm -f $@.tmp; echo "WARNING: building $@ failed: the full plotly.js bundle will be used"; \
	fi

# chromium (browser tests, image export) and a CJK font (Chinese text in images).
# Installs with apt-get when root; otherwise says what is missing and carries on.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if ! command -v fc-list >/dev/null 2>&1; then missing="$$missing fontconfig fonts-noto-cjk"; \
	elif [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then missing="$$missing fonts-noto-cjk"; fi; \
	if [ -z "$$missing" ]; then echo "system packages: ok ($(SYSTEM_PACKAGES))"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "WARNING: missing system packages:$$missing"; \
		echo "         install them with: sudo apt-get install -y$$missing"; \
		echo "         (browser tests are skipped and image export fails until then)"; \
	fi

# For `make run`: never fails (the dashboard itself needs neither package).
system-deps-optional:
	@$(MAKE) --no-print-directory system-deps || echo "WARNING: could not install system packages; continuing"

# Upgrade the schema, then generate the city-scale demo only if the database is empty.
demo: venv
	$(PY) cli.py ensure-demo --scale city --seed 7

# Production serving: gunicorn with gunicorn.conf.py (workers, threads, timeouts: see there).
run: venv bundle system-deps-optional demo
	$(VENV)/bin/gunicorn -c gunicorn.conf.py app:server

dev: venv bundle system-deps-optional demo
	$(PY) app.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: venv bundle system-deps lint
	$(PY) -m pytest -q

bench: venv bundle
	$(PY) cli.py bench

clean:
	rm -rf var/cache test-artifacts .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

# Also removes the virtualenv and the database (var/).
distclean: clean
	rm -rf $(VENV) var $(PLOTLY_DIR)/node_modules
