"""A small threaded HTTP load client: N threads, each with its own keep-alive connection.

Cheaper than locust on a 2-core machine, where the client competes with the server for CPU.
Gunicorn's sync workers close the connection after each response; http.client reconnects
on the next request, so the cost of a TCP connect is part of the measured latency.
"""

import http.client
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

PathMaker = Callable[[random.Random], str]


@dataclass
class LoadResult:
    scenario: str
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, percent: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(percent / 100 * len(ordered)))
        return ordered[rank - 1]

    def as_dict(self) -> dict:
        return {
            "scenario": self.scenario, "concurrency": self.concurrency,
            "seconds": round(self.seconds, 3), "requests": self.requests,
            "requests_per_second": round(self.requests_per_second, 1),
            "p50_ms": round(self.percentile(50), 2), "p99_ms": round(self.percentile(99), 2),
            "errors": self.errors, "statuses": {str(k): v for k, v in self.statuses.items()},
            "first_error": self.first_error,
        }


@dataclass
class _Worker:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    first_error: str = ""


def run_load(*, scenario: str, port: int, make_path: PathMaker, concurrency: int,
             duration: float, seed: int = 0) -> LoadResult:
    """GET make_path(rng) from `concurrency` threads for `duration` seconds (loopback only)."""
    deadline = time.monotonic() + duration
    workers = [_Worker() for _ in range(concurrency)]
    threads = [
        threading.Thread(target=_hammer, daemon=True,
                         args=(worker, port, make_path, random.Random(seed * 1000 + index),
                               deadline))
        for index, worker in enumerate(workers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = LoadResult(scenario=scenario, concurrency=concurrency,
                        seconds=time.perf_counter() - started)
    for worker in workers:
        result.latencies_ms.extend(worker.latencies_ms)
        result.statuses.update(worker.statuses)
        result.errors += worker.errors
        result.first_error = result.first_error or worker.first_error
    return result


def _hammer(worker: _Worker, port: int, make_path: PathMaker, rng: random.Random,
            deadline: float) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/json", "Host": "127.0.0.1"}
    while time.monotonic() < deadline:
        path = make_path(rng)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            status, detail = 0, f"{type(error).__name__}: {error} ({path})"
        else:
            detail = f"HTTP {status} ({path})"
        worker.latencies_ms.append((time.perf_counter() - started) * 1000)
        worker.statuses[status] += 1
        if not 200 <= status < 400:
            worker.errors += 1
            worker.first_error = worker.first_error or detail
    connection.close()
