"""Issue 11.6: hostile parameters are refused with a 4xx problem, never a server error.

Every GET operation of the OpenAPI document is walked with out-of-range pages, impossible period
codes, ids beyond any integer column and very long strings (schemathesis is not installed here)."""

from __future__ import annotations

import pytest

from ketnoi.orgs.services import token_create

HOSTILE_INTEGERS = [10**12, -1, 0, 10**20]
HOSTILE_STRINGS = ["2025Q9", "", "x" * 5000, "9" * 30, "%00"]


@pytest.fixture
def admin_headers(users):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['admin'], name='walk')[1]}"}


def _base_values():
    from ketnoi.programmes.models import Programme

    programme = Programme.objects.order_by("pk").first()
    return {
        "structure": "current",
        "level": "commune",
        "code": programme.code if programme else "x",
        "period": "2025",
        "src": "vi",
        "tgt": "en",
        "text": "thôn",
        "source": "thôn",
    }


def _kind(param) -> str:
    schema = param.get("schema", {})
    types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    return "integer" if "integer" in types else "string"


def _cases(spec):
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if not operation:
            continue
        params = operation.get("parameters", [])
        yield path, params


def _request(client, headers, path, params, values):
    url = path
    query = {}
    for param in params:
        name = param["name"]
        if name not in values:
            continue
        if param["in"] == "path":
            url = url.replace("{" + name + "}", str(values[name]) if values[name] != "" else "-")
        else:
            query[name] = values[name]
    for param in params:  # unfilled path parameters
        if param["in"] == "path" and "{" + param["name"] + "}" in url:
            url = url.replace("{" + param["name"] + "}", "1" if _kind(param) == "integer" else "x")
    return client.get(url, query, **headers)


def test_every_get_operation_survives_hostile_parameters(client, admin_headers):
    spec = client.get("/api/v1/openapi.json").json()
    base = _base_values()
    failures = []
    requests = 0
    for path, params in _cases(spec):
        if path.endswith("/openapi.json") or path.endswith("/docs"):
            continue
        for param in params:
            hostile = HOSTILE_INTEGERS if _kind(param) == "integer" else HOSTILE_STRINGS
            for value in hostile:
                values = dict(base)
                for other in params:
                    if other.get("required") and other["name"] not in values:
                        values[other["name"]] = 1 if _kind(other) == "integer" else "x"
                values[param["name"]] = value
                response = _request(client, admin_headers, path, params, values)
                requests += 1
                shown = str(value)[:20]
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} GET {path} {param['name']}={shown}")
                elif response.status_code >= 400 and response["Content-Type"] != "application/problem+json":
                    failures.append(f"{response.status_code} not problem+json: GET {path} {param['name']}={shown}")
    assert requests > 300
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/no-such-thing"),
        ("get", "/api/v1/villages/1/nothing/here"),
        ("delete", "/api/v1/me"),
        ("put", "/api/v1/villages"),
    ],
)
def test_unknown_paths_and_wrong_methods_are_problem_details(client, admin_headers, method, path):
    response = getattr(client, method)(path, **admin_headers)
    assert response.status_code in (404, 405)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == response.status_code and body["title"]
    if response.status_code == 405:
        assert "Allow" in response
