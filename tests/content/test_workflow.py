"""Items, the editorial workflow, comments, version history, optimistic locking, scheduled publishing, images."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ketnoi.content import selectors, services
from ketnoi.content.models import ContentImage, ContentItem, ContentVersion, WorkflowEvent
from ketnoi.core.models import AuditEntry

from .conftest import publish

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def test_create_makes_a_sanitised_draft_with_source_variant_segments_version_and_event(item, users):
    assert item.state == "draft" and item.slug == "tin-thu-nghiem" and item.owner_unit is None
    source = selectors.source_variant(item)
    assert source.is_source and source.status == "source" and source.language.bcp47 == "vi"
    assert source.segments.count() == 1 + 1 + 4  # title, summary, two sentences and two list items
    assert ContentVersion.objects.filter(variant=source).count() == 1
    event = WorkflowEvent.objects.get(item=item)
    assert (event.from_state, event.to_state, event.user) == ("", "draft", users["bientap"])
    assert AuditEntry.objects.filter(model="content.contentitem", object_pk=str(item.pk), action="create").exists()
    assert " lao cai " not in source.search_text and " dong bao " in source.search_text


def test_item_kinds_priorities_and_audiences(make_item, users, unit):
    from ketnoi.people.models import EthnicGroup

    hmong = EthnicGroup.objects.get(name_vi="Mông")
    announcement = make_item(
        kind="announcement",
        priority="emergency",
        title="Cảnh báo lũ quét",
        target_languages=["hmn", "vi"],
        target_groups=[hmong.code_1979],
        target_units=[unit("15")],
        source="Đài Khí tượng",
    )
    assert announcement.priority == "emergency"
    assert {lang.bcp47 for lang in announcement.target_languages.all()} == {"hmn", "vi"}
    assert list(announcement.target_groups.all()) == [hmong]
    profile = make_item(kind="group_profile", title="Người Mông", ethnic_group=hmong.code_1979)
    assert profile.ethnic_group == hmong
    with pytest.raises(ValidationError) as exc:
        make_item(kind="news", priority="emergency", title="Tin khác")
    assert "Only announcements" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        make_item(kind="group_profile", title="Hồ sơ không tên")
    assert "names its ethnic group" in str(exc.value)


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"title": "  "}, "title", "A title is required"),
        ({"body": "<p>mở <b>mà không đóng</p>"}, "body", "Invalid HTML"),
        ({"source_language": "xx"}, "language", "Unknown language code 'xx'"),
        ({"kind": "poem"}, "kind", "Unknown kind"),
        ({"topics": ["khong-co"]}, "topics", "Unknown topic"),
    ],
)
def test_bad_input_is_refused_by_name_and_nothing_is_written(make_item, values, field, message):
    before = ContentItem.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_item(**values)
    assert message in " ".join(exc.value.message_dict[field])
    assert ContentItem.objects.count() == before


def test_full_workflow_with_roles(item, users):
    with pytest.raises(PermissionDenied):
        services.item_transition(user=users["bientap"], item=item, action="approve")
    item = services.item_transition(user=users["bientap"], item=item, action="submit")
    with pytest.raises(PermissionDenied):  # the editor cannot appraise
        services.item_transition(user=users["bientap"], item=item, action="appraise")
    with pytest.raises(ValidationError):  # not yet appraised
        services.item_transition(user=users["dieuphoi"], item=item, action="approve")
    item = services.item_transition(user=users["thamdinh"], item=item, action="appraise")
    with pytest.raises(PermissionDenied):  # the editorial board appraises, only the coordinator approves
        services.item_transition(user=users["thamdinh"], item=item, action="approve")
    item = services.item_transition(user=users["dieuphoi"], item=item, action="approve")
    item = services.item_transition(user=users["dieuphoi"], item=item, action="publish")
    assert item.state == "published" and item.published_at is not None
    with pytest.raises(ValidationError) as exc:
        services.item_transition(user=users["dieuphoi"], item=item, action="withdraw")
    assert "reason" in str(exc.value)
    item = services.item_transition(user=users["dieuphoi"], item=item, action="withdraw", comment="Sai số liệu")
    item = services.item_transition(user=users["bientap"], item=item, action="reopen")
    assert item.state == "draft"
    trail = list(WorkflowEvent.objects.filter(item=item).values_list("from_state", "to_state"))
    assert trail == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "appraised"),
        ("appraised", "approved"),
        ("approved", "published"),
        ("published", "withdrawn"),
        ("withdrawn", "draft"),
    ]
    assert WorkflowEvent.objects.get(item=item, to_state="withdrawn").comment == "Sai số liệu"


def test_return_needs_a_reason_and_goes_back_to_draft(item, users):
    services.item_transition(user=users["bientap"], item=item, action="submit")
    with pytest.raises(ValidationError):
        services.item_transition(user=users["thamdinh"], item=item, action="return")
    item = services.item_transition(user=users["thamdinh"], item=item, action="return", comment="Thiếu nguồn")
    assert item.state == "draft"


def test_only_drafts_are_edited(item, users):
    item = services.item_transition(user=users["bientap"], item=item, action="submit")
    with pytest.raises(ValidationError) as exc:
        services.item_update(user=users["bientap"], item=item, version=item.version, title="Khác")
    assert "Only a draft" in str(exc.value)


def test_comments_are_recorded_in_history(item, users):
    services.item_comment(user=users["thamdinh"], item=item, text="Cần thêm ảnh.")
    event = WorkflowEvent.objects.filter(item=item).last()
    assert (event.from_state, event.to_state, event.comment) == ("draft", "draft", "Cần thêm ảnh.")
    with pytest.raises(ValidationError):
        services.item_comment(user=users["thamdinh"], item=item, text="  ")
    with pytest.raises(PermissionDenied):
        services.item_comment(user=users["xa.tavan"], item=item, text="Xin chào")


def test_stale_edit_writes_nothing(item, users):
    start = item.version
    services.item_update(user=users["bientap"], item=item, version=start, title="Bản của người thứ nhất")
    with pytest.raises(services.StaleEdit) as exc:
        services.item_update(user=users["dieuphoi"], item=item, version=start, title="Bản của người thứ hai")
    assert exc.value.yours["title"] == "Bản của người thứ hai"
    assert selectors.source_variant(item).title == "Bản của người thứ nhất"


def test_versions_are_kept_and_diffed(item, login):
    source = selectors.source_variant(item)
    services.item_update(
        user=item.author,
        item=item,
        version=item.version,
        body=source.body.replace("tập huấn", "tập huấn <b>&lt;kỹ&gt;</b>"),
    )
    assert list(source.versions.values_list("number", flat=True)) == [2, 1]
    client = login("bientap")
    page = client.get(f"/content/variants/{source.pk}/history/", {"a": 1, "b": 2}).content.decode()
    assert 'class="diff"' in page and "&lt;kỹ&gt;" in page and "<kỹ>" not in page
    unified = client.get(f"/content/variants/{source.pk}/history/", {"a": 1, "b": 2, "format": "unified"})
    text = unified.content.decode()
    assert "-Chương trình hỗ trợ" in text and "+Chương trình hỗ trợ" in text and "tập huấn &lt;kỹ&gt; viết" in text


def test_scheduled_publishing_job_is_idempotent(item, users):
    from ketnoi.content.tasks import publish_due

    services.item_transition(user=users["bientap"], item=item, action="submit")
    services.item_transition(user=users["thamdinh"], item=item, action="appraise")
    services.item_transition(user=users["dieuphoi"], item=item, action="approve")
    with pytest.raises(ValidationError):
        services.item_transition(
            user=users["dieuphoi"], item=item, action="schedule", publish_at=timezone.now() - dt.timedelta(hours=1)
        )
    at = timezone.now() + dt.timedelta(hours=1)
    item = services.item_transition(user=users["dieuphoi"], item=item, action="schedule", publish_at=at)
    assert item.state == "scheduled"
    assert services.publish_due_items() == []  # not yet
    assert services.publish_due_items(now=at + dt.timedelta(minutes=1)) == [item.pk]
    assert services.publish_due_items(now=at + dt.timedelta(minutes=2)) == []  # twice: published once
    item.refresh_from_db()
    assert item.state == "published"
    events = WorkflowEvent.objects.filter(item=item, to_state="published")
    assert events.count() == 1 and events.get().user == users["dieuphoi"]
    publish_due()  # the periodic job itself runs inline in tests and finds nothing left
    assert WorkflowEvent.objects.filter(item=item, to_state="published").count() == 1


@pytest.mark.parametrize("data, ext", [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_images_checked_by_first_bytes(item, users, data, ext, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = services.image_add(
        user=users["bientap"], item=item, upload=SimpleUploadedFile("x.bin", data), alt_text="Cán bộ xã", caption="Ảnh"
    )
    assert image.file.name.endswith(f".{ext}") and image.alt_text == "Cán bộ xã"


def test_bad_images_are_refused(item, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as exc:
        services.image_add(
            user=users["bientap"], item=item, upload=SimpleUploadedFile("a.png", b"GIF89a..."), alt_text="x"
        )
    assert "not a PNG, JPEG or WebP" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.image_add(user=users["bientap"], item=item, upload=SimpleUploadedFile("a.png", PNG), alt_text=" ")
    assert "alternative text" in str(exc.value)
    big = SimpleUploadedFile("a.png", PNG + b"\x00" * (services.IMAGE_MAX_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        services.image_add(user=users["bientap"], item=item, upload=big, alt_text="x")
    assert "at most 5242880" in str(exc.value)
    assert not ContentImage.objects.filter(item=item).exists()


def test_publish_sets_public_state(item, users):
    publish(item, users)
    assert selectors.public_variant(slug=item.slug, language="vi").item == item
