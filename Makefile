# Two commands a newcomer needs: `make serve` and `make test`. Everything else is here for them.
# Each setup step leaves a stamp that depends on the files it installs from, so a second run with
# nothing changed does no reinstall.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMPS := .stamps
export NO_MKDOCS_2_WARNING := 1

.PHONY: help setup setup-test serve build check test screenshots bench clean

help:
	@echo "make serve   build and serve the site at http://127.0.0.1:8000 with live reload"
	@echo "make test    install everything the tests need, then run the whole suite (CI runs this)"
	@echo "make check   the inner loop: build, then every test but the browser ones (under 90 s)"
	@echo "make build   strict build into site/ (SITE_URL=https://... for a deployable build)"
	@echo "make screenshots  every page at phone and desktop size, light and dark, into test-artifacts/"
	@echo "make bench   print the extractor and in-browser tool benchmarks"

# Every package is checked against the hash in the pins, and only wheels are installed: no
# package's setup code runs. requirements*.txt are generated from requirements*.in (see their headers).
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary=:all:

$(STAMPS)/venv: requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/venv-test: requirements-test.txt $(STAMPS)/venv
	$(PIP_INSTALL) -r requirements-test.txt
	@touch $@

# --ignore-scripts: pyodide and axe-core are plain files; no package's install script may run.
$(STAMPS)/npm: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

# Chromium for the browser tests; hunspell (sv, en, nb, da) and Voikko (fi) for the spelling gates;
# nginx with brotli_static for the hosting test (tests/hosting/nginx.conf, the config the README
# gives hosts). As root
# with apt (CI and these machines) Debian's packages; elsewhere Playwright's own Chromium, and the
# rest is up to you. Voikko: libvoikko1 is the library, voikko-fi the Finnish morphology, and
# python3-libvoikko the one-file ctypes binding that tests/test_content.py loads by path.
SYSTEM_PACKAGES := chromium hunspell hunspell-sv hunspell-en-us hunspell-no hunspell-da \
                   libvoikko1 voikko-fi python3-libvoikko nginx-light libnginx-mod-http-brotli-static
DICTIONARIES := $(foreach d,sv_SE en_US nb_NO da_DK,/usr/share/hunspell/$(d).dic) /usr/lib/python3/dist-packages/libvoikko.py \
                /usr/lib/voikko/5/mor-standard/mor.vfst /usr/lib/nginx/modules/ngx_http_brotli_static_module.so
$(STAMPS)/system:
	@if command -v chromium >/dev/null && command -v hunspell >/dev/null \
	    && ls $(DICTIONARIES) >/dev/null 2>&1 \
	    && { command -v nginx >/dev/null || test -x /usr/sbin/nginx; }; then \
	  echo "Chromium, hunspell, Voikko and nginx are installed."; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
	  $(PY) -m playwright install chromium; \
	  command -v hunspell >/dev/null || echo "Install hunspell (sv_SE, en_US, nb_NO, da_DK) and Voikko (Finnish) for the spelling tests."; \
	  command -v nginx >/dev/null || echo "Install nginx for the hosting test."; \
	fi
	@mkdir -p $(STAMPS) && touch $@

setup: $(STAMPS)/venv $(STAMPS)/npm
setup-test: setup $(STAMPS)/venv-test $(STAMPS)/system

serve: setup
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

# Prints how long the build took: the budget is 20 s for all five languages (issue 12).
build: setup
	@start=$$(date +%s%N); $(PY) -m mkdocs build --strict --clean && \
	  echo "Built $$(ls site/*/search/search_index.json site/search/search_index.json | wc -l) languages in $$(( ($$(date +%s%N) - start) / 1000000 )) ms."

# The one strict build of a run is `build`; the tests read the site/ it leaves. Two pytest-xdist
# workers: the browser tests wait on Chromium as much as they compute, so two share two cores well
# (make test: about 7 min in one process, about 5 in two). `make test WORKERS=0` runs in one.
# worksteal: a worker that runs out takes tests from the other, so the long ones (Lighthouse, the
# screenshots) do not leave one worker alone at the end (about 15 s less than the default).
WORKERS ?= 2
XDIST = -n $(WORKERS) $(if $(filter 0,$(WORKERS)),,--dist worksteal)
test: setup-test build
	$(PY) -m pytest $(XDIST)

check: setup-test build
	$(PY) -m pytest $(XDIST) -m "not browser"

screenshots: setup-test build
	$(PY) -m pytest -m browser --screenshots -k "test_page_in_browser or screenshots"

bench: setup-test build
	$(PY) tests/bench/bench_extractor.py
	$(PY) -m tests.bench.bench_browser
	$(PY) -m tests.bench.bench_lighthouse

clean:
	rm -rf site $(STAMPS) test-artifacts .pytest_cache
