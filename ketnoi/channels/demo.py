"""Demo channels for `ketnoi demo` (all marked as demo): Tả Van's radio station with two loudspeaker
clusters and a board, and two bulletins of Lào Cai — one approved for the boards and SMS, one
draft for the loudspeakers in Vietnamese and Mông."""

from __future__ import annotations

import datetime as dt

from ketnoi.core.audit import acting_as

DEMO_MARK = "(minh họa)"
LOUDSPEAKERS = (
    "commune_code,station,cluster,technology,speakers,device_id,model,latitude,longitude,installed_on,notes\n"
    "03037,Đài truyền thanh xã Tả Van,Cụm loa trung tâm xã,IP,4,DEMO-TV-01,Minh họa IP-4,22.3034,103.8852,"
    "01/03/2024,Dữ liệu minh họa\n"
    "03037,Đài truyền thanh xã Tả Van,Cụm loa bản Giàng Tả Chải,IP,2,DEMO-TV-02,Minh họa IP-2,22.2915,103.9011,"
    "15/03/2024,Dữ liệu minh họa\n"
)
BOARDS = "commune_code,name,device_id,notes\n03037,Bảng tin điện tử UBND xã Tả Van,DEMO-TV-B1,Dữ liệu minh họa\n"


def load_demo_channels() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ketnoi.geo.models import AdminUnit
    from ketnoi.orgs.models import User
    from ketnoi.people.models import Language

    from . import services
    from .importers import import_boards, import_loudspeakers
    from .models import Bulletin

    officer = User.objects.get(username="xa.tavan")
    with acting_as(officer, source="cli"):
        for importer, text, name in (
            (import_loudspeakers, LOUDSPEAKERS, "demo-loa.csv"),
            (import_boards, BOARDS, "demo-bang-tin.csv"),
        ):
            importer(SimpleUploadedFile(name, text.encode()), user=officer, filename=name)
    if Bulletin.objects.filter(title__endswith=DEMO_MARK).exists():
        return
    laocai = AdminUnit.objects.get(structure="current", level="province", code="15")
    tavan = AdminUnit.objects.get(structure="current", level="commune", code="03037")
    editor, reviewer, coordinator = (User.objects.get(username=u) for u in ("bientap.laocai", "thamdinh", "dieuphoi"))
    with acting_as(editor, source="cli"):
        sent = services.bulletin_create(
            user=editor,
            owner_unit=laocai,
            title=f"Cảnh báo mưa lớn, lũ quét {DEMO_MARK}",
            body="Từ đêm nay đến hết ngày mai có mưa lớn. Không qua suối khi nước lớn; di chuyển gia súc lên chỗ cao.",
            priority=Bulletin.Priority.PRIORITY,
            target_units=[tavan],
        )
        services.rendition_delete(user=editor, rendition=sent.renditions.get(channel="loudspeaker"))
        services.bulletin_transition(user=editor, bulletin=sent, action="submit")
    with acting_as(reviewer, source="cli"):
        services.bulletin_transition(user=reviewer, bulletin=sent, action="appraise", comment="Đúng nội dung.")
    with acting_as(coordinator, source="cli"):
        services.bulletin_transition(user=coordinator, bulletin=sent, action="approve")
    with acting_as(editor, source="cli"):
        draft = services.bulletin_create(
            user=editor,
            owner_unit=laocai,
            title=f"Lịch tiêm phòng cho trẻ em {DEMO_MARK}",
            body="Trạm y tế xã tiêm phòng cho trẻ em dưới 5 tuổi từ 7 giờ sáng thứ Hai. Mang theo sổ tiêm chủng.",
            target_units=[tavan],
        )
        services.rendition_save(
            user=editor,
            bulletin=draft,
            channel="loudspeaker",
            language=Language.objects.get(bcp47="hmn"),
            text="Tsev kho mob hauv zos txhaj tshuaj rau me nyuam yaus. (Minh họa, chưa thẩm định bản dịch.)",
        )
        monday = dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())
        services.schedule_add(
            user=editor,
            bulletin=draft,
            starts_on=monday,
            ends_on=monday + dt.timedelta(days=13),
            weekdays="135",
            times="06:00 17:30",
        )
