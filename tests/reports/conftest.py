"""A small coordination programme built with the ORM: two parties (BTTTT and UBDT, both since succeeded),
two content areas, five tasks, three indicators with values and targets, and periodic reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

SYMBOL = "99/CTPH-BTTTT-UBDT"
CODE = "ctph-99-test"
TODAY = dt.date(2026, 1, 5)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9, 0))


@pytest.fixture
def programme(db, unit):
    from ketnoi.indicators.models import DataElement, DataValue, Indicator, Target
    from ketnoi.orgs.models import Agency
    from ketnoi.programmes.models import ContentArea, LegalDocument, Programme, ProgrammeParty, ProgressReport, Task

    agencies = {a.code: a for a in Agency.objects.filter(code__in=["BTTTT", "UBDT", "BDTTG", "SDTTG-15"])}
    document = LegalDocument.objects.create(
        number_symbol=SYMBOL,
        doc_type="Chương trình phối hợp",
        issuer="Bộ Thông tin và Truyền thông; Ủy ban Dân tộc",
        issued_on=dt.date(2024, 3, 26),
        title="Chương trình phối hợp tuyên truyền vùng đồng bào dân tộc thiểu số (thử nghiệm)",
    )
    prog = Programme.objects.create(
        code=CODE,
        document=document,
        name_vi="Tuyên truyền vùng đồng bào dân tộc thiểu số và miền núi giai đoạn 2024–2030",
        place="Hà Nội",
        signed_on=dt.date(2024, 3, 26),
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    ProgrammeParty.objects.create(
        programme=prog, agency=agencies["BTTTT"], signer_name="Nguyễn Thanh Lâm", signer_title="Thứ trưởng", order=0
    )
    ProgrammeParty.objects.create(
        programme=prog,
        agency=agencies["UBDT"],
        signer_name="Y Vinh Tơr",
        signer_title="Thứ trưởng, Phó Chủ nhiệm",
        order=1,
    )
    area1 = ContentArea.objects.create(programme=prog, code="1", name_vi="Thông tin cơ sở", order=1)
    area2 = ContentArea.objects.create(programme=prog, code="2", name_vi="Chuyển đổi số", order=2)

    def element(code, name):
        return DataElement.objects.create(code=code, name_vi=name)

    radio = element("t-xa-co-dai", "Số xã có đài truyền thanh")
    reached = element("t-thon-tiep-can", "Số thôn được tiếp cận thông tin")
    villages = element("t-tong-thon", "Tổng số thôn")
    trained = element("t-can-bo-tap-huan", "Số cán bộ được tập huấn")
    ind_radio = Indicator.objects.create(
        code="t-radio", name_vi="Xã có đài truyền thanh", numerator=radio, unit_label="xã"
    )
    ind_reach = Indicator.objects.create(
        code="t-reach",
        name_vi="Tỷ lệ thôn được tiếp cận thông tin",
        numerator=reached,
        denominator=villages,
        factor=100,
        unit_label="%",
    )
    ind_train = Indicator.objects.create(
        code="t-train", name_vi="Cán bộ được tập huấn", numerator=trained, unit_label="người"
    )
    lao_cai, ta_van, dong_van = unit("15"), unit("03037"), unit("00721")
    spec = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    for el, commune, value in (
        (radio, ta_van, 4),
        (radio, dong_van, 3),
        (reached, ta_van, 8),
        (villages, ta_van, 10),
        (reached, dong_van, 9),
        (villages, dong_van, 10),
    ):
        DataValue.objects.create(
            element=el, period="2025", period_start=spec[0], period_end=spec[1], unit=commune, value=Decimal(value)
        )
    for indicator, target_unit, value, baseline in (
        (ind_radio, None, 10, 2),
        (ind_radio, lao_cai, 5, None),
        (ind_reach, None, 80, 60),
        (ind_train, None, 50, None),
        (ind_radio, None, 14, None),  # 2026: next year's target
    ):
        Target.objects.create(
            indicator=indicator,
            unit=target_unit,
            unit_key=target_unit.code if target_unit else "VN",
            period="2026" if value == 14 else "2025",
            target_value=Decimal(value),
            baseline_value=Decimal(baseline) if baseline is not None else None,
        )

    def task(code, area, title, lead, due, indicators=(), manual="not_started", co=()):
        t = Task.objects.create(
            programme=prog,
            content_area=area,
            code=code,
            title_vi=title,
            lead_agency=agencies[lead],
            start_date=dt.date(2024, 6, 1),
            due_date=due,
            manual_status=manual,
        )
        t.indicators.set(indicators)
        t.co_agencies.set([agencies[c] for c in co])
        return t

    task("1.1", area1, "Lắp đặt đài truyền thanh cấp xã", "BTTTT", dt.date(2025, 6, 30), [ind_radio], co=["UBDT"])
    task("1.2", area1, "Đưa thông tin về thôn, bản", "UBDT", dt.date(2025, 12, 31), [ind_reach])
    task("2.1", area2, "Xây dựng cổng thông tin dân tộc", "UBDT", dt.date(2025, 9, 30), manual="done")
    task("2.2", area2, "Số hóa tài liệu tuyên truyền", "BTTTT", dt.date(2026, 6, 30))
    task("2.3", area2, "Tập huấn cán bộ thông tin cơ sở", "BTTTT", dt.date(2025, 3, 31), [ind_train])

    def report(unit_, agency, state, narrative="", submitted=None):
        return ProgressReport.objects.create(
            programme=prog,
            period="2025",
            frequency="yearly",
            unit=unit_,
            unit_key=unit_.code if unit_ else "VN",
            agency=agency,
            state=state,
            narrative=narrative,
            due_date=dt.date(2026, 1, 5),
            submitted_at=_aware(submitted) if submitted else None,
            approved_at=_aware(submitted) if state == "approved" else None,
        )

    report(None, agencies["BDTTG"], "approved", "Các bên đã phối hợp chặt chẽ trong năm 2025.", dt.date(2026, 1, 4))
    report(
        lao_cai,
        agencies["SDTTG-15"],
        "approved",
        "Lào Cai đã hoàn thành lắp đặt 4 đài truyền thanh.",
        dt.date(2026, 1, 3),
    )
    tq_agency = Agency.objects.filter(unit=unit("08")).order_by("code").first()
    report(unit("08"), tq_agency, "submitted", "Tuyên Quang báo cáo chậm.", dt.date(2026, 1, 20))
    return prog
