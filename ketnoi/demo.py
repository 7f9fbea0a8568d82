"""A small demo dataset: users of real agencies with scoped roles, a few villages, a sample classification.

Everything here is illustrative and labelled so: village figures and the "demo" classification period
are invented for demonstration and are not official lists. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ketnoi.core import roles
from ketnoi.geo.models import (
    AdminUnit,
    ClassificationPeriod,
    CommuneClassification,
    DifficultVillage,
    Village,
)
from ketnoi.geo.services import village_create
from ketnoi.orgs.models import Agency, User
from ketnoi.orgs.services import role_grant, user_create

DEMO_PASSWORD = "ketnoi-demo-2025"
DEMO_NOTE = "Dữ liệu minh họa (demo) — not official figures"

# username, full name, agency code, role, area (None = whole country, 2 digits = province, 5 = commune)
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", "BDTTG", roles.SYSTEM_ADMIN, None),
    ("dieuphoi", "Nguyễn Văn Điều Phối", "BDTTG", roles.COORDINATOR, None),
    ("canbo.bvhttdl", "Trần Thị Văn Hóa", "BVHTTDL", roles.AGENCY_OFFICER, None),
    ("tinh.laocai", "Lò Văn Tỉnh", "SDTTG-15", roles.PROVINCIAL_OFFICER, "15"),
    ("xa.tavan", "Giàng Thị Xã", "UBNDX-03037", roles.COMMUNE_OFFICER, "03037"),
    ("tinh.tuyenquang", "Ma Văn Tuyên", "SDTTG-08", roles.PROVINCIAL_OFFICER, "08"),
    ("xa.dongvan", "Sùng Mí Vần", "UBNDX-00721", roles.COMMUNE_OFFICER, "00721"),
    ("xa.tumorong", "A Đăm", "UBNDX-23425", roles.COMMUNE_OFFICER, "23425"),
    ("bientap", "Lê Biên Tập", "BDTTG", roles.EDITOR, None),
    ("bientap.laocai", "Hoàng Thị Biên", "SDTTG-15", roles.EDITOR, "15"),
    ("dichthuat", "Phạm Dịch Thuật", "BDTTG", roles.TRANSLATOR, None),
    ("thamdinh", "Vũ Thẩm Định", "BDTTG", roles.REVIEWER, None),
    ("kiemtoan", "Đỗ Kiểm Toán", "BDTTG", roles.AUDITOR, None),
]

# commune code, village name, kind, households, minority households, population
DEMO_VILLAGES = [
    ("03037", "Bản Lao Chải", "ban", 210, 205, 1180),
    ("03037", "Bản Tả Van Mông", "ban", 180, 178, 990),
    ("03037", "Bản Giàng Tả Chải", "ban", 140, 131, 760),
    ("00721", "Thôn Sủng Là", "thon", 160, 158, 870),
    ("00721", "Thôn Phố Cáo", "thon", 190, 176, 1010),
    ("23425", "Thôn Đăk Chum", "thon", 120, 118, 560),
    ("23425", "Thôn Kon Tuông", "thon", 95, 95, 430),
]


# One extremely difficult village (thôn ĐBKK) per demo commune, in the demo classification period.
DEMO_DIFFICULT_VILLAGES = {"03037": "Bản Hầu Thào", "00721": "Thôn Má Lủ Phìn", "23425": "Thôn Long Láy"}


class DemoError(Exception):
    """The demo cannot be built on this database; the message is one sentence for the operator."""


def _demo_unit_codes() -> set[str]:
    codes = {area for *_rest, area in DEMO_USERS if area}
    codes |= {code for code, *_rest in DEMO_VILLAGES}
    return codes | set(DEMO_DIFFICULT_VILLAGES)


def ensure_reference_data(log=print) -> bool:
    """Load the reference data when the database has none; True when it was loaded.

    A database that has reference data but lacks a unit the demo needs stops with a clear
    :class:`DemoError` instead of a ``DoesNotExist`` traceback.
    """
    loaded = False
    if not AdminUnit.objects.filter(structure="current").exists():
        from ketnoi.reference import load_reference

        log("no reference data in this database: loading it first (ketnoi load-reference)")
        load_reference(log=log)
        loaded = True
    codes = _demo_unit_codes()
    found = set(AdminUnit.objects.filter(structure="current", code__in=codes).values_list("code", flat=True))
    missing = sorted(codes - found)
    if missing:
        raise DemoError(
            f"The demo needs the current administrative units {', '.join(missing)}, which this database lacks: "
            "run `ketnoi load-reference` first."
        )
    return loaded


def _unit(code: str) -> AdminUnit:
    level = AdminUnit.Level.PROVINCE if len(code) <= 2 else AdminUnit.Level.COMMUNE
    return AdminUnit.objects.get(structure="current", level=level, code=code)


@transaction.atomic
def load_demo(*, module_samples: bool = True, log=print) -> list[tuple[str, str, str]]:
    ensure_reference_data(log=log)
    logins = []
    for username, full_name, agency_code, role, area in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                email=f"{username}@demo.ketnoi.local",
                agency=Agency.objects.filter(code=agency_code).first(),
                is_superuser=role == roles.SYSTEM_ADMIN,
                validate=False,
            )
        role_grant(user=user, role=role, unit=_unit(area) if area else None)
        logins.append(
            (username, DEMO_PASSWORD, f"{dict(roles.ROLE_CHOICES)[role]} · {_unit(area).name if area else 'toàn quốc'}")
        )

    admin = User.objects.get(username="admin")
    for code, name, kind, households, minority, population in DEMO_VILLAGES:
        commune = _unit(code)
        if not Village.objects.filter(commune=commune, name=name).exists():
            village_create(
                user=admin,
                commune=commune,
                name=name,
                kind=kind,
                households=households,
                minority_households=minority,
                population=population,
                notes=DEMO_NOTE,
            )

    period, _created = ClassificationPeriod.objects.get_or_create(
        code="demo-2021-2025",
        defaults={
            "name": "Minh họa (demo, không phải danh sách chính thức) 2021–2025",
            "valid_from": dt.date(2021, 1, 1),
            "valid_to": dt.date(2025, 12, 31),
        },
    )
    areas = ["III", "II", "I"]
    for code in ("03037", "00721", "23425"):
        legacy = list(_unit(code).predecessions.select_related("legacy").order_by("legacy__code"))
        for index, link in enumerate(legacy):
            if link.legacy.level != AdminUnit.Level.COMMUNE:
                continue
            CommuneClassification.objects.get_or_create(
                period=period, legacy_commune=link.legacy, defaults={"area": areas[index % len(areas)]}
            )
        if legacy and legacy[0].legacy.level == AdminUnit.Level.COMMUNE:
            DifficultVillage.objects.get_or_create(
                period=period, legacy_commune=legacy[0].legacy, village_name=DEMO_DIFFICULT_VILLAGES[code]
            )
    from ketnoi.demo_programme import load_demo_programme  # the programme builds on the users above

    load_demo_programme(module_samples=module_samples)
    return logins
