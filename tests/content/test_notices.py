"""The editorial and translation workflow tells the next person, once, in their language (issue 7.4)."""

import pytest
from django.core.exceptions import ValidationError

from ketnoi.content import services
from ketnoi.notifications.models import Notification

from .test_translation import THAI


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_submission_appraisal_return_and_approval_reach_the_next_step(item, users):
    author, appraiser, approver = users["bientap"], users["thamdinh"], users["dieuphoi"]
    services.item_transition(user=author, item=item, action="submit")
    assert "content_submitted" in _kinds(appraiser) and _kinds(author) == []
    note = Notification.objects.get(recipient=appraiser, kind="content_submitted")
    assert "Tin thử nghiệm" in note.subject and note.link == f"/content/{item.pk}/"

    services.item_transition(user=appraiser, item=item, action="appraise")
    assert "content_appraised" in _kinds(approver)
    services.item_transition(user=approver, item=item, action="return", comment="Thiếu nguồn tin")
    returned = Notification.objects.get(recipient=author, kind="content_returned")
    assert "Thiếu nguồn tin" in returned.body

    for user, action in ((author, "submit"), (appraiser, "appraise"), (approver, "approve")):
        services.item_transition(user=user, item=item, action=action)
    assert _kinds(author) == ["content_returned", "content_approved"]
    assert _kinds(appraiser).count("content_submitted") == 2  # once per submission, not per page view


def test_a_refused_step_tells_nobody(item, users):
    services.item_transition(user=users["bientap"], item=item, action="submit")
    before = Notification.objects.count()
    with pytest.raises(ValidationError):  # a return needs a reason
        services.item_transition(user=users["thamdinh"], item=item, action="return", comment="")
    assert Notification.objects.count() == before and not Notification.objects.filter(kind="content_returned")


def test_translators_and_reviewers_hear_of_assignment_completion_and_decision(item, users):
    translator, reviewer, editor = users["dichthuat"], users["thamdinh"], users["bientap"]
    translator.preferred_language = "vi"
    translator.save(update_fields=["preferred_language"])
    thai = services.variant_add(user=editor, item=item, language="th")
    services.job_assign(user=editor, variant=thai, translator=translator, reviewer=reviewer)
    assigned = Notification.objects.get(recipient=translator, kind="translation_assigned")
    assert "Tiếng Thái" in assigned.subject and "Tin thử nghiệm" in assigned.subject  # in the reader's language
    assert Notification.objects.filter(recipient=reviewer, kind="translation_assigned").count() == 1
    services.job_assign(user=editor, variant=thai, translator=translator, reviewer=reviewer)  # nobody new
    assert Notification.objects.filter(kind="translation_assigned").count() == 2

    units = list(thai.units.select_related("segment"))
    for unit in units[:-1]:
        services.unit_save(user=translator, unit=unit, text=THAI[unit.segment.text])
    assert "translation_submitted" not in _kinds(reviewer)  # not every segment is done yet
    services.unit_save(user=translator, unit=units[-1], text=THAI[units[-1].segment.text])
    assert _kinds(reviewer).count("translation_submitted") == 1

    services.variant_approve(user=reviewer, variant=thai)
    assert "translation_approved" in _kinds(translator)
    services.variant_reopen(user=reviewer, variant=thai, comment="Kiểm tra lại tên riêng")
    reopened = Notification.objects.get(recipient=translator, kind="translation_returned")
    assert "Kiểm tra lại tên riêng" in reopened.body
