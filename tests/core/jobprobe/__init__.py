"""A test-only Django app for jobs run by a real worker (tests/core/worker_harness.py).

The worker that the harness starts loads it through tests/core/worker_settings.py; the product's
settings never name it, so no test job ships with the product. Its tables record what a job body
did (each step it reached, in which worker process) and the job's effect, one row per key.
"""
