"""gunicorn settings for `make run` and the benchmarks (gunicorn reads this file from the cwd)."""

import gc

worker_class = "sync"
timeout = 60


def post_worker_init(worker: object) -> None:
    # Objects loaded at start-up never die: moving them out of the collector's view removes the
    # full-collection pauses that otherwise make the p99 of a large cart read four times its p50.
    gc.freeze()
