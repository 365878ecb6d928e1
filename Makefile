# Quick start: `make serve` and `make test`. Each sets up its own virtualenv first.
# Python: the first supported one this machine has (3.11, then 3.12, then 3.13), or PYTHON=...
SUPPORTED = python3.11 python3.12 python3.13
PYTHON ?= $(firstword $(foreach p,$(SUPPORTED),$(shell $(p) -c 'import sys' >/dev/null 2>&1 && echo $(p))))
PYVER  := $(if $(PYTHON),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(PYVER)

.PHONY: serve test test-core lint check-rules bench bench-instructions load wrk valgrind chromium nginx axe k8s image image-tools clean python

# Which Python, said once; a machine with none of the supported ones gets one line and stops.
python:
	@[ -n "$(PYTHON)" ] && [ -n "$(PYVER)" ] || { echo "Closeness needs Python 3.11, 3.12 or 3.13, and none was found (PYTHON=... names one)"; exit 1; }
	@case "$(PYVER)" in 3.11|3.12|3.13) echo "Using $(PYTHON) (Python $(PYVER)) in $(VENV)";; \
	  *) echo "Closeness needs Python 3.11, 3.12 or 3.13; $(PYTHON) is Python $(PYVER)"; exit 1;; esac

$(STAMP): pyproject.toml | python
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# durable-rules 2.0.28 does not import on 3.13 as released: a wheel built from its source with
	@# one patch (patches/durable-rules/README.md), cached in .cache/wheels/.
	@if $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then \
	  $(BIN)/pip install --quiet "$$($(BIN)/python scripts/durable_rules_wheel.py)"; fi
	@# The editable install's one notice from setuptools ("Editable installation") is silenced; its
	@# packaging metadata gives no warning of its own.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Couple mode needs a data key (CLOSENESS_DATA_KEY): without one set, `make serve` makes a local one for
# development in .cache/data-key (private) and says so. Real deployments set their own (README).
serve: python $(STAMP)
	@if [ -z "$$CLOSENESS_DATA_KEY" ]; then mkdir -p .cache; [ -s .cache/data-key ] || (umask 077; \
	  $(BIN)/python -c 'from service.core.sealing import new_key; print(new_key())' > .cache/data-key); \
	  echo "Couple mode: a development data key from .cache/data-key (set CLOSENESS_DATA_KEY for real use)"; fi
	CLOSENESS_DATA_KEY="$${CLOSENESS_DATA_KEY:-$$(cat .cache/data-key 2>/dev/null)}" $(BIN)/closeness serve

test: python $(STAMP) chromium nginx wrk axe image-tools
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/closeness rules check
	$(BIN)/closeness rules test --coverage --min 100
	$(BIN)/python -m pytest

# The engine, rulebook and HTTP tests alone: how CI checks the other supported Pythons
# (make test-core PYTHON=python3.13 VENV=.venv-3.13).
CORE_TESTS = tests/http tests/unit/test_engine.py tests/unit/test_rulebook.py tests/unit/test_yamlfile.py \
  tests/unit/test_decision.py tests/unit/test_because_cache.py tests/unit/test_rules.py \
  tests/unit/test_casefiles.py tests/unit/test_content.py tests/unit/test_dumping.py
test-core: python $(STAMP)
	$(BIN)/closeness rules check
	$(BIN)/closeness rules test --coverage --min 100
	$(BIN)/python -m pytest $(CORE_TESTS)

# The image: built with buildah (no container engine) on a base from Debian's packages (debootstrap),
# then run as its user (deploy/image/build.sh; tests/live/test_image.py does the same in make test).
# The base stays in buildah's storage between runs.
image-tools:
	@{ command -v buildah >/dev/null && command -v debootstrap >/dev/null; } || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get install -y -q buildah debootstrap >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q buildah debootstrap >/dev/null)); } \
	  || echo "buildah or debootstrap not installed: the image test will be skipped"

image: image-tools
	deploy/image/build.sh

# deploy/kubernetes/generated/ from rules/ and deploy/nginx/ (a test fails when it is out of date).
k8s: $(STAMP)
	$(BIN)/python deploy/kubernetes/generate.py

lint: $(STAMP)
	$(BIN)/ruff check .

check-rules: $(STAMP)
	$(BIN)/closeness rules check
	$(BIN)/closeness rules test

# The browser tests drive Debian's Chromium (no browser downloads). Installed here when missing and
# possible (root with apt-get, as on CI); elsewhere they skip, and CI=true makes them fail instead.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get install -y -q chromium >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); } \
	  || echo "chromium not installed: the browser tests will be skipped"

# nginx (Debian's) runs in front of two instances in tests/live/test_nginx.py, with deploy/nginx/.
nginx:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get install -y -q nginx >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q nginx >/dev/null)); } \
	  || echo "nginx not installed: the nginx tests will be skipped"

# axe-core (npm) checks the pages' accessibility inside Chromium. Installed here when npm is there;
# elsewhere those tests skip, and CI=true makes them fail instead.
AXE = .cache/axe/node_modules/axe-core/axe.min.js
axe:
	@[ -f $(AXE) ] || { command -v npm >/dev/null && npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4.10 >/dev/null; } \
	  || echo "axe-core not installed: the accessibility tests will be skipped"

wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)); } \
	  || { echo "bench and load need wrk (Debian package 'wrk')"; exit 1; }

# bench/instructions.py counts instructions with valgrind's callgrind; its toggle is compiled with gcc
# against valgrind's header (Debian's valgrind package has both the tool and the header).
valgrind:
	@command -v valgrind >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get install -y -q valgrind || (apt-get update -q && apt-get install -y -q valgrind)); } \
	  || { echo "bench and bench-instructions need valgrind (Debian package 'valgrind')"; exit 1; }

bench: $(STAMP) wrk valgrind
	$(BIN)/python -m bench.engine_bench
	$(BIN)/python -m bench.memory_bench
	$(BIN)/python -m bench.http_bench
	$(BIN)/python -m bench.batch_bench
	$(BIN)/python -m bench.instructions
	$(BIN)/python -m bench.report

# Instructions per operation alone (about a minute and a half): decide, a WSGI request, a batch line.
bench-instructions: $(STAMP) valgrind
	$(BIN)/python -m bench.instructions
	$(BIN)/python -m bench.report

load: $(STAMP) wrk nginx
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.log_bench
	$(BIN)/python -m bench.nginx_bench
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-output .cache
