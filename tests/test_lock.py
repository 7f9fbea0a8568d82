"""The lock file (requirements.lock) is what `make run`, `make test` and CI install: every package
pinned to one version with its hashes. It must hold every dependency pyproject.toml names, at a
version that pyproject allows — otherwise a change to pyproject was made without `make upgrade`."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _locked() -> dict[str, tuple[str, int]]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match.group(1).split("[")[0])] = match.group(2)
    return pins


def _hashes_per_pin() -> list[int]:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text(encoding="utf-8"))
    return [block.count("--hash=sha256:") for block in blocks if "==" in block.split("\n", 1)[0]]


def test_every_dependency_is_locked_at_an_allowed_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["test"], *extras["bench"]]
    pins = _locked()
    problems = []
    for spec in map(Requirement, wanted):
        version = pins.get(canonicalize_name(spec.name))
        if version is None:
            problems.append(f"{spec.name}: not in requirements.lock")
        elif not spec.specifier.contains(version, prereleases=True):
            problems.append(f"{spec.name}: locked at {version}, pyproject asks {spec.specifier}")
    assert not problems, "run `make upgrade`: " + "; ".join(problems)


def test_every_pin_carries_hashes():
    counts = _hashes_per_pin()
    assert len(counts) >= 50
    assert all(count >= 1 for count in counts)
