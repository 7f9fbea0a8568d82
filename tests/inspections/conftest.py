import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
YEAR = 2026


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def png():
    def _png(name="anh-loa.png", content=PNG):
        return SimpleUploadedFile(name, content, content_type="image/png")

    return _png


@pytest.fixture
def programme(db):
    """Programme 922 (the loaded one if present) with at least one content area."""
    from ketnoi.programmes.models import ContentArea, LegalDocument, Programme

    programme = Programme.objects.filter(document__number_symbol="922/CTPH-BTTTT-UBDT").first()
    if programme is None:
        document = LegalDocument.objects.create(
            number_symbol="922/CTPH-BTTTT-UBDT",
            doc_type="Chương trình phối hợp",
            issuer="Bộ Thông tin và Truyền thông; Ủy ban Dân tộc",
            issued_on=dt.date(2024, 6, 4),
            title="Chương trình phối hợp công tác dân tộc về lĩnh vực thông tin và truyền thông giai đoạn 2024–2030",
        )
        programme = Programme.objects.create(
            code="ctph-922",
            document=document,
            name_vi=document.title,
            period_start=dt.date(2024, 6, 4),
            period_end=dt.date(2030, 12, 31),
        )
    if not programme.content_areas.exists():
        for order, name in enumerate(["Thông tin, tuyên truyền", "Chuyển đổi số", "Kiểm tra, giám sát"], start=1):
            ContentArea.objects.create(programme=programme, code=str(order), name_vi=name, order=order)
    return programme


@pytest.fixture
def checklist(db):
    from ketnoi.inspections.loaders import load_default_checklist

    return load_default_checklist()


@pytest.fixture
def laocai_plan(users, programme, checklist):
    from ketnoi.inspections.services import plan_create

    return plan_create(
        user=users["tinh.laocai"],
        programme=programme,
        year=YEAR,
        title="Kiểm tra thông tin cơ sở tỉnh Lào Cai năm 2026",
        lead_agency=users["tinh.laocai"].agency,
        units=["15"],
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
    )


@pytest.fixture
def laocai_visit(users, laocai_plan):
    from ketnoi.inspections.services import visit_create

    return visit_create(
        user=users["tinh.laocai"],
        plan=laocai_plan,
        unit="03037",
        date=dt.date(YEAR, 11, 20),
        team="Lò Văn Tỉnh (trưởng đoàn); Hoàng Thị Biên",
    )


@pytest.fixture
def laocai_finding(users, laocai_visit, png):
    from ketnoi.inspections.services import finding_create

    return finding_create(
        user=users["tinh.laocai"],
        visit=laocai_visit,
        severity="high",
        description="Cụm loa thôn Lao Chải hỏng từ tháng 8, chưa sửa",
        item=laocai_visit.template.items.get(code="TT01"),
        evidence=[png()],
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
