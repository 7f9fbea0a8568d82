"""The data subjects' requests page: country system administrators export or erase a person."""

import json

import pytest

from ketnoi.core.models import AuditEntry
from ketnoi.orgs.models import User
from ketnoi.orgs.services import role_grant

from .conftest import CONTACT, NAME

URL = "/privacy/subjects/"


@pytest.mark.parametrize("username", ["xa.tavan", "tinh.laocai", "kiemtoan"])
def test_only_country_administrators(login, username, feedback):
    client = login(username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "contact", "identifier": CONTACT, "action": "export"}).status_code == 403


def test_a_provincial_system_administrator_is_refused(client, unit, feedback):
    admin = User.objects.create_user("qtv.laocai", password="x" * 12)
    role_grant(user=admin, role="system_admin", unit=unit("15"))
    client.force_login(admin)
    assert client.get(URL).status_code == 403


def test_export_downloads_json_and_is_audited(login, feedback):
    client = login("admin")
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"kind": "contact", "identifier": CONTACT, "action": "export"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content)["feedback"][0]["name"] == NAME
    assert AuditEntry.objects.filter(action="subject_export", actor_name="admin").exists()


def test_erase_asks_for_a_confirmation_first(login, feedback):
    client = login("admin")
    ask = client.post(URL, {"kind": "contact", "identifier": CONTACT, "action": "erase"})
    assert ask.status_code == 200 and 'name="confirm"' in ask.content.decode()
    assert feedback.__class__.objects.get(pk=feedback.pk).sender.name == NAME  # nothing erased yet
    done = client.post(URL, {"kind": "contact", "identifier": CONTACT, "action": "erase", "confirm": "1"})
    assert done.status_code == 302
    assert not type(feedback.sender).objects.filter(feedback=feedback).exists()
    assert AuditEntry.objects.filter(action="subject_erase", actor_name="admin").exists()


def test_unknown_user_is_a_form_error(login):
    response = login("admin").post(URL, {"kind": "user", "identifier": "khong.co", "action": "export"})
    assert response.status_code == 422 and "khong.co" in response.content.decode()


def test_the_users_page_links_to_it_for_country_administrators_only(login):
    assert URL in login("admin").get("/users/").content.decode()
    assert URL not in login("tinh.laocai").get("/users/").content.decode()
