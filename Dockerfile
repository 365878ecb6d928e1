# syntax=docker/dockerfile:1
# Build stage: compiles durable-rules (a C extension) into wheels.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc g++ make && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
COPY schemas ./schemas
COPY rules ./rules
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Runtime stage: no compiler, non-root, gunicorn as the command.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_TRIM_THRESHOLD_=134217728 \
    MALLOC_TOP_PAD_=67108864 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/closeness-metrics
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 closeness
USER closeness
WORKDIR /home/closeness
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=2).status != 200)"
CMD ["python", "-m", "gunicorn", "--config", "python:service.ops.gunicorn_conf", "--bind", "0.0.0.0:8000", "service:create_app()"]
