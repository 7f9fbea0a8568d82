"""Jobs of the test-only app, found by the worker's autodiscovery of ``tasks`` modules."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ketnoi.core.jobs import job

from .models import Effect, Step

GATE_TIMEOUT = 120.0


def step(key: str, name: str) -> None:
    """Record (and commit, in autocommit) that the body reached ``name``."""
    Step.objects.create(key=key, step=name, pid=os.getpid())


def gate(name: str, timeout: float = GATE_TIMEOUT) -> None:
    """Wait until the test opens the gate ``name`` (a file in KETNOI_TEST_GATE_DIR); an open gate
    lets every later run through at once."""
    path = Path(os.environ["KETNOI_TEST_GATE_DIR"]) / name
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gate {name} was never opened")
        time.sleep(0.02)


@job(name="tests.jobprobe.effect_once", retries=0)
def effect_once(key: str, hold_after_effect: bool = False) -> str:
    """started → wait for the gate <key>.go → the effect (idempotent: one row per key, however many
    times the body runs) → effect → with hold_after_effect, wait for <key>.finish → done."""
    step(key, "started")
    gate(f"{key}.go")
    Effect.objects.get_or_create(key=key, defaults={"pid": os.getpid()})
    step(key, "effect")
    if hold_after_effect:
        gate(f"{key}.finish")
    return key
