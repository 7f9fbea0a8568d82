"""Jobs survive faults (issue 10.9): a job exists exactly when its transaction committed; a queue
that lost its messages (Redis keeps nothing across a restart) or a worker killed mid-job leaves a
record that core.resume_jobs enqueues again; a record is never run by two workers at once, and a
finished one never again."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from ketnoi.core import jobs
from ketnoi.core.models import JobRecord

EFFECTS: list[str] = []


@jobs.job(name="tests.ledger_probe", retries=0)
def ledger_probe(key: str, fail: bool = False) -> str:
    if fail:
        raise RuntimeError(f"cannot do {key}")
    EFFECTS.append(key)
    return key


@pytest.fixture(autouse=True)
def _effects(db):
    JobRecord.objects.all().delete()  # the demo data's own records (rolled back after the test)
    EFFECTS.clear()
    yield
    EFFECTS.clear()


def test_a_job_exists_only_if_the_change_that_asked_for_it_committed(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValueError), transaction.atomic():
            jobs.enqueue_on_commit(ledger_probe, "rolled-back")
            raise ValueError("the change is refused")
        jobs.enqueue_on_commit(ledger_probe, "committed")
    assert EFFECTS == ["committed"]
    assert list(JobRecord.objects.filter(name="tests.ledger_probe").values_list("args", "state", "attempts")) == [
        (["committed"], "done", 1)
    ]


def test_a_job_the_queue_lost_is_sent_again_and_runs_once(db):
    lost = JobRecord.objects.create(name="tests.ledger_probe", args=["lost-with-redis"])
    JobRecord.objects.filter(pk=lost.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))
    fresh = JobRecord.objects.create(name="tests.ledger_probe", args=["still-in-the-queue"])
    assert jobs.resume_stalled()["resumed"] == 1  # the fresh one is given time to be picked up
    assert EFFECTS == ["lost-with-redis"]
    assert JobRecord.objects.get(pk=lost.pk).state == "done"
    assert JobRecord.objects.get(pk=fresh.pk).state == "queued"
    assert jobs.resume_stalled()["resumed"] == 0
    assert EFFECTS == ["lost-with-redis"]


def test_a_job_left_running_by_a_killed_worker_runs_again(db):
    killed = JobRecord.objects.create(
        name="tests.ledger_probe",
        args=["half-done"],
        state="running",
        attempts=1,
        started_at=timezone.now() - timedelta(minutes=20),
    )
    assert jobs.resume_stalled()["resumed"] == 1
    killed.refresh_from_db()
    assert (killed.state, killed.attempts, EFFECTS) == ("done", 2, ["half-done"])


def test_a_record_being_run_or_done_is_not_run_again(db):
    running = JobRecord.objects.create(
        name="tests.ledger_probe", args=["busy"], state="running", attempts=1, started_at=timezone.now()
    )
    done = JobRecord.objects.create(name="tests.ledger_probe", args=["finished"], state="done", attempts=1)
    ledger_probe.call_local("busy", _job_record=running.pk)  # e.g. a duplicate message in the queue
    ledger_probe.call_local("finished", _job_record=done.pk)
    assert EFFECTS == []
    assert jobs.resume_stalled()["resumed"] == 0


def test_a_failing_job_keeps_its_error_and_gives_up_after_the_attempts(db):
    record = JobRecord.objects.create(name="tests.ledger_probe", args=["x"], kwargs={"fail": True})
    with pytest.raises(RuntimeError):
        ledger_probe.call_local("x", fail=True, _job_record=record.pk)
    record.refresh_from_db()
    assert record.state == "queued" and "cannot do x" in record.last_error
    JobRecord.objects.filter(pk=record.pk).update(attempts=jobs.MAX_ATTEMPTS)
    JobRecord.objects.filter(pk=record.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))
    assert jobs.resume_stalled()["failed"] == 1
    record.refresh_from_db()
    assert record.state == "failed" and "too many attempts" in record.last_error


def test_a_record_of_a_job_this_version_does_not_have_is_marked_failed(db):
    old = JobRecord.objects.create(name="tests.no_longer_exists")
    JobRecord.objects.filter(pk=old.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))
    assert jobs.resume_stalled()["failed"] == 1
    assert "no such job" in JobRecord.objects.get(pk=old.pk).last_error


def test_on_the_real_queue_a_flushed_queue_loses_nothing(db, django_capture_on_commit_callbacks, monkeypatch):
    """The configured queue itself (the embedded SQLite file, or Redis in the PostgreSQL pass):
    a job is enqueued, the queue is emptied as a Redis restart empties it, and the sweep sends the
    job again; a worker then runs it exactly once."""
    import huey.contrib.djhuey as djhuey

    # a worker closes its connection after each job; here that connection holds the test's transaction
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    queue = jobs.queue
    queue.immediate = False
    try:
        queue.flush()
        with django_capture_on_commit_callbacks(execute=True):
            jobs.enqueue_on_commit(ledger_probe, "through-the-queue")
        assert queue.pending_count() == 1 and EFFECTS == []
        queue.flush()  # the restart
        record = JobRecord.objects.get(name="tests.ledger_probe")
        JobRecord.objects.filter(pk=record.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))
        assert jobs.resume_stalled()["resumed"] == 1
        assert queue.pending_count() == 1
        queue.execute(queue.dequeue())
        duplicate = JobRecord.objects.get(pk=record.pk)
        assert (duplicate.state, EFFECTS) == ("done", ["through-the-queue"])
        ledger_probe("through-the-queue", _job_record=record.pk)  # a duplicate message arrives
        queue.execute(queue.dequeue())
        assert EFFECTS == ["through-the-queue"]
    finally:
        queue.flush()
        queue.immediate = True


def test_a_change_made_while_the_queue_is_down_is_kept_and_its_job_sent_later(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    """Redis is restarting when the change commits: the user's change stands (no error for them), the
    job waits in the ledger, and the sweep sends it once the queue is back."""
    from redis.exceptions import ConnectionError as RedisDown

    queue = jobs.queue
    queue.immediate = False
    try:
        queue.flush()

        def down(*args, **kwargs):
            raise RedisDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(queue, "enqueue", down)
        with django_capture_on_commit_callbacks(execute=True):
            jobs.enqueue_on_commit(ledger_probe, "while-down")
        record = JobRecord.objects.get(name="tests.ledger_probe")
        assert record.state == "queued" and EFFECTS == []
        monkeypatch.undo()  # the queue is back
        monkeypatch.setattr("huey.contrib.djhuey.close_old_connections", lambda: None)
        JobRecord.objects.filter(pk=record.pk).update(enqueued_at=timezone.now() - timedelta(minutes=5))
        assert jobs.resume_stalled()["resumed"] == 1
        queue.execute(queue.dequeue())
        assert EFFECTS == ["while-down"] and JobRecord.objects.get(pk=record.pk).state == "done"
    finally:
        queue.flush()
        queue.immediate = True
