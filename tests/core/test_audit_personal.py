"""Personal data never enters the append-only audit log (issue 11.10): the log records THAT a
personal field changed, never its value, and names such objects without personal data."""

import json

from django.core import checks

from ketnoi.core import audit
from ketnoi.core.audit import PERSONAL, PERSONAL_CHANGED
from ketnoi.core.models import AuditEntry
from ketnoi.inspections.models import Visit
from ketnoi.notifications.models import Notification, NotificationEvent
from ketnoi.orgs import audit_display
from ketnoi.orgs.models import RoleGrant, User
from ketnoi.orgs.services import role_grant, user_create
from ketnoi.people.models import Language
from ketnoi.portal import services as portal
from ketnoi.portal.models import Feedback

FULL_NAME = "Lò Thị Riêng Tư"
EMAIL = "lo.thi.rieng.tu@example.vn"
PHONE = "0912 345 678"
NEW_EMAIL = "rieng.tu.moi@example.vn"
NEW_PHONE = "0987 000 111"
MESSAGE = "Xin hỏi vì sao nhà bà Lò Thị Sáu ở bản Cát Cát chưa nhận hỗ trợ nhà ở năm nay?"
SENDER = "Lò Văn Người Gửi"
CONTACT = "0977 123 456"


def _since(start: int):
    return AuditEntry.objects.filter(id__gt=start).order_by("id")


def _log_text(start: int) -> str:
    """Everything the entries written since ``start`` hold, as one text to search."""
    parts = []
    for entry in _since(start):
        parts += [entry.object_repr, entry.actor_name, str(entry)]
        parts += [json.dumps(entry.before, ensure_ascii=False), json.dumps(entry.after, ensure_ascii=False)]
    return "\n".join(parts)


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _assert_absent(start: int, *values: str) -> None:
    text = _log_text(start)
    for value in values:
        assert value not in text, f"{value!r} is in the audit log"


def test_a_users_name_email_and_phone_are_not_copied_into_the_log(db):
    start = _last_id()
    user = user_create(username="nguoi.dung.rieng", password="x" * 14, full_name=FULL_NAME, email=EMAIL)
    user.phone = PHONE
    user.save()
    user.email, user.phone, user.preferred_language = NEW_EMAIL, NEW_PHONE, "th"
    user.save()
    _assert_absent(start, FULL_NAME, EMAIL, PHONE, NEW_EMAIL, NEW_PHONE, "Riêng Tư", "0912")

    created, added_phone, changed = _since(start).filter(model="orgs.user", object_pk=str(user.pk))
    assert created.action == "create" and created.after["email"] == PERSONAL
    assert created.after["full_name"] == PERSONAL and created.after["phone"] == ""
    assert created.after["username"] == "nguoi.dung.rieng"  # an account identifier, kept
    assert created.object_repr == "nguoi.dung.rieng"
    assert dict((f, (old, new)) for f, old, new in added_phone.changed_fields()) == {"phone": ("", PERSONAL_CHANGED)}
    # The entry says which personal fields changed, and keeps ordinary fields in full.
    assert {f: (old, new) for f, old, new in changed.changed_fields()} == {
        "email": (PERSONAL, PERSONAL_CHANGED),
        "phone": (PERSONAL, PERSONAL_CHANGED),
        "preferred_language": ("vi", "th"),
    }


def test_saving_without_changing_personal_data_records_no_change_to_it(db):
    user = user_create(username="khong.doi", password="x" * 14, full_name=FULL_NAME, email=EMAIL)
    start = _last_id()
    user.is_active = False
    user.save()
    (entry,) = _since(start)
    assert entry.changed_fields() == [("is_active", True, False)]
    assert entry.before["email"] == entry.after["email"] == PERSONAL
    user.save()  # nothing changed at all: no entry
    assert _since(start).count() == 1


def test_deleting_a_user_leaves_no_personal_data(db):
    user = user_create(username="se.xoa", password="x" * 14, full_name=FULL_NAME, email=EMAIL)
    start = _last_id()
    user.delete()
    entry = _since(start).get(model="orgs.user", action="delete")
    assert entry.before["email"] == PERSONAL and entry.object_repr == "se.xoa"
    _assert_absent(start, FULL_NAME, EMAIL)


def test_citizen_feedback_message_and_sender_are_not_copied_into_the_log(db, unit):
    start = _last_id()
    vi = Language.objects.get(bcp47="vi")
    feedback = portal.feedback_submit(language=vi, message=MESSAGE, name=SENDER, contact=CONTACT, commune_code="03037")
    reviewer = User.objects.create_user("tham.dinh.rieng", password="x" * 14)
    role_grant(user=reviewer, role="reviewer", unit=unit("15"))
    answer = "Hồ sơ hỗ trợ nhà ở nộp tại Ủy ban nhân dân xã trước ngày 30/6."
    portal.feedback_answer(user=reviewer, feedback=feedback, answer=answer)
    _assert_absent(start, MESSAGE, MESSAGE[:30], "Lò Thị Sáu", SENDER, CONTACT)

    created, answered = _since(start).filter(model="portal.feedback", object_pk=str(feedback.pk))
    assert created.after["message"] == PERSONAL and created.after["state"] == "received"
    assert created.object_repr == f"citizen feedback #{feedback.pk}"
    changes = {f: (old, new) for f, old, new in answered.changed_fields()}
    assert "message" not in changes  # unchanged: no change shown
    assert changes["answer"] == ("", answer)  # the administration's answer is kept in full
    assert changes["state"] == ("received", "published")

    start = _last_id()
    feedback.refresh_from_db()
    feedback.message = MESSAGE + " Xin cảm ơn."
    feedback.save()
    (edited,) = _since(start)
    assert edited.changed_fields() == [("message", PERSONAL, PERSONAL_CHANGED)]
    _assert_absent(start, MESSAGE[:30])


def test_another_objects_label_does_not_carry_a_users_name(db, unit):
    user = user_create(username="co.vai.tro", password="x" * 14, full_name=FULL_NAME)
    start = _last_id()
    grant = role_grant(user=user, role="reviewer", unit=unit("15"))
    entry = _since(start).get(model="orgs.rolegrant", object_pk=str(grant.pk))
    assert FULL_NAME not in entry.object_repr and entry.object_repr.startswith("co.vai.tro · ")
    assert str(RoleGrant.objects.get(pk=grant.pk)).startswith(FULL_NAME)  # the page still shows the name


def test_sign_in_entry_names_the_account_not_the_person(client, users):
    user = users["xa.tavan"]
    user.full_name = FULL_NAME
    user.save()
    start = _last_id()
    client.post("/login/", {"username": "xa.tavan", "password": "ketnoi-demo-2025"})
    entry = _since(start).get(action="login")
    assert entry.object_repr == "xa.tavan"
    _assert_absent(start, FULL_NAME)


def test_notification_text_and_inspection_team_are_personal(users, unit):
    officer = users["xa.tavan"]
    body = f"{FULL_NAME} đã gửi báo cáo."
    start = _last_id()
    event = NotificationEvent.objects.create(event_key="test:personal", recipient=officer)
    Notification.objects.create(recipient=officer, event=event, kind="report_submitted", subject="Báo cáo", body=body)
    _assert_absent(start, FULL_NAME)
    assert audit.personal_fields(Visit) == {"team"}


def test_the_audit_page_says_personal_data_changed_without_showing_it(login, users):
    user = users["xa.dongvan"]
    user.email = EMAIL
    user.save()
    user.email = NEW_EMAIL
    user.save()
    entry = AuditEntry.objects.filter(model="orgs.user", object_pk=str(user.pk)).latest("id")
    (change,) = audit_display.changes(entry)
    assert change.field == "email"
    assert change.before == "personal data (not kept in the log)"
    assert change.after == "changed (personal data not kept in the log)"
    page = login("kiemtoan").get("/audit/", {"model": "orgs.user"}).content.decode()
    assert "changed (personal data not kept in the log)" in page
    assert EMAIL not in page and NEW_EMAIL not in page


def test_every_declared_personal_field_exists(db):
    assert not [e for e in audit.check_personal_fields() if e.id == "ketnoi.audit.E001"]
    assert audit.personal_fields(User) >= {"email", "phone", "full_name", "first_name", "last_name"}
    assert audit.personal_fields(Feedback) == {"message"}


def test_a_misspelt_personal_field_is_refused(db, monkeypatch):
    monkeypatch.setattr(Feedback, "audit_personal_fields", {"mesage"})
    errors = audit.check_personal_fields()
    assert [e.id for e in errors] == ["ketnoi.audit.E001"] and isinstance(errors[0], checks.Error)
    assert "mesage" in errors[0].msg


def test_an_empty_personal_field_stays_empty(db):
    snap = audit.snapshot(User(username="rong"))
    assert snap["email"] == snap["phone"] == snap["full_name"] == snap["first_name"] == ""
    assert audit.snapshot(User(username="rong", email=EMAIL))["email"] == PERSONAL
