"""Data subjects' requests (Decree 13/2023; issue 10.5): export everything held about a person, and
erase it while the statistics keep counting."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnoi.cli import main
from ketnoi.core.models import AuditEntry
from ketnoi.orgs.models import RoleGrant, User
from ketnoi.orgs.services import role_grant, token_create
from ketnoi.portal.models import Feedback, FeedbackSender
from ketnoi.portal.services import ERASED_MESSAGE
from ketnoi.subjects import subject_erase, subject_export

from .conftest import CONTACT, NAME


def _last_id():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def person(db, unit):
    user = User.objects.create_user(
        "nguoi.dung", password="x" * 12, full_name="Hoàng Thị Riêng", email="rieng@example.vn", phone="0988 111 222"
    )
    role_grant(user=user, role="commune_officer", unit=unit("15"))
    token_create(user=user, name="tích hợp")
    return user


def test_export_a_user(users, person):
    start = _last_id()
    data = subject_export(actor=users["admin"], kind="user", identifier="nguoi.dung")
    assert data["account"]["full_name"] == "Hoàng Thị Riêng" and data["account"]["phone"] == "0988 111 222"
    assert data["roles"][0]["role"] == "commune_officer" and data["api_tokens"][0]["name"] == "tích hợp"
    json.dumps(data)  # plain JSON
    entry = AuditEntry.objects.get(id__gt=start, action="subject_export")
    assert entry.actor == users["admin"] and entry.object_pk == str(person.pk)
    assert "Hoàng" not in str(entry) and "0988" not in json.dumps(entry.after)


def test_export_a_feedback_sender_by_any_spelling_of_the_phone(users, feedback):
    data = subject_export(actor=users["admin"], kind="contact", identifier="+84 912.345.678")
    assert [row["reference"] for row in data["feedback"]] == [feedback.reference]
    assert data["feedback"][0]["name"] == NAME and data["feedback"][0]["contact"] == CONTACT
    assert subject_export(actor=users["admin"], kind="contact", identifier="0900 000 000")["feedback"] == []


def test_only_country_administrators(users, person, unit):
    with pytest.raises(PermissionDenied):
        subject_export(actor=users["xa.tavan"], kind="user", identifier="nguoi.dung")
    local_admin = User.objects.create_user("qtv.tinh", password="x" * 12)
    role_grant(user=local_admin, role="system_admin", unit=unit("15"))
    with pytest.raises(PermissionDenied):
        subject_erase(actor=local_admin, kind="user", identifier="nguoi.dung")
    with pytest.raises(ValidationError):
        subject_export(actor=users["admin"], kind="user", identifier="khong.co")


def test_erase_a_user_keeps_the_row_and_closes_the_account(users, person):
    start = _last_id()
    result = subject_erase(actor=users["admin"], kind="user", identifier="nguoi.dung")
    person.refresh_from_db()
    assert (person.full_name, person.email, person.phone, person.username) == ("", "", "", f"erased-{person.pk}")
    assert not person.is_active and not person.has_usable_password()
    assert not person.api_tokens.filter(revoked=False).exists() and result["tokens_revoked"] == 1
    assert RoleGrant.objects.filter(user=person).exclude(valid_to=None).count() == 1
    entry = AuditEntry.objects.get(id__gt=start, action="subject_erase")
    assert entry.object_repr == f"erased-{person.pk}"  # the neutral label of the account as it is now
    assert "Hoàng" not in "".join(str(e.after) + str(e.before) for e in AuditEntry.objects.filter(id__gt=start))
    # Idempotent: a second request finds the erased account and changes nothing more.
    subject_erase(actor=users["admin"], kind="user", identifier=f"erased-{person.pk}")
    with pytest.raises(ValidationError):
        subject_erase(actor=users["admin"], kind="user", identifier="admin")  # not oneself


def test_erase_a_sender_keeps_the_feedback_for_the_statistics(users, feedback):
    subject_erase(actor=users["admin"], kind="contact", identifier=CONTACT)
    feedback.refresh_from_db()
    assert not FeedbackSender.objects.filter(feedback=feedback).exists()
    assert feedback.message == ERASED_MESSAGE and feedback.state == "received" and feedback.unit.code == "03037"
    assert Feedback.objects.filter(pk=feedback.pk).exists()
    assert subject_export(actor=users["admin"], kind="contact", identifier=CONTACT)["feedback"] == []


def test_console_export_and_erase(person, feedback, tmp_path, capsys):
    out = tmp_path / "xuat.json"
    assert main(["subject", "export", "--user", "nguoi.dung", "--output", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["account"]["email"] == "rieng@example.vn"
    assert out.stat().st_mode & 0o777 == 0o600
    assert main(["subject", "export", "--contact", CONTACT]) == 0
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["feedback"][0]["name"] == NAME
    assert main(["subject", "erase", "--contact", CONTACT]) == 2  # asks for --yes
    assert main(["subject", "erase", "--contact", CONTACT, "--yes"]) == 0
    assert json.loads(capsys.readouterr().out)["feedback_erased"] == 1
    assert main(["subject", "erase", "--user", "khong.co", "--yes"]) == 1


def test_an_erased_question_leaves_the_public_answers(users, feedback, client):
    from ketnoi.portal.services import feedback_answer

    feedback_answer(user=users["admin"], feedback=feedback, answer="Hộ nghèo nộp đơn tại xã.")
    assert "Hộ nghèo nộp đơn" in client.get("/p/vi/hoi-dap/").content.decode()
    subject_erase(actor=users["admin"], kind="contact", identifier=CONTACT)
    page = client.get("/p/vi/hoi-dap/").content.decode()
    assert "Hộ nghèo nộp đơn" not in page and ERASED_MESSAGE not in page
    assert Feedback.objects.filter(pk=feedback.pk, state="published").exists()  # still counted
