# Two commands set up everything on a fresh machine: `make serve` and `make test`.
# Each target installs what it needs (venv, npm packages, Debian chromium, nginx, apache2 when root).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
SETUP := build_scripts/setup.sh

.PHONY: help setup chromium nginx apache webkit site serve test test-unit test-site test-browser test-webkit lint bench dist clean

help:
	@echo "make serve   build the site and serve it on http://127.0.0.1:$(PORT)/"
	@echo "make test    lint, site build, then unit, site, browser (Chromium) and WebKit tests in one run"
	@echo "make test-unit / test-site / test-browser   one tier (tests/unit, tests/site, tests/browser)"
	@echo "make bench   benchmarks of the calculator pages (prints a table)"
	@echo "make dist    hospital hosting bundle in dist/ (LOCAL_NOTES=file adds local notes)"

# The stamps re-run an install only when its pinned inputs change.
$(VENV)/.installed: pyproject.toml
	@PYTHON=$(PYTHON) bash $(SETUP) venv
	@touch $@

node_modules/.installed: package.json package-lock.json
	@bash $(SETUP) npm
	@touch $@

setup: $(VENV)/.installed node_modules/.installed

chromium:
	@CHROMIUM=$(CHROMIUM) bash $(SETUP) chromium

nginx:
	@bash $(SETUP) nginx

apache:
	@bash $(SETUP) apache

webkit:
	@bash $(SETUP) webkit

# LOCAL_NOTES=path/to/local-notes.json builds a hospital's local notes in (HOSTING.md).
site: setup
	$(PY) -m build_scripts.build_site $(if $(LOCAL_NOTES),--local-notes "$(LOCAL_NOTES)")

serve: site
	$(PY) -m build_scripts.serve --port $(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# Tiers: unit (the engine and build steps, no site), site (reads the built site/ only),
# browser (the built site served to Chromium), webkit (a few checks in Safari's engine).
TIERS := tests/unit tests/site tests/browser tests/webkit

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit -q

test-site: site
	$(PY) -m pytest tests/site -q

test-browser: site chromium nginx apache
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest tests/browser -q

test-webkit: site webkit
	$(PY) -m pytest tests/webkit -q

# One pytest run, so the closing line counts every test. Two workers by default (WORKERS=1 for
# one); each takes whole test files, so a file's shared browser page stays on one worker.
WORKERS ?= 2
test: lint site chromium nginx apache webkit
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(TIERS) -q -n $(WORKERS) --dist loadfile

bench: site chromium
	CHROMIUM=$(CHROMIUM) $(PY) -m benchmarks.run

dist: site
	$(PY) -m build_scripts.make_dist

clean:
	rm -rf site build dist .pytest_cache docs/algorithm docs/evidence docs/options
