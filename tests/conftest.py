"""Shared fixtures: the reference data is loaded once per test session into the test database,
the demo users with their scoped roles once too; every test then runs in a transaction that is
rolled back."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(available: bool, what: str) -> None:
    """In CI a missing service is a failure; on a developer machine the test is skipped."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (CI=true) but is not reachable")
    pytest.skip(f"{what} not reachable")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last (after pytest-django's own ordering): their session-wide Playwright loop
    stays in the main thread, where Django then refuses database calls as if from a coroutine."""
    items.sort(key=lambda item: "/e2e/" in str(item.path).replace("\\", "/"))


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Compile the vi/en/th catalogues as `ketnoi migrate` does, so a bare `pytest` sees them too."""
    from asgiref.local import Local
    from django.utils.translation import trans_real

    from ketnoi.cli import compile_messages

    compile_messages()
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()


@pytest.fixture(autouse=True)
def _english_messages():
    """Tests read messages in English; the Vietnamese default is tested in tests/test_i18n.py."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    from django.conf import settings
    from django.test import Client

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return english


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb):
    """The test database, created for every session that needs it (also one whose only database
    tests are the ``committed_data`` ones, which pytest-django's own setup would not see), with the
    reference and demo data loaded and committed once."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=django_db_keepdb,
            aliases={"default"},
            serialized_aliases=set(),
        )
        _load_shared_data()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)


def _load_shared_data() -> None:
    from ketnoi.core.audit import acting_as
    from ketnoi.demo import load_demo
    from ketnoi.reference import load_reference

    with acting_as(None, name="test-setup", source="cli"):
        load_reference(log=lambda *args: None)
        # The exchange, inspection and emulation samples stay out of the shared database: those apps'
        # tests count their own rows. tests/test_demo.py checks the samples on their own.
        load_demo(module_samples=False)


@pytest.fixture
def committed_data(django_db_setup, django_db_blocker):
    """For tests of concurrent requests: database access outside the per-test transaction, so that
    threads with their own connections see the committed reference and demo data, and their writes
    commit as they would in production. A test using it must set up the state it needs itself and
    leave the data usable (the shared database is not emptied: the audit log is append-only).
    pytest-django orders tests that do not ask for ``db`` after all that do, so the other tests
    never see what these ones committed."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def users(db):
    from ketnoi.orgs.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def login(client, users):
    """login("xa.tavan") → a client signed in as that demo user."""

    def _login(username: str):
        client.force_login(users[username])
        return client

    return _login


@pytest.fixture
def unit(db):
    from ketnoi.geo.models import AdminUnit

    def _unit(code: str, structure: str = "current"):
        level = "province" if len(code) <= 2 else ("district" if len(code) == 3 else "commune")
        return AdminUnit.objects.get(structure=structure, level=level, code=code)

    return _unit


# Real job workers in subprocesses, killed and restarted by the test (tests/core/worker_harness.py).
from tests.core.worker_harness import worker_harness, worker_templates  # noqa: E402, F401
