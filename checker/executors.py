"""Where the bundles of a ``parkcheck batch`` are checked: one interface, two executors.

``Work`` says what to run: a module-level ``function`` (one task dict in, one row dict out) and an
``initializer`` (run once per worker process with ``setup``), both importable by the workers, which
get them by reference; tasks, setup and rows are plain data.  ``Executor.run(work, tasks, done)``
calls ``done(position, row)`` as each task ends, or ``done(position, Failure(...))`` when the worker
running it died or the task ran over ``work.timeout`` seconds.

* ``LocalExecutor``: worker processes on this machine, started with ``forkserver`` (``spawn`` where
  there is none): never a plain ``fork`` of the caller, whose threads (the progress bar) and C
  state (the rule engine, when the caller has checked anything) a forked child would inherit in an
  unknown state.  Each worker runs one task at a time through its own pipe, so the caller knows which
  bundle each worker holds: a worker that dies (a segmentation fault in the rule engine, the
  out-of-memory killer) fails that bundle alone and a fresh worker takes its place; a task over the
  time limit gets its worker killed and replaced the same way.
* ``DaskExecutor``: a Dask distributed cluster (``scheduler`` address), or a ``LocalCluster`` started
  for the run.  At most one task per worker is in flight, so a task's time counts from its
  submission; one over the limit is cancelled and its worker restarted (needs a nanny, i.e. workers
  started by ``dask worker`` or a LocalCluster with processes).  A worker that dies is retried by the
  scheduler; a task that keeps killing workers comes back as ``KilledWorker``: a failure.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from . import __version__
from .i18n import tr

Row = dict[str, Any]
START_LIMIT = 120.0  # seconds a worker may take to start (imports, pack compilation) when tasks have a limit


@dataclass(frozen=True)
class Work:
    function: Callable[[Row], Row]
    initializer: Callable[[Row], None]
    setup: Row = field(default_factory=dict)
    timeout: float | None = None  # seconds per task; None: no limit


@dataclass(frozen=True)
class Failure:
    """A task that gave no row: ``kind`` is ``died`` or ``timeout``; ``detail`` one line of English."""

    kind: str
    detail: str
    seconds: float


Done = Callable[[int, "Row | Failure"], None]


class WorkerStartFailed(RuntimeError):
    """Workers could not start (their initializer failed): nothing can be checked."""


class Executor(Protocol):
    def run(self, work: Work, tasks: list[Row], done: Done) -> None: ...


# --- local worker processes ---

def _serve(conn: Connection, work: Work) -> None:
    """A worker process: initialise, say ready, then run tasks until told to stop.  Ctrl-C is the
    caller's to handle (it stops the workers): a worker ignores it, so no worker prints a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        work.initializer(work.setup)
    except BaseException as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        position, task = message
        conn.send(("row", (position, work.function(task))))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    task: tuple[int, float] | None = None  # (position, started at)
    born: float = field(default_factory=time.monotonic)


class LocalExecutor:
    def __init__(self, jobs: int, method: str | None = None):
        self.jobs = max(1, jobs)
        methods = multiprocessing.get_all_start_methods()
        method = method or ("forkserver" if "forkserver" in methods else "spawn")
        self.context: Any = multiprocessing.get_context(method)
        self.start_failures = 0

    def _start(self, work: Work) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child, work), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def run(self, work: Work, tasks: list[Row], done: Done) -> None:
        queue = deque(enumerate(tasks))
        workers = [self._start(work) for _ in range(min(self.jobs, len(tasks)))]
        try:
            while queue or any(w.task for w in workers):
                for w in workers:
                    if w.ready and w.task is None and queue:
                        position, task = queue.popleft()
                        w.task = (position, time.monotonic())
                        w.conn.send((position, task))
                ready = set(wait([w.conn for w in workers] + [w.process.sentinel for w in workers],
                                 timeout=self._wait_time(workers, work.timeout)))
                workers = [self._settle(w, ready, work, done) for w in workers]
        finally:
            for w in workers:
                _stop(w)

    @staticmethod
    def _wait_time(workers: list[_Worker], timeout: float | None) -> float | None:
        if timeout is None:
            return None
        deadlines = [w.task[1] + timeout if w.task else w.born + max(timeout, START_LIMIT)
                     for w in workers if w.task or not w.ready]
        return max(0.0, min(deadlines) - time.monotonic()) + 0.01 if deadlines else None

    def _settle(self, w: _Worker, ready: set, work: Work, done: Done) -> _Worker:
        """Take the worker's message, or replace it if it died or ran over the time limit."""
        if w.conn in ready:
            try:
                kind, payload = w.conn.recv()
            except (EOFError, OSError):
                return self._replace(w, work, done, "died")
            if kind == "ready":
                w.ready, self.start_failures = True, 0
            elif kind == "failed":
                raise WorkerStartFailed(payload)
            else:
                position, row = payload
                w.task = None
                done(position, row)
            return w
        if w.process.sentinel in ready or not w.process.is_alive():
            return self._replace(w, work, done, "died")
        if work.timeout is not None and w.task and time.monotonic() - w.task[1] > work.timeout:
            return self._replace(w, work, done, "timeout")
        if work.timeout is not None and not w.ready and time.monotonic() - w.born > max(work.timeout, START_LIMIT):
            raise WorkerStartFailed(f"a worker process did not start within {max(work.timeout, START_LIMIT):g} s")
        return w

    def _replace(self, w: _Worker, work: Work, done: Done, why: str) -> _Worker:
        if why == "died":
            w.process.join(5)
        _stop(w)
        code = w.process.exitcode
        if w.task is None:  # it died before taking a task: its initializer crashed
            self.start_failures += 1
            if self.start_failures > 2 * self.jobs:
                raise WorkerStartFailed(f"worker processes keep dying while starting (exit code {code})")
        else:
            position, started = w.task
            seconds = time.monotonic() - started
            if why == "timeout":
                done(position, Failure("timeout", tr("over the time limit of {seconds} s; its worker was stopped",
                                                     seconds=f"{work.timeout:g}"), seconds))
            else:
                how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                done(position, Failure("died", tr("the worker process died ({how}) while checking it", how=how),
                                       seconds))
        return self._start(work)


def _stop(w: _Worker) -> None:
    if w.process.is_alive():
        if w.task is None and w.ready:
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.process.join(2)
        if w.process.is_alive():
            w.process.kill()
        w.process.join()
    w.conn.close()


# --- Dask distributed ---

class DaskExecutor:
    def __init__(self, scheduler: str | None = None, jobs: int = 1, processes: bool = True):
        self.scheduler, self.jobs, self.processes = scheduler, max(1, jobs), processes

    def run(self, work: Work, tasks: list[Row], done: Done) -> None:
        from distributed import Client, LocalCluster

        if self.scheduler:
            with Client(self.scheduler) as client:
                self._run(client, work, tasks, done)
            return
        # no more workers than bundles (as LocalExecutor): a large --jobs must not start idle processes by the hundred
        with LocalCluster(n_workers=max(1, min(self.jobs, len(tasks))), threads_per_worker=1, processes=self.processes,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            self._run(client, work, tasks, done)

    def _run(self, client, work: Work, tasks: list[Row], done: Done) -> None:
        from distributed import wait as dask_wait

        _same_version(client)
        client.register_plugin(_warm_plugin(work.initializer, work.setup), name="parkcheck-warm")
        queue = deque(enumerate(tasks))
        running: dict[Any, list] = {}  # future -> [position, submitted at, started at or None]
        while queue or running:
            capacity = max(1, len(client.scheduler_info().get("workers", {})))
            while queue and len(running) < capacity:
                position, task = queue.popleft()
                future = client.submit(work.function, task, pure=False, retries=0, key=f"parkcheck-{position}-"
                                       f"{time.monotonic_ns()}")
                running[future] = [position, time.monotonic(), None]
            limit = _started(client, running, work.timeout)
            try:
                finished = dask_wait(list(running), timeout=limit, return_when="FIRST_COMPLETED").done
            except TimeoutError:  # none ended within the limit
                finished = set()
            for future in finished:
                self._collect(future, running.pop(future), done)
            for future, (position, _, started) in list(running.items()):
                if work.timeout is not None and started is not None and time.monotonic() - started > work.timeout:
                    running.pop(future)
                    seconds = time.monotonic() - started
                    _stop_task(client, future)
                    done(position, Failure("timeout", tr("over the time limit of {seconds} s; its task was "
                                                         "cancelled", seconds=f"{work.timeout:g}"), seconds))

    @staticmethod
    def _collect(future, where: list, done: Done) -> None:
        position, submitted, started = where
        started = started or submitted
        if future.status == "finished":
            done(position, future.result())
            return
        exc = future.exception()
        died = type(exc).__name__ == "KilledWorker"
        detail = tr("the worker process died while checking it") if died else f"{type(exc).__name__}: {exc}"
        done(position, Failure("died", detail, time.monotonic() - started))


def _same_version(client) -> None:
    """Every worker must run this parkcheck version (the same packs, the same reports)."""
    versions = client.run(_parkcheck_version)
    other = {w: v for w, v in versions.items() if v != __version__}
    if other:
        worker, version = sorted(other.items())[0]
        raise WorkerStartFailed(f"worker {worker} runs parkcheck {version}, this is parkcheck {__version__}; "
                                "install the same version on every worker")


def _started(client, running: dict[Any, list], timeout: float | None) -> float | None:
    """Note when each task reached a worker (the scheduler's ``processing``); how long to wait for the next
    event: the nearest deadline, or a short poll while a task waits for a worker; None without a limit."""
    if timeout is None:
        return None
    now = time.monotonic()
    waiting = [entry for entry in running.values() if entry[2] is None]
    if waiting:
        on_workers = {key for keys in client.processing().values() for key in keys}
        for future, entry in running.items():
            if entry[2] is None and future.key in on_workers:
                entry[2] = now
    deadlines = [entry[2] + timeout for entry in running.values() if entry[2] is not None]
    poll = 1.0 if any(entry[2] is None for entry in running.values()) else None
    nearest = max(0.0, min(deadlines) - now) + 0.01 if deadlines else None
    candidates = [x for x in (nearest, poll) if x is not None]
    return min(candidates) if candidates else 1.0


def _stop_task(client, future) -> None:
    """Cancel a task over the limit and restart the worker running it (the thread cannot be stopped)."""
    holders = [w for w, keys in client.processing().items() if future.key in keys]
    client.cancel(future, force=True)
    if holders:
        try:
            client.restart_workers(holders, raise_for_error=False)
        except Exception:  # a worker without a nanny cannot be restarted; it finishes the task and goes on
            pass


def _parkcheck_version() -> str:
    """Run on each Dask worker: the parkcheck version it has."""
    from . import __version__ as version

    return version


def _warm_plugin(initializer: Callable[[Row], None], setup: Row):
    """A Dask worker plugin running the initializer once per worker process (Dask's ``setup`` hook)."""
    from distributed import WorkerPlugin

    class Warm(WorkerPlugin):
        def setup(self, worker) -> None:
            initializer(setup)

    return Warm()
