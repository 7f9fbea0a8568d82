"""Demo digital-skills data for `ketnoi demo` (all marked as demo): a basic course, two sessions in
Tả Van (Lào Cai) with their counts, the commune's figures and the 2030 target of Lào Cai. Loaded
through the importers, so loading it again changes nothing."""

from __future__ import annotations

from ketnoi.core.audit import acting_as

DEMO_SOURCE = "Số liệu minh họa"
_FIRST = (
    "03037,TV-2025-01,DEMO-KNS-01,Kỹ năng số cơ bản cho trưởng thôn và người có uy tín (minh họa),"
    "10/03/2025,11/03/2025,Bản Lao Chải,Tiếng Mông,Lò Văn Minh;Giàng Thị Hoa,Mông"
)
_SECOND = "03037,TV-2025-02,DEMO-KNS-01,,22/09/2025,22/09/2025,,Tiếng Việt,Lò Văn Minh,Dao"
SESSIONS = (
    "commune_code,session,course_code,course_title,start_date,end_date,village,language_code,trainers,"
    "ethnic_group,sex,age_band,role,count\n"
    f"{_FIRST},male,40-59,village_head,2\n"
    f"{_FIRST},female,25-39,village_head,1\n"
    f"{_FIRST},male,60+,prestigious,2\n"
    f"{_FIRST},female,15-24,other,14\n"
    f"{_FIRST},male,15-24,other,9\n"
    f"{_SECOND},female,40-59,prestigious,1\n"
    f"{_SECOND},female,25-39,other,11\n"
    f"{_SECOND},male,25-39,other,7\n"
)

FIGURES = (
    "commune_code,year,prestigious_persons,households,households_smartphone,households_internet,coverage_4g,source\n"
    f"03037,2025,6,530,402,214,92,{DEMO_SOURCE}\n"
)
TARGETS = (
    "province_code,year,role,percent,source\n"
    "15,2030,village_head,80,QĐ 1087/QĐ-TTg: 80% trưởng thôn và người có uy tín được đào tạo chuyển đổi số (minh họa)\n"
    "15,2030,prestigious,80,QĐ 1087/QĐ-TTg (minh họa)\n"
)


def load_demo_skills() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ketnoi.orgs.models import User

    from .importers import import_figures, import_sessions, import_targets
    from .models import CommuneFigures, Course, Session

    commune_officer = User.objects.get(username="xa.tavan")
    provincial_officer = User.objects.get(username="tinh.laocai")
    with acting_as(commune_officer, source="cli"):
        for importer, text, name in (
            (import_sessions, SESSIONS, "demo-lop-ky-nang-so.csv"),
            (import_figures, FIGURES, "demo-so-lieu-xa.csv"),
        ):
            importer(SimpleUploadedFile(name, text.encode()), user=commune_officer, filename=name)
    with acting_as(provincial_officer, source="cli"):
        import_targets(SimpleUploadedFile("demo-muc-tieu.csv", TARGETS.encode()), user=provincial_officer)
    Course.objects.filter(code="DEMO-KNS-01", is_demo=False).update(is_demo=True)
    Session.objects.filter(commune__code="03037", reference__startswith="TV-2025-", is_demo=False).update(is_demo=True)
    CommuneFigures.objects.filter(commune__code="03037", source=DEMO_SOURCE, is_demo=False).update(is_demo=True)
