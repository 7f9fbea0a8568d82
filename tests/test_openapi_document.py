"""The OpenAPI document must be strict JSON for every reader: a key written twice in one object
(e.g. a response code given as 200 and as "200") makes Swagger UI refuse the whole document."""

import json


def test_the_openapi_document_has_no_duplicated_key(client):
    duplicated = []

    def check(pairs):
        keys = [key for key, _value in pairs]
        if len(keys) != len(set(keys)):
            duplicated.append(sorted({k for k in keys if keys.count(k) > 1}))
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=check)
    assert duplicated == []
