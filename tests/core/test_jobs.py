"""The job layer: inline in tests, a real consumer on the embedded SQLite queue, and on Redis."""

import os
import time
import uuid

import pytest
from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from ketnoi.core import jobs
from tests.conftest import require_service

ATTEMPTS: dict[str, int] = {}


def flaky(key: str) -> str:
    """Fails on its first two runs for a key, then succeeds: exercises retries."""
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    if ATTEMPTS[key] < 3:
        raise RuntimeError("temporary failure")
    return f"done after {ATTEMPTS[key]}"


def run_consumer(queue, until, timeout=20.0):
    """Start a real huey consumer (worker and scheduler threads) in this process until ``until()``."""
    consumer = Consumer(
        queue,
        workers=1,
        worker_type="thread",
        periodic=True,
        check_worker_health=False,
        initial_delay=0.05,
        max_delay=0.1,
    )
    consumer._set_signal_handlers = lambda: None  # signals belong to pytest's main thread
    consumer.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until():
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    return until()


def exercise(queue):
    key = uuid.uuid4().hex
    task = queue.task(retries=3, retry_delay=0)(flaky)
    result = task(key)
    ok = run_consumer(queue, lambda: ATTEMPTS.get(key, 0) >= 3 and queue.result_count() >= 1)
    assert ok, f"consumer did not finish: attempts={ATTEMPTS.get(key)}"
    assert ATTEMPTS[key] == 3
    result.reset()  # huey keeps the first failure; the stored value is the successful retry's
    assert result.get(blocking=True, timeout=5) == "done after 3"


def test_jobs_run_inline_in_tests_and_return_results(db):
    from ketnoi.core.tasks import clear_expired_sessions

    assert jobs.queue.immediate
    assert clear_expired_sessions.call_local() == "ok"


def test_periodic_schedule_is_registered():
    names = {task.__name__ for task in jobs.queue._registry._periodic_tasks}
    assert "core.clear_expired_sessions" in names


def test_embedded_sqlite_queue_with_a_real_consumer_retries(tmp_path):
    queue = SqliteHuey(name=f"test-{uuid.uuid4().hex[:6]}", filename=str(tmp_path / "jobs.sqlite3"))
    exercise(queue)


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


@pytest.mark.redis
def test_redis_queue_with_a_real_consumer_retries():
    url = _redis_url()
    require_service(url is not None, "Redis at REDIS_URL or 127.0.0.1:6379")
    queue = RedisHuey(name=f"ketnoi-test-{uuid.uuid4().hex[:6]}", url=url)
    try:
        exercise(queue)
    finally:
        queue.flush()


def test_settings_choose_redis_when_redis_url_is_set(monkeypatch):
    import importlib

    import ketnoi.settings as settings_module

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    reloaded = importlib.reload(settings_module)
    try:
        assert reloaded.HUEY["huey_class"] == "huey.RedisHuey"
        assert reloaded.CACHES["default"]["BACKEND"].endswith("RedisCache")
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(settings_module)


@jobs.job(name="tests.create_village")
def create_village_job(commune_code: str, name: str) -> int:
    from ketnoi.cli import SystemOperator
    from ketnoi.geo.models import AdminUnit
    from ketnoi.geo.services import village_create

    commune = AdminUnit.objects.get(structure="current", level="commune", code=commune_code)
    return village_create(user=SystemOperator(), commune=commune, name=name).pk


def test_jobs_run_as_their_own_audit_actor_after_commit(db, django_capture_on_commit_callbacks):
    from ketnoi.core.models import AuditEntry

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        jobs.enqueue_on_commit(create_village_job, "03037", "Thôn Từ Hàng Đợi")
        assert not AuditEntry.objects.filter(object_repr="Thôn Từ Hàng Đợi").exists()  # not before commit
    assert len(callbacks) == 1
    entry = AuditEntry.objects.get(object_repr="Thôn Từ Hàng Đợi", action="create")
    assert entry.actor_name == "job:tests.create_village" and entry.source == "job"
