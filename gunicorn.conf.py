"""gunicorn settings for `make run` and the benchmarks (gunicorn reads this file from the cwd)."""

import gc
import os
from pathlib import Path

worker_class = "sync"
timeout = 60


def on_starting(server: object) -> None:
    # Multiprocess metrics: a previous run's files would be summed into this one's counts.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for leftover in Path(directory).glob("*.db"):
            leftover.unlink()


def post_worker_init(worker: object) -> None:
    # Objects loaded at start-up never die: moving them out of the collector's view removes the
    # full-collection pauses that otherwise make the p99 of a large cart read four times its p50.
    gc.freeze()


def child_exit(server: object, worker: object) -> None:
    # A worker that exits (restart, timeout) leaves its files; its live gauges must not count.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
