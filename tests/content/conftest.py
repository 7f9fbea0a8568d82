"""Fixtures of the content tests: items written through the services, a small termbase, extra users."""

from __future__ import annotations

import pytest

BODY = (
    "<p>Chương trình hỗ trợ đồng bào vùng cao tiếp cận thông tin. Cán bộ xã được tập huấn viết tin ngắn.</p>"
    "<ul><li>Loa truyền thanh được sửa chữa.</li><li>Bản tin phát hai lần mỗi ngày.</li></ul>"
)


@pytest.fixture
def make_item(users):
    from ketnoi.content import services

    def _make(author="bientap", owner=None, **values):
        defaults = {"kind": "news", "title": "Tin thử nghiệm", "summary": "Một bản tin ngắn.", "body": BODY}
        defaults.update(values)
        return services.item_create(user=users[author], owner_unit=owner, **defaults)

    return _make


@pytest.fixture
def item(make_item):
    return make_item()


@pytest.fixture
def laocai(unit):
    return unit("15")


@pytest.fixture
def laocai_item(make_item, laocai):
    return make_item(author="bientap.laocai", owner=laocai, title="Tin của Lào Cai", summary="Bản tin Lào Cai.")


@pytest.fixture
def tq_staff(db, unit):
    """An editor, a translator and a reviewer of Tuyên Quang (08): the intruders for Lào Cai's items."""
    from ketnoi.orgs.models import User
    from ketnoi.orgs.services import role_grant

    staff = {}
    for username, role in (("bientap.tq", "editor"), ("dichthuat.tq", "translator"), ("thamdinh.tq", "reviewer")):
        user = User.objects.create_user(username, password="x" * 12)
        role_grant(user=user, role=role, unit=unit("08"))
        staff[username] = user
    return staff


@pytest.fixture
def termbase(db):
    """ "đồng bào" → Thai "พี่น้อง" (preferred); "ชาวเขา" is forbidden."""
    from ketnoi.people.models import Language
    from ketnoi.translation.services import termbase_write

    vi, th = Language.objects.get(bcp47="vi"), Language.objects.get(bcp47="th")
    termbase_write(
        [
            {
                "code": "dong-bao",
                "domain": "ethnic affairs",
                "terms": [
                    {"language": vi, "text": "đồng bào", "status": "preferred"},
                    {"language": th, "text": "พี่น้อง", "status": "preferred"},
                    {"language": th, "text": "ชาวเขา", "status": "forbidden"},
                ],
            }
        ]
    )


def publish(item, users):
    """Take an item from draft to published through the workflow."""
    from ketnoi.content import services

    item = services.item_transition(user=users["bientap"], item=item, action="submit")
    item = services.item_transition(user=users["thamdinh"], item=item, action="appraise")
    item = services.item_transition(user=users["dieuphoi"], item=item, action="approve")
    return services.item_transition(user=users["dieuphoi"], item=item, action="publish")
