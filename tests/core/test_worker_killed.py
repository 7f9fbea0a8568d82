"""A worker killed mid-job (issue 10.9), for real: `ketnoi worker` in a subprocess, SIGKILLed while
the job body is inside it, a new worker started, the sweep (`ketnoi jobs resume`) run once the
record counts as stalled. The job's effect happens exactly once, on the embedded SQLite queue and on
PostgreSQL + Redis (the ``worker_harness`` fixture runs each test on both)."""

import signal

from tests.core.worker_harness import WorkerHarness

JOB = "tests.core.jobprobe.tasks.effect_once"


def _resume(h: WorkerHarness) -> str:
    return h.ketnoi("jobs", "resume").stdout.strip()


def test_a_worker_killed_mid_job_leaves_it_running_and_a_new_worker_finishes_it_once(worker_harness):
    h = worker_harness
    first = h.start()
    record = h.enqueue(JOB, "mid-job")
    h.wait_until(lambda: h.steps("mid-job"), what="the job started in the first worker")
    assert h.steps("mid-job") == [("started", first.pid)]

    h.kill(signal.SIGKILL)
    assert first.proc.returncode == -signal.SIGKILL
    left = h.record(record)
    assert (left["state"], left["attempts"], h.effects("mid-job")) == ("running", 1, 0)

    second = h.start()
    # a record that is running may still be running somewhere: the sweep leaves it for STALLED_AFTER
    assert _resume(h) == "sent again 0, given up 0, forgotten 0"
    assert h.record(record)["state"] == "running"

    h.open_gate("mid-job.go")
    assert h.backdate_jobs() == 1  # 16 minutes go by
    assert _resume(h) == "sent again 1, given up 0, forgotten 0"
    done = h.wait_until(lambda: (r := h.record(record))["state"] == "done" and r, what="the job done")
    assert done["attempts"] == 2 and done["last_error"] == ""
    assert h.effects("mid-job") == 1
    assert h.steps("mid-job") == [("started", first.pid), ("started", second.pid), ("effect", second.pid)]


def test_a_worker_killed_after_the_effect_but_before_done_does_not_duplicate_it(worker_harness):
    """The body runs again in full (its effect step is reached twice); the effect is written once
    because the body is idempotent (one row per key). That is why every job body must be."""
    h = worker_harness
    first = h.start()
    h.open_gate("after-effect.go")
    record = h.enqueue(JOB, "after-effect", hold_after_effect=True)
    h.wait_until(lambda: ("effect", first.pid) in h.steps("after-effect"), what="the effect in the first worker")
    assert h.effects("after-effect") == 1

    h.kill(signal.SIGKILL)
    assert (h.record(record)["state"], h.record(record)["attempts"]) == ("running", 1)

    second = h.start()
    h.open_gate("after-effect.finish")
    assert h.backdate_jobs() == 1
    assert _resume(h) == "sent again 1, given up 0, forgotten 0"
    done = h.wait_until(lambda: (r := h.record(record))["state"] == "done" and r, what="the job done")
    assert done["attempts"] == 2
    assert h.steps("after-effect") == [
        ("started", first.pid),
        ("effect", first.pid),
        ("started", second.pid),
        ("effect", second.pid),
    ]
    assert h.effects("after-effect") == 1
    assert h.query("SELECT pid FROM jobprobe_effect WHERE key = %s", "after-effect") == [(first.pid,)]
