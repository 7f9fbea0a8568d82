"""API fuzzing (issue 10.11): schemathesis generates requests from /api/v1/openapi.json — valid ones
and deliberately invalid ones — and sends them, with a bearer token, through the WSGI application.

Two properties must hold for every operation and every generated request: the server never answers
with a 5xx, and every error answer (4xx) is an RFC 9457 problem-details document. The number of
examples per operation is bounded so that the run stays within a few minutes on two cores; set
KETNOI_FUZZ_EXAMPLES for a longer run.
"""

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from ketnoi.orgs.services import token_create

EXAMPLES = int(os.environ.get("KETNOI_FUZZ_EXAMPLES", "12"))


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """As Django's test client does: a request through the WSGI application must not close the
    test's database connection (the test runs inside one transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _load_schema():
    """The document the server publishes, generated without a request (no database needed at
    collection time); the requests then go through the real WSGI application."""
    from django.core.wsgi import get_wsgi_application

    from ketnoi.api import api

    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"))))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()


@pytest.fixture
def admin_bearer(users):
    # identity: the body is read here as sent, not gzip-compressed as a browser would ask for it
    return {
        "Authorization": f"Bearer {token_create(user=users['admin'], name='fuzz')[1]}",
        "Accept-Encoding": "identity",
    }


def problem_details_on_error(ctx, response, case):
    """An error answer is application/problem+json with at least status and title."""
    if response.status_code < 400:
        return None
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/problem+json"), (
        f"{case.method} {case.formatted_path}: {response.status_code} answered as {content_type!r}"
    )
    body = json.loads(response.content)
    assert body.get("status") == response.status_code, f"{case.method} {case.formatted_path}: status {body!r}"
    assert body.get("title"), f"{case.method} {case.formatted_path}: no title in {body!r}"
    return None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same requests on every run, so a failure in CI reproduces locally
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_answers_errors_as_problem_details(case, admin_bearer):
    response = case.call(headers=admin_bearer)
    case.validate_response(response, checks=[not_a_server_error, problem_details_on_error])
