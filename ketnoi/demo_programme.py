"""Programme 922 preloaded for the demo, with a realistic picture of work in progress.

The programme, its content areas and tasks are written for this product from the programme's
published scope (programmes/data/programme_922.json). Assignments, values and reports are invented
demo data: several provinces and communes, reports in different states, a few overdue tasks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ketnoi.core.audit import acting_as
from ketnoi.geo.models import AdminUnit
from ketnoi.indicators import services as indicator_services
from ketnoi.indicators.loaders import DATA_DIR as INDICATOR_DATA
from ketnoi.indicators.loaders import load_targets
from ketnoi.orgs.models import Agency, User
from ketnoi.programmes import services
from ketnoi.programmes.loaders import load_programme
from ketnoi.programmes.models import ProgressReport, TaskAssignment

PROGRAMME_FILE = Path(__file__).resolve().parent / "programmes" / "data" / "programme_922.json"

# (task code, unit code, status)
DEMO_ASSIGNMENTS = [
    ("1.3", "15", "in_progress"),
    ("1.3", "08", "in_progress"),
    ("1.3", "51", "not_started"),
    ("1.3", "03037", "done"),
    ("1.3", "00721", "in_progress"),
    ("1.3", "23425", "not_started"),
    ("2.3", "15", "in_progress"),
    ("2.3", "08", "done"),
    ("4.4", "15", "in_progress"),
    ("4.4", "51", "not_started"),
    ("5.3", "51", "in_progress"),
    ("5.3", "23425", "in_progress"),
    ("5.4", "15", "in_progress"),
    ("5.4", "03037", "done"),
    ("5.4", "00721", "not_started"),
    ("1.5", "15", "not_started"),
]

# Yearly stocks (villages, communes …) and quarterly flows (bulletins, feedback) per commune.
DEMO_STOCKS = {
    "03037": {"thon_tong_so": 12, "thon_co_dai_xa": 11, "xa_tong_so": 1, "xa_co_dai_cntt_vt": 1},
    "00721": {"thon_tong_so": 14, "thon_co_dai_xa": 10, "xa_tong_so": 1, "xa_co_dai_cntt_vt": 0},
    "23425": {"thon_tong_so": 9, "thon_co_dai_xa": 6, "xa_tong_so": 1, "xa_co_dai_cntt_vt": 0},
}
DEMO_FLOWS = {
    "03037": {"ban_tin_dai_xa": 36, "phan_anh_tiep_nhan": 8, "phan_anh_da_tra_loi": 8},
    "00721": {"ban_tin_dai_xa": 28, "phan_anh_tiep_nhan": 11, "phan_anh_da_tra_loi": 9},
    "23425": {"ban_tin_dai_xa": 20, "phan_anh_tiep_nhan": 5, "phan_anh_da_tra_loi": 3},
}
NARRATIVE = (
    "Trong quý, đài truyền thanh xã phát {bulletins} bản tin về chính sách dân tộc, trong đó có bản tin "
    "bằng tiếng dân tộc thiểu số; tiếp nhận {received} phản ánh, kiến nghị của người dân và đã trả lời "
    "{answered}. (Số liệu minh họa.)"
)


def _unit(code: str) -> AdminUnit:
    level = "province" if len(code) <= 2 else "commune"
    return AdminUnit.objects.get(structure="current", level=level, code=code)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _demo_other_modules(programme) -> None:
    """An official request, an inspection with a finding, and 2025 emulation scorecards (all demo)."""
    from ketnoi.content.loaders import load_demo_content
    from ketnoi.emulation import services as emulation_services
    from ketnoi.emulation.loaders import load_default_sheet
    from ketnoi.emulation.models import Scorecard
    from ketnoi.exchange import services as exchange_services
    from ketnoi.exchange.models import OfficialRequest
    from ketnoi.inspections import services as inspection_services
    from ketnoi.inspections.loaders import load_default_checklist
    from ketnoi.inspections.models import InspectionPlan

    coordinator = _user("dieuphoi")
    load_demo_content()
    load_default_checklist()
    with acting_as(coordinator, source="cli"):
        if not OfficialRequest.objects.exists():
            recipients = list(Agency.objects.filter(code__in=["SDTTG-15", "SDTTG-08"]))
            exchange_services.request_create(
                user=coordinator,
                number_symbol="215/BDTTG-TT",
                sender=Agency.objects.get(code="BDTTG"),
                subject="Đề nghị báo cáo kết quả cấp phát ấn phẩm báo, tạp chí năm 2025 (minh họa)",
                body="Đề nghị Sở báo cáo số ấn phẩm đã cấp phát đến người có uy tín và thôn đặc biệt khó khăn.",
                due_date=dt.date(2025, 9, 15),
                recipients=recipients,
                programme=programme,
                today=dt.date(2025, 9, 1),
            )
        if not InspectionPlan.objects.filter(programme=programme).exists():
            plan = inspection_services.plan_create(
                user=coordinator,
                programme=programme,
                year=2025,
                title="Kiểm tra liên ngành năm 2025 (minh họa)",
                lead_agency=Agency.objects.get(code="BDTTG"),
                units=[_unit("15")],
                period_start=dt.date(2025, 10, 1),
                period_end=dt.date(2025, 11, 30),
            )
            visit = inspection_services.visit_create(
                user=coordinator, plan=plan, unit="03037", date=dt.date(2025, 10, 15), team="Đoàn kiểm tra liên ngành"
            )
            finding = inspection_services.finding_create(
                user=coordinator,
                visit=visit,
                severity="medium",
                description="Hai cụm loa ở bản Giàng Tả Chải không hoạt động; bản tin tiếng Mông chưa được phát.",
            )
            inspection_services.finding_create_corrective_task(
                user=coordinator, finding=finding, due_date=dt.date(2025, 12, 31), today=dt.date(2025, 10, 20)
            )
        sheet = load_default_sheet(programme=programme, year=2025)
        for code in ("15", "08", "51"):
            if not Scorecard.objects.filter(sheet=sheet, unit__code=code).exists():
                emulation_services.scorecard_open(
                    user=coordinator, sheet=sheet, unit=_unit(code), today=dt.date(2025, 12, 31)
                )
        _demo_incident()
    from ketnoi.channels.demo import load_demo_channels

    load_demo_channels()
    from ketnoi.skills.demo import load_demo_skills  # digital skills (issue 9.7)

    load_demo_skills()
    from ketnoi.press.loaders import load_demo_press

    load_demo_press()


def _demo_incident() -> None:
    """One security incident of Lào Cai, contained and reported (demo)."""
    from ketnoi.incidents import services as incident_services
    from ketnoi.incidents.models import Incident

    if Incident.objects.exists():
        return
    officer = _user("tinh.laocai")
    with acting_as(officer, source="cli"):
        incident = incident_services.incident_create(
            user=officer,
            title="Trang thông tin điện tử xã Tả Van bị chèn nội dung lạ (minh họa)",
            severity="high",
            detected_at=timezone.make_aware(dt.datetime(2025, 11, 3, 8, 15)),
            unit=_unit("03037"),
            affected_systems="Trang thông tin điện tử của xã; tài khoản quản trị nội dung",
            description="Phát hiện bài viết lạ chèn mã độc; đã gỡ và đổi mật khẩu quản trị.",
        )
        incident_services.incident_event_add(
            user=officer,
            incident=incident,
            kind="containment",
            text="Tạm dừng trang, đổi mật khẩu tài khoản quản trị",
            at=timezone.make_aware(dt.datetime(2025, 11, 3, 9, 0)),
        )
        incident_services.incident_report(
            user=officer,
            incident=incident,
            reference="27/BC-SKHCN (minh họa)",
            at=timezone.make_aware(dt.datetime(2025, 11, 3, 16, 30)),
        )
        incident_services.incident_set_status(user=officer, incident=incident, status="contained")


@transaction.atomic
def load_demo_programme(*, module_samples: bool = True) -> None:
    admin = _user("admin")
    with acting_as(admin, source="cli"):
        programme = load_programme(PROGRAMME_FILE)
        load_targets(INDICATOR_DATA / "targets_922.csv")
    if ProgressReport.objects.filter(programme=programme).exists():
        if module_samples:
            _demo_other_modules(programme)
        return  # the demo activity below is created once
    tasks = {t.code: t for t in programme.tasks.all()}
    with acting_as(_user("dieuphoi"), source="cli"):
        for code, unit_code, status in DEMO_ASSIGNMENTS:
            if code not in tasks:
                continue
            unit = _unit(unit_code)
            agency = Agency.objects.filter(unit=unit, kind__in=["provincial_department", "commune_committee"]).first()
            assignment = services.task_assign(user=_user("dieuphoi"), task=tasks[code], unit=unit, agency=agency)
            TaskAssignment.objects.filter(pk=assignment.pk).update(status=status)
        first = next(iter(tasks.values()))
        services.task_comment_add(
            user=_user("dieuphoi"),
            task=first,
            body="Đề nghị các đơn vị gửi kế hoạch năm trước ngày 15/12. (Bình luận minh họa.)",
        )

    # Values for 2025: stocks once a year, flows per quarter, entered by each commune's officer.
    officers = {"03037": "xa.tavan", "00721": "xa.dongvan", "23425": "xa.tumorong"}
    for code, username in officers.items():
        with acting_as(_user(username), source="cli"):
            indicator_services.data_values_save(
                user=_user(username), unit=_unit(code), period="2025", values=DEMO_STOCKS[code]
            )
            for quarter in ("2025Q1", "2025Q2"):
                indicator_services.data_values_save(
                    user=_user(username), unit=_unit(code), period=quarter, values=DEMO_FLOWS[code]
                )

    # Reports of 2025Q2 in every state: Tả Van approved (so Lào Cai's can be approved), Đồng Văn
    # submitted, Tu Mơ Rông still a draft past its due date; Lào Cai submitted; central a draft.
    def open_and_write(username, unit_code, agency_code, submit):
        user = _user(username)
        with acting_as(user, source="cli"):
            report = services.report_open(
                user=user,
                programme=programme,
                period="2025Q2",
                frequency="quarterly",
                unit=_unit(unit_code) if unit_code else None,
                agency=Agency.objects.get(code=agency_code),
            )
            flows = DEMO_FLOWS.get(unit_code, {"ban_tin_dai_xa": 0, "phan_anh_tiep_nhan": 0, "phan_anh_da_tra_loi": 0})
            narrative = NARRATIVE.format(
                bulletins=flows["ban_tin_dai_xa"],
                received=flows["phan_anh_tiep_nhan"],
                answered=flows["phan_anh_da_tra_loi"],
            )
            report = services.report_save(user=user, report=report, narrative=narrative, version=report.version)
            if submit:
                report = services.report_submit(user=user, report=report)
        return report

    ta_van = open_and_write("xa.tavan", "03037", "UBNDX-03037", submit=True)
    open_and_write("xa.dongvan", "00721", "UBNDX-00721", submit=True)
    open_and_write("xa.tumorong", "23425", "UBNDX-23425", submit=False)
    with acting_as(_user("tinh.laocai"), source="cli"):
        services.report_approve(user=_user("tinh.laocai"), report=ta_van, agency=Agency.objects.get(code="SDTTG-15"))
    open_and_write("tinh.laocai", "15", "SDTTG-15", submit=True)
    open_and_write("dieuphoi", None, "BDTTG", submit=False)
    # Give the demo submissions plausible dates in July 2025 (due 05/07/2025): some on time, some late.
    submitted = {"03037": (2025, 7, 3), "00721": (2025, 7, 18), "15": (2025, 7, 9)}
    for code, (year, month, day) in submitted.items():
        moment = timezone.make_aware(dt.datetime(year, month, day, 9, 30))
        ProgressReport.objects.filter(programme=programme, period="2025Q2", unit_key=code).update(
            submitted_at=moment, approved_at=moment + dt.timedelta(days=2) if code == "03037" else None
        )
    if module_samples:
        _demo_other_modules(programme)
