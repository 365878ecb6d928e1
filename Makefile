# Quick start: `make serve` and `make test`. Each sets up its own virtualenv first.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: serve test lint check-rules bench load wrk chromium nginx axe k8s image image-tools clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH (or PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# The editable install's one notice from setuptools ("Editable installation") is silenced; its
	@# packaging metadata gives no warning of its own.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/closeness serve

test: $(STAMP) chromium nginx wrk axe image-tools
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/closeness rules check
	$(BIN)/closeness rules test --coverage --min 100
	$(BIN)/python -m pytest

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

bench: $(STAMP) wrk
	$(BIN)/python -m bench.engine_bench
	$(BIN)/python -m bench.memory_bench
	$(BIN)/python -m bench.http_bench
	$(BIN)/python -m bench.batch_bench
	$(BIN)/python -m bench.report

load: $(STAMP) wrk nginx
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.log_bench
	$(BIN)/python -m bench.nginx_bench
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-output .cache
