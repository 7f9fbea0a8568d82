import pytest
from django.db import DatabaseError, connection, transaction

from ketnoi.core.audit import acting_as
from ketnoi.core.models import AuditEntry
from ketnoi.geo.models import Village
from ketnoi.geo.services import village_create, village_delete, village_update


def test_create_update_delete_are_recorded_with_before_and_after(users, unit):
    officer = users["xa.tavan"]
    with acting_as(officer, source="web", ip_address="10.0.0.9"):
        village = village_create(user=officer, commune=unit("03037"), name="Thôn Kiểm Tra", households=10)
        village_update(user=officer, village=village, households=12)
        pk = village.pk
        village_delete(user=officer, village=village)
    entries = list(AuditEntry.objects.filter(model="geo.village", object_pk=str(pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "delete"]
    created, updated, deleted = entries
    assert created.actor == officer and created.actor_name == "xa.tavan" and created.ip_address == "10.0.0.9"
    assert created.before is None and created.after["households"] == 10
    assert updated.changed_fields() == [("households", 10, 12)]
    assert deleted.before["name"] == "Thôn Kiểm Tra" and deleted.after is None
    assert created.scope_province_id == unit("15").pk and created.scope_commune_id == unit("03037").pk


def test_secrets_are_fingerprinted_not_logged(users):
    user = users["xa.dongvan"]
    user.set_password("another-long-password")
    user.save()
    entry = AuditEntry.objects.filter(model="orgs.user", object_pk=str(user.pk), action="update").latest("id")
    changes = dict((field, new) for field, _old, new in entry.changed_fields())
    assert changes["password"].startswith("sha256:") and "pbkdf2" not in str(entry.after)
    assert "md5" not in str(entry.after)


def test_audit_log_is_append_only_in_the_orm_and_in_the_database(users):
    entry = AuditEntry.objects.latest("id")
    entry.action = "delete"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    for sql in ("UPDATE core_auditentry SET action = 'x'", "DELETE FROM core_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.filter(action="x").count() == 0


def test_auditor_browses_the_log_with_filters(login, users, unit):
    officer = users["xa.tavan"]
    with acting_as(officer):
        village_create(user=officer, commune=unit("03037"), name="Thôn Nhật Ký")
    client = login("kiemtoan")
    page = client.get("/audit/", {"model": "geo.village", "action": "create"}).content.decode()
    assert "Thôn Nhật Ký" in page and "xa.tavan" in page
    assert client.get("/api/v1/audit", {"model": "geo.village"}).json()["count"] >= 1


def test_failed_and_successful_logins_are_recorded(client, users):
    client.post("/login/", {"username": "xa.tavan", "password": "wrong-password"})
    client.post("/login/", {"username": "xa.tavan", "password": "ketnoi-demo-2025"})
    actions = list(AuditEntry.objects.filter(model="orgs.user").values_list("action", flat=True)[:2])
    assert actions == ["login", "login_failed"]


def test_bulk_reference_loads_write_one_summary_entry(db):
    assert AuditEntry.objects.filter(model="reference", action="import").count() == 1
    assert not AuditEntry.objects.filter(model="geo.adminunit").exists()
    assert Village.objects.exists()


def test_personal_data_is_marked_changed_not_logged(users):
    """Like secrets, personal fields never reach the log (more in test_audit_personal.py)."""
    from ketnoi.core.audit import PERSONAL, PERSONAL_CHANGED

    user = users["xa.dongvan"]
    user.phone, user.email = "0203 111 222", "dong.van@example.vn"
    user.save()
    entry = AuditEntry.objects.filter(model="orgs.user", object_pk=str(user.pk), action="update").latest("id")
    assert entry.before["phone"] in ("", PERSONAL) and entry.after["phone"] == PERSONAL_CHANGED
    assert entry.after["email"] == PERSONAL_CHANGED and entry.object_repr == "xa.dongvan"
    assert "0203 111 222" not in str(entry.after) and "dong.van@example.vn" not in str(entry.after)
