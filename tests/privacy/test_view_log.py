"""Every view of a person's decrypted personal data is in the audit log: who saw whom, once per
request (Decree 13/2023; issue 10.5)."""

from ketnoi.core.models import AuditEntry

from .conftest import CONTACT, NAME


def _views(start, **filters):
    return AuditEntry.objects.filter(id__gt=start, action=AuditEntry.Action.VIEW, **filters).order_by("id")


def _last_id():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_feedback_detail_page_logs_who_saw_the_sender_once(client, reviewer, feedback):
    client.force_login(reviewer)
    start = _last_id()
    page = client.get(f"/portal/feedback/{feedback.pk}/")
    assert page.status_code == 200 and NAME in page.content.decode()
    entry = _views(start).get()
    assert entry.actor_id == reviewer.pk and entry.actor_name == reviewer.username
    assert entry.model == "portal.feedbacksender" and entry.object_pk == str(feedback.sender.pk)
    assert entry.object_repr == f"sender of feedback #{feedback.pk}"
    assert entry.after == {"fields": ["contact", "name"]}
    assert entry.scope_province_id == feedback.unit.province_id  # auditors of Lào Cai see it
    assert NAME not in str(entry) and CONTACT not in str(entry.after)
    client.get(f"/portal/feedback/{feedback.pk}/")
    assert _views(start).count() == 2  # one per request


def test_anonymous_feedback_logs_nothing(client, reviewer, feedback):
    feedback.sender.delete()
    client.force_login(reviewer)
    start = _last_id()
    assert client.get(f"/portal/feedback/{feedback.pk}/").status_code == 200
    assert not _views(start).exists()


def test_api_logs_each_sender_once_per_request(api, reviewer, feedback):
    call = api(reviewer)
    start = _last_id()
    listed = call("get", "/api/v1/portal/feedback").json()
    assert listed["items"][0]["contact"] == CONTACT and listed["items"][0]["name"] == NAME
    entries = list(_views(start))
    assert len(entries) == 1 and entries[0].actor_id == reviewer.pk and entries[0].source == "api"
    call("get", f"/api/v1/portal/feedback/{feedback.pk}")
    assert _views(start).count() == 2


def test_api_user_list_logs_the_e_mail_addresses_shown(api, users):
    admin = users["admin"]
    call = api(admin)
    start = _last_id()
    body = call("get", "/api/v1/users", {"q": ""}).json()
    with_email = {u["username"] for u in body["items"] if u["email"] and u["username"] != admin.username}
    logged = set(_views(start, model="orgs.user").values_list("object_repr", flat=True))
    assert with_email and logged == with_email
    assert not _views(start, object_pk=str(admin.pk)).exists()  # one's own data is not logged


def test_auditors_of_the_area_read_the_view_entries(client, login, reviewer, feedback):
    client.force_login(reviewer)
    client.get(f"/portal/feedback/{feedback.pk}/")
    page = login("kiemtoan").get("/audit/", {"action": "view"})
    text = page.content.decode()
    assert page.status_code == 200 and "viewed personal data" in text and f"sender of feedback #{feedback.pk}" in text
    assert NAME not in text and CONTACT not in text


def test_admin_change_form_of_a_user_logs_the_view(client, db):
    from ketnoi.orgs.models import User

    boss = User.objects.create_superuser("sieu.quan.tri", password="x" * 12)
    person = User.objects.create_user("co.so.dt", password="x" * 12, phone="0977 000 999")
    client.force_login(boss)
    start = _last_id()
    page = client.get(f"/admin/orgs/user/{person.pk}/change/")
    assert page.status_code == 200 and "0977 000 999" in page.content.decode()
    entry = _views(start).get()
    assert entry.object_repr == "co.so.dt" and entry.after == {"fields": ["phone"]} and entry.actor_id == boss.pk


def test_a_citizens_address_stays_out_of_the_audit_log(client, db):
    start = _last_id()
    data = {
        "message": "Xin hỏi về lịch tiêm chủng ở xã.",
        "name": NAME,
        "contact": CONTACT,
        "commune": "",
        "website": "",
    }
    assert client.post("/p/vi/gop-y/", data, REMOTE_ADDR="203.0.113.77").status_code == 302
    entry = AuditEntry.objects.get(id__gt=start, model="portal.feedback", action="create")
    assert entry.ip_address is None and entry.actor_name == "citizen" and entry.source == "portal"
