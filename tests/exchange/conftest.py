import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pdf():
    def _pdf(name="cong-van.pdf", content=PDF):
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return _pdf


@pytest.fixture
def soon():
    return timezone.localdate() + dt.timedelta(days=10)


@pytest.fixture
def laocai_request(users, soon, pdf):
    """Lào Cai's request: SDTTG-15 asks BVHTTDL and the commune committee of Tả Van."""
    from ketnoi.exchange.services import request_create

    return request_create(
        user=users["tinh.laocai"],
        number_symbol="45/SDTTG-TT",
        subject="Báo cáo tình hình đài truyền thanh xã",
        body="Đề nghị báo cáo số cụm loa hoạt động.",
        due_date=soon,
        recipients=["BVHTTDL", "UBNDX-03037"],
        attachments=[pdf()],
    )


@pytest.fixture
def api(client, users):
    from ketnoi.orgs.services import token_create

    def _for(username):
        _token, key = token_create(user=users[username], name="test")

        def call(method, path, data=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if method == "get" or (isinstance(data, dict) and any(hasattr(v, "read") for v in data.values())):
                return getattr(client, method)(path, data, **headers)
            return getattr(client, method)(path, json.dumps(data or {}), content_type="application/json", **headers)

        return call

    return _for
