"""gunicorn settings for Closeness (`closeness serve` passes --config python:service.cli.gunicorn_conf)."""

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from service.ops.settings import ConfigError, settings

try:
    _settings = settings()
except ConfigError as _error:  # one line naming the variable, not a traceback
    raise SystemExit(f"closeness: {_error}") from None

# sync workers: every request is CPU work under the GIL. gthread peaked higher when connections spread
# evenly, but one gthread worker could take a whole burst of keep-alive connections and fall to half
# the throughput; sync stayed predictable with the best p99 (README, "Worker class").
worker_class = _settings["WORKER_CLASS"]
workers = _settings["WORKERS"] or os.cpu_count() or 1
# Threads only with gthread: gunicorn would switch a sync worker to gthread when given threads.
threads = _settings["THREADS"] if worker_class == "gthread" else 1
timeout = _settings["TIMEOUT"]
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, at different moments, as a guard against slow leaks. Not too often:
# a worker's boot costs ~0.5 s of CPU, which at 20,000 requests was several percent of a full load.
max_requests = _settings["MAX_REQUESTS"]
max_requests_jitter = max_requests // 10
# The app writes one JSON line per request itself (without query strings); gunicorn's own is off.
accesslog = None
errorlog = "-"
loglevel = _settings["LOG_LEVEL"].lower()
# No preload: every worker builds its own app and durable_rules engine before serving.
preload_app = False
# gunicorn 27's control socket is one file per user ($HOME/.gunicorn/gunicorn.ctl), shared by every
# instance that user runs: off, so that instances never talk to each other's masters.
control_socket_disable = True

# glibc malloc: a high trim threshold and top pad stop the heap shrinking and regrowing on every
# request (page faults), measured at ~1.8x. Applied here in the master, so forked workers inherit it.
MALLOC = {"MALLOC_TRIM_THRESHOLD_": (-1, 128 * 1024 * 1024), "MALLOC_TOP_PAD_": (-2, 64 * 1024 * 1024)}


def _tune_malloc() -> None:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return
    try:
        mallopt = ctypes.CDLL(libc_name).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    for variable, (option, default) in MALLOC.items():
        value = int(os.environ.setdefault(variable, str(default)))
        mallopt(option, value)


_tune_malloc()

# Prometheus multiprocess mode: every worker writes its samples to files in one directory. One this
# config made is removed when the master exits.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="closeness-metrics-")
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def _checked_rulebook():
    """Load and check the rules directory, then run its own cases; RulebookError names every problem."""
    from service.core.rulebook import Problem, RulebookError, load_rulebook

    source = os.environ["CLOSENESS_RULES_SOURCE"]
    rulebook = load_rulebook(source)  # every problem with file and line
    # The cases run in a separate process: the master never builds a rules engine of its own.
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "rules", "test", source],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if run.returncode != 0:
        failed = [line for line in run.stdout.splitlines() if line.startswith("FAIL")]
        details = failed or (run.stderr or run.stdout).strip().splitlines()[-5:]
        raise RulebookError([Problem(Path(source), 1, "its cases fail: " + "; ".join(details[:5]))])
    return rulebook


def _migrate_within(url: str, seconds: float) -> None:
    """Migrate in a child process, given up after `seconds` (a database that freezes mid-migration
    never holds the start); raises what the migration raised, or TimeoutError."""
    import multiprocessing

    from service.audit.decision_log import migrate

    def run(errors):
        try:
            migrate(url)
        except SQLAlchemyError as error:
            errors.put(type(error).__name__)
            raise SystemExit(1) from None

    errors = multiprocessing.get_context("fork").SimpleQueue()
    child = multiprocessing.get_context("fork").Process(target=run, args=(errors,), daemon=True)
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
        raise TimeoutError("the migration did not finish")
    if child.exitcode != 0:
        raise SQLAlchemyError(errors.get() if not errors.empty() else "the migration failed")


def on_starting(server):
    """Start with an empty metrics directory and the checked rulebook in memory."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)
    from service.cli import boot
    from service.core.rulebook import default_rules_dir

    os.environ.setdefault(
        "CLOSENESS_RULES_SOURCE", os.environ.get("CLOSENESS_RULES_DIR") or str(default_rules_dir())
    )
    boot.rulebook = _checked_rulebook()  # a broken rulebook, or failing cases, stop the start here
    server.log.info("rulebook %s from %s", boot.rulebook.digest, os.environ["CLOSENESS_RULES_SOURCE"])
    from service.ops.settings import startup_warnings

    for warning in startup_warnings(_settings):  # once, here, not in every worker
        server.log.warning(warning)
    if _settings["DATA_KEY"] and not _settings["DECISION_LOG"]:  # couple mode's tables, once, here
        try:
            _migrate_within(_settings["DATABASE_URL"], 30)
        except (SQLAlchemyError, TimeoutError) as error:
            server.log.warning("couple mode: the database did not answer at start (%s)", type(error).__name__)
            os.environ["CLOSENESS_DECISION_LOG_MIGRATE"] = "pending"
    if _settings["DECISION_LOG"]:  # once, in the master, before any worker writes
        from service.audit.decision_log import DecisionLog, spool_directory
        from service.audit.spool import drain
        from service.ops.settings import spool_base

        url = _settings["DATABASE_URL"]
        try:
            _migrate_within(url, 30)
        except (SQLAlchemyError, TimeoutError) as error:
            # Serve anyway: decisions wait in the spool, and the workers migrate at their first contact.
            server.log.warning(
                "decision log: the database did not answer at start (%s); decisions wait in the spool",
                type(error).__name__,
            )
            os.environ["CLOSENESS_DECISION_LOG_MIGRATE"] = "pending"
            return
        os.environ.pop("CLOSENESS_DECISION_LOG_MIGRATE", None)
        # Decisions a previous run left in the spool go first (at most 15 s; workers ship the rest).
        decision_log = DecisionLog(url)
        left = drain(spool_directory(spool_base(_settings), url), decision_log.insert)
        decision_log.engine.dispose()
        if left:
            server.log.warning("decision spool: %d segment(s) left for the workers to ship", left)


def on_reload(server):
    """On HUP, before new workers start: take the changed rulebook if it loads and its cases pass, or
    refuse it and keep the old one."""
    from service.cli import boot
    from service.core.rulebook import RulebookError

    try:
        rulebook = _checked_rulebook()
    except RulebookError as error:
        server.log.error("rulebook refused, still serving the previous one:\n%s", error)
        return
    except Exception as error:  # noqa: BLE001 - a file gone mid-read, a case run timing out: keep serving
        server.log.error(
            "rulebook refused, still serving the previous one: %s: %s", type(error).__name__, error
        )
        return
    boot.rulebook = rulebook
    server.log.info("rulebook reloaded: %s", rulebook.digest)


def on_exit(server):
    """Leave nothing behind: the metrics directory this config made goes with the master."""
    if _own_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


def post_fork(server, worker):
    """In each worker: responses leave in one write (service/ops/one_write.py), so a worker killed
    mid-response never leaves nginx with headers it cannot retry."""
    from service.ops import one_write

    one_write.install()


def child_exit(server, worker):
    """Drop a dead worker's live-gauge samples."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
