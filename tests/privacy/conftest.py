import json

import pytest

from ketnoi.orgs.models import User
from ketnoi.orgs.services import role_grant, token_create
from ketnoi.people.models import Language
from ketnoi.portal import services

NAME = "Nguyễn Văn Dân"
CONTACT = "0912 345 678"


@pytest.fixture
def reviewer(db, unit):
    user = User.objects.create_user("thamdinh.riengtu", password="x" * 12)
    role_grant(user=user, role="reviewer", unit=unit("15"))
    return user


@pytest.fixture
def feedback(db):
    vi = Language.objects.get(bcp47="vi")
    return services.feedback_submit(
        language=vi, message="Xin hỏi thủ tục nhận hỗ trợ nhà ở?", name=NAME, contact=CONTACT, commune_code="03037"
    )


@pytest.fixture
def api(client):
    def _for(user):
        _token, key = token_create(user=user, name="riengtu")

        def call(method, path, data=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get":
                return client.get(path, data, **headers)
            return client.post(path, json.dumps(data or {}), content_type="application/json", **headers)

        return call

    return _for
