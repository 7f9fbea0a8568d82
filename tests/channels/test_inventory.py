"""The channel inventory (issue 8.1): imported from CSV or XLSX all or nothing, with errors that name
the row and field; idempotent; scoped; shown on the commune's page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ketnoi.channels.importers import import_boards, import_loudspeakers
from ketnoi.channels.models import BulletinBoard, LoudspeakerCluster, RadioStation
from ketnoi.core.importing import ImportFailed
from ketnoi.geo.models import AdminUnit, Village

HEADER = (
    "commune_code,station,cluster,technology,village,speakers,device_id,sim_or_ip,latitude,longitude,installed_on\n"
)


def _commune_of(user) -> AdminUnit:
    return next(g.unit for g in user.role_grants.all() if g.unit and g.unit.level == "commune")


@pytest.fixture
def tavan(users):
    commune = _commune_of(users["xa.tavan"])
    village = Village.objects.filter(commune=commune).first() or Village.objects.create(
        commune=commune, name="Thôn Thử", search_key="thon thu", sort_key="thon thu"
    )
    return commune, village


def _csv(text: str, name="loa.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _rows(commune, village):
    return (
        HEADER
        + f"{commune.code},Đài truyền thanh xã,Cụm loa 1,IP,{village.name},4,LOA-0001,0912000001,"
        + "22.3012,103.8876,01/03/2024\n"
        + f"{commune.code},Đài truyền thanh xã,Cụm loa 2,IP,,2,LOA-0002,0912000002,22.31,103.89,15/03/2024\n"
    )


def test_a_clean_file_is_imported_and_importing_it_again_changes_nothing(users, tavan):
    commune, village = tavan
    result = import_loudspeakers(_csv(_rows(commune, village)), user=users["xa.tavan"])
    assert (result.rows, result.created, result.updated) == (2, 3, 0)  # one station, two clusters
    station = RadioStation.objects.get(commune=commune)
    clusters = list(station.clusters.order_by("name"))
    assert [c.name for c in clusters] == ["Cụm loa 1", "Cụm loa 2"]
    assert clusters[0].village == village and clusters[0].speakers == 4
    assert clusters[0].installed_on.strftime("%d/%m/%Y") == "01/03/2024"
    again = import_loudspeakers(_csv(_rows(commune, village)), user=users["xa.tavan"])
    assert (again.created, again.updated) == (0, 0)
    assert LoudspeakerCluster.objects.filter(station__commune=commune).count() == 2


def test_a_bad_file_names_every_row_and_field_and_writes_nothing(users, tavan):
    commune, village = tavan
    text = (
        HEADER
        + f"{commune.code},Đài xã,Cụm 1,IP,Không có thôn này,4,LOA-1,,22.3,103.8,01/03/2024\n"
        + f"{commune.code},Đài xã,Cụm 2,laser,,bốn,LOA-1,,45.0,103.8,31/02/2024\n"
        + f"{commune.code},Đài xã,Cụm 1,IP,,1,LOA-3,,22.3,103.8,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_loudspeakers(_csv(text, "loa-sai.csv"), user=users["xa.tavan"])
    found = {(e.row, e.field) for e in failed.value.errors}
    assert {(2, "village"), (3, "technology"), (3, "speakers"), (3, "device_id"), (3, "latitude")} <= found
    assert (3, "installed_on") in found and (4, "cluster") in found
    assert all(e.filename == "loa-sai.csv" for e in failed.value.errors)
    assert not RadioStation.objects.filter(commune=commune).exists()


def test_a_commune_outside_the_area_refuses_the_file(users, tavan):
    commune, village = tavan
    other = _commune_of(users["xa.tumorong"])
    text = _rows(commune, village) + f"{other.code},Đài khác,Cụm 9,IP,,1,LOA-9,,14.7,107.9,\n"
    with pytest.raises(ImportFailed) as failed:
        import_loudspeakers(_csv(text), user=users["xa.tavan"])
    assert any(
        e.row == 4 and e.field == "commune_code" and "outside your area" in e.message for e in failed.value.errors
    )
    assert not RadioStation.objects.exists()


def test_a_device_id_of_another_cluster_is_refused(users, tavan):
    commune, village = tavan
    import_loudspeakers(_csv(_rows(commune, village)), user=users["xa.tavan"])
    text = HEADER + f"{commune.code},Đài truyền thanh xã,Cụm loa 3,IP,,1,LOA-0001,,,,\n"
    with pytest.raises(ImportFailed) as failed:
        import_loudspeakers(_csv(text), user=users["xa.tavan"])
    assert "already belongs to" in failed.value.errors[0].message


def test_boards_from_xlsx(users, tavan):
    commune, village = tavan
    book = Workbook()
    sheet = book.active
    sheet.append(["commune_code", "name", "village", "device_id", "installed_on"])
    sheet.append([commune.code, "Bảng tin nhà văn hóa", village.name, "BT-01", "02/01/2025"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile(
        "bang-tin.xlsx", data.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    result = import_boards(upload, user=users["xa.tavan"])
    assert result.created == 1
    board = BulletinBoard.objects.get(commune=commune)
    assert board.village == village and board.device_id == "BT-01"


def test_the_pages_a_commune_officer_uses(login, users, tavan):
    commune, village = tavan
    client = login("xa.tavan")
    page = client.get("/channels/import/")
    assert page.status_code == 200
    refused = client.post(
        "/channels/import/",
        {"kind": "loudspeakers", "file": _csv(HEADER + f"{commune.code},,Cụm 1,IP,,1,,,,,\n", "loa.csv")},
    )
    assert refused.status_code == 422
    assert "loa.csv, row 2, field station" in refused.content.decode()
    done = client.post("/channels/import/", {"kind": "loudspeakers", "file": _csv(_rows(commune, village))})
    assert done.status_code == 200 and "2 rows, 3 created" in done.content.decode()
    listing = client.get("/channels/").content.decode()
    assert commune.name in listing
    detail = client.get(f"/units/current/commune/{commune.code}/").content.decode()
    assert "Đài truyền thanh xã" in detail and "Cụm loa 2" in detail and "Loudspeakers in service: 6." in detail
    # another commune's officer sees none of it
    other = login("xa.tumorong").get("/channels/").content.decode()
    assert commune.name not in other


def test_editors_see_the_inventory_but_cannot_import(login):
    client = login("bientap")
    assert client.get("/channels/").status_code == 200
    assert client.get("/channels/import/").status_code == 404


def test_propagandists_phone_is_encrypted_shown_only_to_managers_and_each_view_logged(login, users, tavan):
    from django.db import connection

    from ketnoi.channels.importers import import_propagandists
    from ketnoi.channels.models import Propagandist
    from ketnoi.core.models import AuditEntry

    commune, village = tavan
    bad = _csv(f"commune_code,full_name,phone,ethnic_group\n{commune.code},Lò Thị Mai,12345,Không Rõ\n", "ttv.csv")
    with pytest.raises(ImportFailed) as failed:
        import_propagandists(bad, user=users["xa.tavan"])
    assert {(e.row, e.field) for e in failed.value.errors} == {(2, "phone"), (2, "ethnic_group")}
    good = _csv(
        "commune_code,full_name,phone,village,ethnic_group\n"
        f"{commune.code},Lò Thị Mai,+84 912 345 678,{village.name},Dao\n"
    )
    assert import_propagandists(good, user=users["xa.tavan"]).created == 1
    person = Propagandist.objects.get(commune=commune)
    assert person.phone == "0912345678" and person.ethnic_group.name_vi == "Dao"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM channels_propagandist WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert "0912345678" not in stored  # a Fernet token at rest

    page = login("xa.tavan").get(f"/units/current/commune/{commune.code}/").content.decode()
    assert "Lò Thị Mai" in page and "0912345678" in page
    views = AuditEntry.objects.filter(action="view", model="channels.propagandist", object_pk=str(person.pk))
    assert views.count() == 1 and "0912345678" not in str(views.get().after)

    editor_page = login("bientap").get(f"/units/current/commune/{commune.code}/").content.decode()
    assert "Lò Thị Mai" in editor_page and "0912345678" not in editor_page
    assert views.count() == 1  # the editor was not shown the phone: nothing more to log


def test_the_api_lists_the_areas_devices_and_imports_all_or_nothing(client, users, tavan):
    from ketnoi.orgs.services import token_create

    commune, village = tavan
    officer = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['xa.tavan'], name='t')[1]}"}
    refused = client.post(
        "/api/v1/channels/import",
        {"kind": "loudspeakers", "file": _csv(HEADER + f"{commune.code},Đài,Cụm,IP,,x,,,,,\n")},
        **officer,
    )
    assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert any(e["row"] == 2 and e["field"] == "speakers" for e in refused.json()["errors"])
    done = client.post(
        "/api/v1/channels/import", {"kind": "loudspeakers", "file": _csv(_rows(commune, village))}, **officer
    )
    assert done.status_code == 200 and done.json()["created"] == 3
    listed = client.get("/api/v1/channels/devices", {"kind": "cluster"}, **officer).json()
    assert sorted(d["name"] for d in listed["items"]) == ["Cụm loa 1", "Cụm loa 2"]
    assert {d["commune"] for d in listed["items"]} == {commune.code}
    other = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['xa.tumorong'], name='t')[1]}"}
    assert client.get("/api/v1/channels/devices", **other).json()["count"] == 0
    editor = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users['bientap'], name='t')[1]}"}
    assert client.post("/api/v1/channels/import", {"kind": "boards", "file": _csv("x")}, **editor).status_code == 403


def test_an_officer_adds_a_messaging_account_and_a_duplicate_is_refused_beside_its_field(login, users, tavan):
    from ketnoi.channels.models import MessagingAccount

    commune, _village = tavan
    client = login("xa.tavan")
    url = f"/units/current/commune/{commune.code}/accounts/new/"
    assert client.get(url).status_code == 200
    values = {"platform": "zalo", "handle": "UBND xã Tả Van", "url": "https://zalo.me/ubndtavan", "followers": "nhiều"}
    wrong = client.post(url, values)  # words, not a number: refused, the typed values stay
    assert wrong.status_code == 422 and "UBND xã Tả Van" in wrong.content.decode()
    client.cookies["ketnoi_language"] = "vi"  # the page in Vietnamese, where "1.250" is one thousand …
    saved = client.post(url, values | {"followers": "1.250"})
    assert saved.status_code == 302
    assert MessagingAccount.objects.get(commune=commune).followers == 1250  # "1.250" read the Vietnamese way
    client.cookies["ketnoi_language"] = "en"
    again = client.post(url, values | {"followers": "1250", "handle": "ubnd xa ta van"})
    assert again.status_code == 422 and "This commune already has this account." in again.content.decode()
    assert MessagingAccount.objects.filter(commune=commune).count() == 1
    page = client.get(f"/units/current/commune/{commune.code}/").content.decode()
    assert "UBND xã Tả Van" in page
    assert login("xa.tumorong").get(url).status_code == 404


def test_accounts_are_imported_by_platform_and_name(users, tavan):
    from ketnoi.channels.importers import import_accounts
    from ketnoi.channels.models import MessagingAccount

    commune, _village = tavan
    text = (
        "commune_code,platform,handle,url,followers,in_use\n"
        f"{commune.code},zalo,UBND xã,https://zalo.me/x,1.250,có\n"
        f"{commune.code},Facebook page,UBND xã,https://facebook.com/x,,không\n"
        f"{commune.code},sms,UBNDXA,,,\n"
    )
    assert import_accounts(_csv(text), user=users["xa.tavan"]).created == 3
    zalo = MessagingAccount.objects.get(commune=commune, platform="zalo")
    assert zalo.followers == 1250 and zalo.active
    assert not MessagingAccount.objects.get(commune=commune, platform="facebook").active
    assert import_accounts(_csv(text), user=users["xa.tavan"]).created == 0
    bad = f"commune_code,platform,handle,in_use\n{commune.code},fax,UBND,maybe\n"
    with pytest.raises(ImportFailed) as failed:
        import_accounts(_csv(bad), user=users["xa.tavan"])
    assert {(e.row, e.field) for e in failed.value.errors} == {(2, "platform"), (2, "in_use")}


def test_propagandist_phones_are_checked_with_phonenumbers_and_stored_in_the_national_form(users, tavan):
    from ketnoi.channels.importers import import_propagandists
    from ketnoi.channels.models import Propagandist

    commune, _village = tavan
    good = _csv(
        "commune_code,full_name,phone\n"
        f"{commune.code},Lò Văn Một,84912345678\n"
        f"{commune.code},Lò Văn Hai,0166.123.4567\n"  # an 11-digit number of before 2018
        f"{commune.code},Lò Văn Ba,0214 3871 234\n"  # a Lào Cai landline: a valid number
        f"{commune.code},Lò Văn Bốn,\n"
    )
    assert import_propagandists(good, user=users["xa.tavan"]).created == 4
    phones = dict(Propagandist.objects.filter(commune=commune).values_list("full_name", "phone"))
    assert phones == {
        "Lò Văn Một": "0912345678",
        "Lò Văn Hai": "0361234567",
        "Lò Văn Ba": "02143871234",
        "Lò Văn Bốn": "",
    }
    bad = _csv(f"commune_code,full_name,phone\n{commune.code},Lò Văn Năm,091 234 567\n")
    with pytest.raises(ImportFailed) as failed:
        import_propagandists(bad, user=users["xa.tavan"])
    [error] = failed.value.errors
    assert (error.row, error.field) == (2, "phone") and "not a valid Vietnamese phone number" in error.message
