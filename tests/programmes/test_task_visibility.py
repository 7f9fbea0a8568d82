"""A corrective task quotes its inspection finding: it is read where the inspected commune lies, not
in other provinces (issue 11.2). Lào Cai inspects Xã Tả Van (03037); Tuyên Quang's officers must not
learn the finding through the task pages, exports, the API, reminders, content links or requests."""

import datetime as dt
import io

import openpyxl
import pytest

from ketnoi.orgs.models import Agency
from ketnoi.orgs.services import token_create
from ketnoi.programmes.models import Task
from ketnoi.programmes.selectors import task_visible_to, tasks_visible_to

YEAR = 2026
FINDING_TEXT = "Cụm loa thôn Lao Chải hỏng từ tháng 8, chưa sửa (kiểm thử 11.2)"
OUTSIDERS = ["tinh.tuyenquang", "xa.dongvan"]  # province B and a commune of it
READERS = ["tinh.laocai", "xa.tavan", "dieuphoi", "admin"]  # province A, the commune, central


def _corrective_task(users, programme, *, lead_agency=None, due=dt.date(YEAR, 12, 31), today=dt.date(YEAR, 11, 21)):
    from ketnoi.inspections import services

    officer = users["tinh.laocai"]
    plan = services.plan_create(
        user=officer,
        programme=programme,
        year=YEAR,
        title="Kiểm tra thông tin cơ sở tỉnh Lào Cai (kiểm thử 11.2)",
        lead_agency=officer.agency,
        units=["15"],
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
    )
    visit = services.visit_create(user=officer, plan=plan, unit="03037", date=dt.date(YEAR, 11, 20))
    finding = services.finding_create(user=officer, visit=visit, severity="high", description=FINDING_TEXT)
    return services.finding_create_corrective_task(
        user=officer, finding=finding, due_date=due, today=today, lead_agency=lead_agency
    )


@pytest.fixture
def corrective(users, programme):
    return _corrective_task(users, programme)


@pytest.fixture
def bearer(users):
    return lambda name: {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=users[name], name='t')[1]}"}


def test_the_selector_follows_the_inspected_unit(users, programme, corrective):
    assert FINDING_TEXT in corrective.title_vi
    ordinary = Task.objects.get(programme=programme, code="1.3")  # the shared plan, assigned in Lào Cai
    for name in OUTSIDERS:
        visible = tasks_visible_to(users[name], programme.tasks.all())
        assert corrective not in visible and ordinary in visible, name
        assert not task_visible_to(users[name], corrective)
    for name in READERS:
        assert corrective in tasks_visible_to(users[name], programme.tasks.all()), name
        assert task_visible_to(users[name], corrective)


def _xlsx_cells(response) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def test_pages_and_exports_follow_the_inspected_unit(login, users, programme, corrective):
    for outsider in OUTSIDERS:
        client = login(outsider)
        assert client.get(f"/tasks/{corrective.pk}/").status_code == 404, outsider
        comment = client.post(f"/tasks/{corrective.pk}/", {"action": "comment", "body": "Tôi đọc được."})
        assert comment.status_code == 404 and not corrective.comments.exists()
        listing = client.get(f"/programmes/{programme.code}/tasks/").content.decode()
        assert FINDING_TEXT not in listing and corrective.code not in listing
        assert "1.3" in listing  # the ordinary plan is still shared
        for path in (f"/programmes/{programme.code}/", f"/programmes/{programme.code}/timeline/", "/my-work/"):
            assert FINDING_TEXT not in client.get(path).content.decode(), path
        csv_text = client.get(f"/programmes/{programme.code}/tasks/?format=csv").content.decode("utf-8-sig")
        assert FINDING_TEXT not in csv_text and corrective.code not in csv_text
        visible = tasks_visible_to(users[outsider], programme.tasks.all()).count()
        assert len(csv_text.strip().splitlines()) == visible + 1 and visible < programme.tasks.count()
        cells = _xlsx_cells(client.get(f"/programmes/{programme.code}/tasks/?format=xlsx"))
        assert corrective.code not in cells and not any(FINDING_TEXT in c for c in cells)
    for reader in ("tinh.laocai", "xa.tavan", "dieuphoi"):
        client = login(reader)
        assert FINDING_TEXT in client.get(f"/tasks/{corrective.pk}/").content.decode(), reader
        assert FINDING_TEXT in client.get(f"/programmes/{programme.code}/tasks/").content.decode()
        csv_text = client.get(f"/programmes/{programme.code}/tasks/?format=csv").content.decode("utf-8-sig")
        assert corrective.code in csv_text and FINDING_TEXT in csv_text
        assert corrective.code in _xlsx_cells(client.get(f"/programmes/{programme.code}/tasks/?format=xlsx"))


def test_api_follows_the_inspected_unit(client, bearer, programme, corrective):
    for outsider in OUTSIDERS:
        auth = bearer(outsider)
        for path in (f"/api/v1/tasks/{corrective.pk}", f"/api/v1/tasks/{corrective.pk}/assignments"):
            assert client.get(path, **auth).status_code == 404, (outsider, path)
        comment = client.post(
            f"/api/v1/tasks/{corrective.pk}/comments", {"body": "x"}, content_type="application/json", **auth
        )
        assert comment.status_code == 404 and not corrective.comments.exists()
        listed = client.get(f"/api/v1/programmes/{programme.code}/tasks", {"page_size": 100}, **auth).json()
        codes = [item["code"] for item in listed["items"]]
        assert corrective.code not in codes and "1.3" in codes
        assert FINDING_TEXT not in str(listed)
    for reader in ("tinh.laocai", "xa.tavan", "dieuphoi"):
        auth = bearer(reader)
        detail = client.get(f"/api/v1/tasks/{corrective.pk}", **auth)
        assert detail.status_code == 200 and detail.json()["title_vi"] == corrective.title_vi, reader
        listed = client.get(f"/api/v1/programmes/{programme.code}/tasks", {"page_size": 100}, **auth).json()
        assert corrective.code in [item["code"] for item in listed["items"]]


def test_api_does_not_name_a_hidden_prerequisite(client, bearer, programme, corrective):
    ordinary = Task.objects.get(programme=programme, code="1.3")
    ordinary.depends_on.add(corrective)
    outsider = client.get(f"/api/v1/tasks/{ordinary.pk}", **bearer("tinh.tuyenquang")).json()
    assert corrective.code not in outsider["depends_on"]
    central = client.get(f"/api/v1/tasks/{ordinary.pk}", **bearer("dieuphoi")).json()
    assert corrective.code in central["depends_on"]


def test_reminders_go_only_to_people_who_may_read_the_task(users, programme):
    from ketnoi.notifications.models import Notification
    from ketnoi.notifications.services import task_reminders_send

    # Led by Tuyên Quang's department: its officer still may not read a finding about Lào Cai.
    task = _corrective_task(users, programme, lead_agency=Agency.objects.get(code="SDTTG-08"))
    task_reminders_send(today=task.due_date - dt.timedelta(days=2))
    told = set(
        Notification.objects.filter(event__event_key__contains=f":{task.pk}:").values_list(
            "recipient__username", flat=True
        )
    )
    assert "tinh.tuyenquang" not in told
    assert {"xa.tavan", "tinh.laocai"} <= told  # the officers of the inspected commune's assignment


def test_content_cannot_link_or_list_another_provinces_corrective_task(users, programme, corrective):
    from ketnoi.content.forms import ItemForm

    outside = ItemForm(user=users["tinh.tuyenquang"]).fields["related_tasks"].queryset
    assert corrective not in outside and Task.objects.get(programme=programme, code="1.3") in outside
    assert corrective in ItemForm(user=users["bientap.laocai"]).fields["related_tasks"].queryset


def test_content_api_refuses_an_unreadable_task_id(client, users, bearer):
    from ketnoi.orgs.models import RoleGrant

    province = Agency.objects.get(code="SDTTG-08").unit
    RoleGrant.objects.create(user=users["tinh.tuyenquang"], role="editor", scope_level="province", unit=province)
    corrective = _corrective_task(users, Task.objects.get(code="1.3").programme)
    response = client.post(
        "/api/v1/content/items",
        {"kind": "news", "title": "Bài thử", "owner_unit": "08", "related_tasks": [corrective.pk]},
        content_type="application/json",
        **bearer("tinh.tuyenquang"),
    )
    assert response.status_code == 422 and "related_tasks" in response.content.decode()


def test_a_request_cannot_quote_another_provinces_corrective_task(client, login, bearer, programme, corrective):
    payload = {
        "number_symbol": "77/SDTTG-TT",
        "subject": "Đề nghị phối hợp",
        "body": "Nội dung",
        "due_date": "2030-06-30",
        "recipients": ["SDTTG-15"],
        "programme": programme.code,
        "task": corrective.code,
    }
    response = client.post(
        "/api/v1/exchange/requests", payload, content_type="application/json", **bearer("tinh.tuyenquang")
    )
    assert response.status_code == 422 and "task" in response.content.decode()
    page = login("tinh.tuyenquang").post(
        "/exchange/new/",
        {**payload, "task_code": corrective.code, "recipients": "SDTTG-15", "programme": programme.pk},
    )
    assert page.status_code in (200, 422) and FINDING_TEXT not in page.content.decode()


def test_a_request_names_a_corrective_task_only_by_code_to_those_who_may_not_read_it(users, login, corrective):
    from ketnoi.exchange.services import request_create

    sent = request_create(
        user=users["dieuphoi"],
        number_symbol="78/BDTTG-TT",
        subject="Đề nghị phối hợp khắc phục",
        body="Đề nghị Sở phối hợp.",
        due_date=dt.date(2030, 6, 30),
        recipients=["SDTTG-08", "SDTTG-15"],
        programme=corrective.programme,
        task=corrective,
    )
    outside = login("tinh.tuyenquang").get(f"/exchange/{sent.pk}/").content.decode()
    assert corrective.code in outside and FINDING_TEXT not in outside
    inside = login("tinh.laocai").get(f"/exchange/{sent.pk}/").content.decode()
    assert FINDING_TEXT in inside


def test_comments_and_files_go_only_on_a_task_the_user_can_read(users, corrective):
    """The service refuses, not only the page: an API or a future view cannot write on a hidden task."""
    from django.core.exceptions import PermissionDenied
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ketnoi.programmes import services

    for name in OUTSIDERS:
        with pytest.raises(PermissionDenied):
            services.task_comment_add(user=users[name], task=corrective, body="Tôi đã đọc phát hiện")
        with pytest.raises(PermissionDenied):
            services.task_attachment_add(
                user=users[name], task=corrective, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
            )
    assert not corrective.comments.exists() and not corrective.attachments.exists()
    comment = services.task_comment_add(user=users["xa.tavan"], task=corrective, body="Đã sửa cụm loa")
    assert comment.task == corrective
