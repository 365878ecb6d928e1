# syntax=docker/dockerfile:1
# BASE: a Debian bookworm image with Python 3.11 (python3 with venv). By default the official Python
# image; `make image` builds a base from Debian's own packages (debootstrap, Debian's Python 3.11) and
# passes it here, then builds this file with buildah and runs the image's command in it.
ARG BASE=docker.io/library/python:3.11-slim-bookworm

# Build stage: wheels for the project and everything it needs, durable-rules compiled here.
FROM ${BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc g++ make patch \
 && { python3 -c "import os, sys, sysconfig; sys.exit(not os.path.exists(sysconfig.get_paths()['include'] + '/Python.h'))" \
      || apt-get install -y --no-install-recommends python3-dev; } \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
COPY rules ./rules
COPY scripts/durable_rules_wheel.py ./scripts/
COPY patches ./patches
# On a base with Python 3.13 or later, durable-rules is built from its source with the project's patch
# (patches/durable-rules/README.md) and taken from /wheels; the image keeps the Python of its base.
RUN python3 -m venv /opt/build \
 && /opt/build/bin/pip install --no-cache-dir --upgrade pip wheel \
 && { /opt/build/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 13))' \
      && /opt/build/bin/python scripts/durable_rules_wheel.py /wheels || true; } \
 && /opt/build/bin/pip wheel --no-cache-dir --find-links /wheels --wheel-dir /wheels .

# Runtime stage: no compiler, no network needed, a non-root user, `closeness serve` as the command.
FROM ${BASE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/closeness/bin:$PATH \
    MALLOC_TRIM_THRESHOLD_=134217728 \
    MALLOC_TOP_PAD_=67108864 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/closeness-metrics \
    CLOSENESS_DECISION_SPOOL_DIR=/var/lib/closeness/spool
COPY --from=build /wheels /wheels
RUN python3 -m venv /opt/closeness \
 && /opt/closeness/bin/pip install --no-cache-dir --no-index /wheels/*.whl \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 closeness \
 && mkdir -p /var/lib/closeness/spool && chown -R closeness /var/lib/closeness
USER closeness
WORKDIR /home/closeness
# gunicorn listens on 127.0.0.1:8000: nginx in front is the way in (deploy/nginx/, or the pod's nginx in
# deploy/kubernetes/). To listen on every address instead, set CLOSENESS_HOST=0.0.0.0 knowingly.
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python3 -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2).status != 200)"
CMD ["closeness", "serve"]
