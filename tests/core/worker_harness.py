"""Real job workers for tests: `ketnoi worker` in a subprocess against a scratch installation of its
own, which a test can start, watch, kill (SIGKILL, as the OOM killer or a power cut does) and start
again.

The installation is either the embedded default (a SQLite database and the SQLite queue file in
tmp_path) or PostgreSQL + Redis (a scratch database created from a migrated template and dropped
afterwards, never the `test` database; Redis db 12, with a queue name of its own). Settings reach the
processes by environment only (DATABASE_URL, REDIS_URL, KETNOI_VAR_DIR, KETNOI_QUEUE_NAME,
DJANGO_SETTINGS_MODULE=tests.core.worker_settings, which adds the test-only app tests.core.jobprobe).
The test process reads the scratch database directly (``query``), so polling costs no Django start.

Use the ``worker_harness`` fixture (tests/conftest.py); it runs each test once per backend
("sqlite" and "postgres-redis"; the latter needs both servers: required in CI, skipped elsewhere)::

    def test_x(worker_harness):
        h = worker_harness
        worker = h.start()
        record = h.enqueue("tests.core.jobprobe.tasks.effect_once", "k1")
        h.wait_until(lambda: h.steps("k1"), what="the job started")
        h.kill()                                   # SIGKILL to every live worker
        h.start(); h.backdate_jobs(); h.ketnoi("jobs", "resume")
        h.wait_until(lambda: h.record(record)["state"] == "done")
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "postgres-redis")
REDIS_DB = 12
WORKER_SETTINGS = "tests.core.worker_settings"
# what the test session's own environment must not leak into the scratch installation
_STRIPPED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "TEST_DATABASE_NAME",
    "KETNOI_QUEUE_FILE",
    "KETNOI_QUEUE_NAME",
    "KETNOI_PROFILE",
    "KETNOI_TESTING",
    "HUEY_IMMEDIATE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
)
UNFINISHED = ("queued", "running")


class Worker:
    """One `ketnoi worker` process (in a process group of its own, so a kill reaches every child)."""

    def __init__(self, number: int, proc: subprocess.Popen, log_path: Path):
        self.number = number
        self.proc = proc
        self.pid = proc.pid
        self.log_path = log_path
        self.expected_exit = False  # set when the harness kills or stops it

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 15.0) -> int | None:
        """Send ``sig`` to the worker's process group and wait for the worker to exit; its exit code."""
        self.expected_exit = True
        if self.alive():
            try:
                os.killpg(self.pid, sig)
            except ProcessLookupError:
                pass
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            return self.proc.wait(timeout=timeout)

    def stop(self, timeout: float = 10.0) -> int | None:
        """Shut down as systemd does: SIGTERM (huey stops at once), SIGKILL if it is still there."""
        return self.kill(signal.SIGTERM, timeout=timeout)

    def __repr__(self):
        return f"<Worker {self.number} pid {self.pid} {'alive' if self.alive() else self.proc.returncode}>"


class WorkerHarness:
    """A scratch installation (database, queue, var dir, gate dir) and the workers started on it."""

    def __init__(self, root: Path, backend: str, *, database_url: str = "", redis_url: str = ""):
        assert backend in BACKENDS, backend
        self.root = root
        self.backend = backend
        self.var_dir = root / "var"
        self.gate_dir = root / "gates"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.gate_dir.mkdir(exist_ok=True)
        self.database_url = database_url
        self.redis_url = redis_url
        self.queue_name = f"ketnoi-wk-{uuid.uuid4().hex[:10]}"
        self.workers: list[Worker] = []
        self._pg = None
        env = {k: v for k, v in os.environ.items() if k not in _STRIPPED_ENV}
        env.update(
            KETNOI_VAR_DIR=str(self.var_dir),
            KETNOI_TESTING="0",
            KETNOI_QUEUE_NAME=self.queue_name,
            KETNOI_TEST_GATE_DIR=str(self.gate_dir),
            DJANGO_SETTINGS_MODULE=WORKER_SETTINGS,
            PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
            PYTHONUNBUFFERED="1",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.env = env

    # --- processes -----------------------------------------------------------------------------

    def start(self, *, wait_ready: bool = True, timeout: float = 60.0) -> Worker:
        """Start a `ketnoi worker`; with wait_ready, return once its consumer runs (it logs so)."""
        number = len(self.workers) + 1
        log_path = self.root / f"worker-{number}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "ketnoi.cli", "worker"],
                env=self.env,
                cwd=self.var_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(number, proc, log_path)
        self.workers.append(worker)
        if wait_ready:
            self.wait_until(lambda: "Huey consumer started" in worker.log(), timeout=timeout, what=f"{worker} ready")
        return worker

    @property
    def worker(self) -> Worker | None:
        """The worker started last."""
        return self.workers[-1] if self.workers else None

    def live_workers(self) -> list[Worker]:
        return [w for w in self.workers if w.alive()]

    def kill(self, sig: int = signal.SIGKILL, worker: Worker | None = None) -> None:
        """Send ``sig`` (SIGKILL by default) to ``worker``, or to every live worker; wait for them to exit."""
        for target in [worker] if worker else self.live_workers():
            target.kill(sig)

    def stop(self) -> None:
        """Stop every live worker (SIGTERM, then SIGKILL); the fixture calls it at the end of a test."""
        for target in self.live_workers():
            target.stop()

    def wait_until(
        self, predicate: Callable[[], object], *, timeout: float = 30.0, interval: float = 0.05, what: str = ""
    ):
        """Poll ``predicate`` until it returns something truthy, and return that. Fails at once when a
        worker the harness did not kill or stop has died, and after ``timeout`` seconds; either
        failure shows the workers' logs."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            last = predicate()
            if last:
                return last
            dead = [w for w in self.workers if not w.expected_exit and not w.alive()]
            if dead:
                raise AssertionError(f"waiting for {what or predicate}: {dead[0]} died\n{self._logs()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waiting for {what or predicate}: not after {timeout} s (last: {last!r})\n{self._logs()}"
                )
            time.sleep(interval)

    def _logs(self, tail: int = 4000) -> str:
        return "\n".join(f"--- {w!r} log:\n{w.log()[-tail:]}" for w in self.workers)

    # --- commands in the installation ------------------------------------------------------------

    def ketnoi(self, *args: str, check: bool = True, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """Run `ketnoi ARGS` against the installation (e.g. ``ketnoi("jobs", "resume")``)."""
        result = subprocess.run(
            [sys.executable, "-m", "ketnoi.cli", *args],
            env=self.env,
            cwd=self.var_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert result.returncode == 0, (
                f"`ketnoi {' '.join(args)}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def shell(self, code: str) -> str:
        """Run Python ``code`` in a Django shell of the installation; its last line of output."""
        lines = [line for line in self.ketnoi("manage", "shell", "-c", code).stdout.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    def enqueue(self, job_path: str, *args, **kwargs) -> int:
        """Enqueue the job ``job_path`` (dotted path of a @job function) with enqueue_on_commit in a
        committed transaction, as a feature does; the id of its JobRecord."""
        code = f"""
import importlib, json
from django.db import transaction
from ketnoi.core.jobs import enqueue_on_commit
from ketnoi.core.models import JobRecord
module, _, name = {job_path!r}.rpartition(".")
func = getattr(importlib.import_module(module), name)
args, kwargs = json.loads({json.dumps([list(args), kwargs])!r})
with transaction.atomic():
    enqueue_on_commit(func, *args, **kwargs)
    pk = JobRecord.objects.filter(name=func.job_name).latest("pk").pk
print(pk)
"""
        return int(self.shell(code))

    def open_gate(self, name: str) -> None:
        """Let a job waiting in tests.core.jobprobe.tasks.gate(name) go on (and every later run)."""
        (self.gate_dir / name).touch()

    # --- the database, read and written directly -------------------------------------------------

    def query(self, sql: str, *params) -> list[tuple]:
        """Run one SQL statement on the scratch database (``%s`` placeholders); the rows it returned."""
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.var_dir / "ketnoi.sqlite3", timeout=20, isolation_level=None)
            try:
                conn.execute("PRAGMA busy_timeout=20000")
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
            finally:
                conn.close()
        if self._pg is None:
            import psycopg

            self._pg = psycopg.connect(self.database_url, autocommit=True, connect_timeout=10)
        with self._pg.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def record(self, pk: int) -> dict:
        """The JobRecord ``pk`` as a dict (state, attempts, last_error, name, args…)."""
        columns = ("id", "name", "args", "state", "attempts", "last_error", "started_at", "finished_at")
        rows = self.query(f"SELECT {', '.join(columns)} FROM core_jobrecord WHERE id = %s", pk)
        assert rows, f"no job record #{pk}"
        return dict(zip(columns, rows[0], strict=True))

    def steps(self, key: str) -> list[tuple[str, int]]:
        """(step, worker pid) that tests.core.jobprobe's jobs reached for ``key``, in order."""
        return self.query("SELECT step, pid FROM jobprobe_step WHERE key = %s ORDER BY id", key)

    def effects(self, key: str) -> int:
        """How many effect rows the jobprobe jobs wrote for ``key``."""
        return self.query("SELECT COUNT(*) FROM jobprobe_effect WHERE key = %s", key)[0][0]

    def backdate_jobs(self, delta: timedelta = timedelta(minutes=16)) -> int:
        """Move the unfinished job records ``delta`` into the past (their enqueued_at and started_at),
        as if that much time had gone by: the sweep then treats them as lost or stalled and a worker's
        claim as abandoned (jobs.LOST_AFTER, jobs.STALLED_AFTER). The number of records moved."""
        if self.backend != "sqlite":
            return len(
                self.query(
                    "UPDATE core_jobrecord SET enqueued_at = enqueued_at - %s, started_at = started_at - %s "
                    "WHERE state IN ('queued', 'running') RETURNING id",
                    delta,
                    delta,
                )
            )
        # Django keeps SQLite datetimes as text, str() of a naive UTC datetime
        rows = self.query("SELECT id, enqueued_at, started_at FROM core_jobrecord WHERE state IN ('queued', 'running')")
        for pk, enqueued, started in rows:
            moved = [str(datetime.fromisoformat(v) - delta) if v else None for v in (enqueued, started)]
            self.query("UPDATE core_jobrecord SET enqueued_at = %s, started_at = %s WHERE id = %s", *moved, pk)
        return len(rows)

    def close(self) -> None:
        self.stop()
        if self._pg is not None:
            self._pg.close()
            self._pg = None


# --- installations: migrated once per session and backend, copied for each test ---------------------


def _postgres_server() -> str:
    """A URL of the PostgreSQL server (its `postgres` database): the session's DATABASE_URL when it
    names PostgreSQL (CI's second pass), else KETNOI_WORKER_TEST_POSTGRES, else the local server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = os.environ.get("KETNOI_WORKER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _redis_server() -> str:
    """Redis db 12 on the server that REDIS_URL names (or KETNOI_WORKER_TEST_REDIS, or the local one)."""
    url = os.environ.get("KETNOI_WORKER_TEST_REDIS") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return urlunsplit(urlsplit(url)._replace(path=f"/{REDIS_DB}"))


def _with_database(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


class WorkerTemplates:
    """Migrating a database takes 15-30 s: done once per session and backend, then copied for each
    test (the SQLite files; CREATE DATABASE … TEMPLATE on PostgreSQL). The first test that needs a
    template starts the migrations of every backend the session's tests will use, side by side."""

    def __init__(self, root: Path):
        self.root = root
        self.token = uuid.uuid4().hex[:8]
        self.made: dict[str, WorkerHarness] = {}  # backend → the migrated template installation
        self._running: dict[str, tuple[WorkerHarness, subprocess.Popen]] = {}

    @staticmethod
    def _reachable(backend: str) -> str | None:
        """None when the backend's servers answer, else what is missing."""
        if backend == "sqlite":
            return None
        import psycopg
        import redis

        try:
            psycopg.connect(_postgres_server(), autocommit=True, connect_timeout=5).close()
        except psycopg.OperationalError:
            return f"PostgreSQL at {_postgres_server()}"
        try:
            redis.Redis.from_url(_redis_server(), socket_connect_timeout=2).ping()
        except redis.RedisError:
            return f"Redis at {_redis_server()}"
        return None

    def prepare(self, backends) -> None:
        """Start migrating the templates of ``backends`` that are reachable and not started yet."""
        for backend in backends:
            if backend in self.made or backend in self._running or self._reachable(backend):
                continue
            if backend == "sqlite":
                harness = WorkerHarness(self.root / "sqlite", "sqlite")
            else:
                name = f"ketnoi_wk_tpl_{self.token}"
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
                harness = WorkerHarness(
                    self.root / "postgres",
                    backend,
                    database_url=_with_database(_postgres_server(), name),
                    redis_url=_redis_server(),
                )
            with open(harness.root / "migrate.log", "wb") as log:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "ketnoi.cli", "migrate"],
                    env=harness.env,
                    cwd=harness.var_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self._running[backend] = (harness, proc)

    def template(self, backend: str) -> WorkerHarness:
        """The migrated template installation of ``backend`` (require_service when it is not reachable)."""
        if backend not in self.made:
            from tests.conftest import require_service

            missing = self._reachable(backend)
            require_service(missing is None, missing or "")
            self.prepare([backend])
            harness, proc = self._running.pop(backend)
            returncode = proc.wait(timeout=900)
            log = (harness.root / "migrate.log").read_text(errors="replace")
            assert returncode == 0, f"`ketnoi migrate` of the {backend} template exited {returncode}:\n{log}"
            self.made[backend] = harness
        return self.made[backend]

    @staticmethod
    def _admin(*statements: str) -> None:
        import psycopg

        with psycopg.connect(_postgres_server(), autocommit=True, connect_timeout=10) as conn:
            for statement in statements:
                conn.execute(statement)

    def install(self, root: Path, backend: str) -> WorkerHarness:
        """A fresh installation in ``root``, a copy of the backend's template."""
        template = self.template(backend)
        if backend == "sqlite":
            shutil.copytree(template.var_dir, root / "var", ignore=shutil.ignore_patterns("jobs.sqlite3*"))
            return WorkerHarness(root, backend)
        name = f"ketnoi_wk_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(template.database_url).path.lstrip("/")}"')
        return WorkerHarness(
            root, backend, database_url=_with_database(_postgres_server(), name), redis_url=_redis_server()
        )

    def dispose(self, harness: WorkerHarness) -> None:
        """Stop the installation's workers; drop its database and its queue's keys (PostgreSQL + Redis)."""
        harness.close()
        if harness.backend == "postgres-redis":
            from huey import RedisHuey

            RedisHuey(name=harness.queue_name, url=harness.redis_url).storage.flush_all()
            name = urlsplit(harness.database_url).path.lstrip("/")
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for backend, (_harness, proc) in list(self._running.items()):
            proc.kill()
            proc.wait()
            self.made[backend] = _harness
        if "postgres-redis" in self.made:
            self._admin(f'DROP DATABASE IF EXISTS "ketnoi_wk_tpl_{self.token}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worker_templates(tmp_path_factory):
    templates = WorkerTemplates(tmp_path_factory.mktemp("worker-templates"))
    yield templates
    templates.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres-redis", marks=pytest.mark.redis)])
def worker_harness(request, tmp_path, worker_templates):
    """A WorkerHarness on a fresh scratch installation, once per backend; its workers are stopped
    and its database and queue removed afterwards."""
    worker_templates.prepare(
        {item.callspec.params["worker_harness"] for item in request.session.items if _uses_harness(item)}
    )
    harness = worker_templates.install(tmp_path, request.param)
    try:
        yield harness
    finally:
        worker_templates.dispose(harness)


def _uses_harness(item) -> bool:
    return "worker_harness" in getattr(getattr(item, "callspec", None), "params", {})
