"""Hooks on the programmes module's reports, so it need not know about notifications.

The programmes services write ``ProgressReport`` and ``ReportSignoff`` rows; these receivers
recognise the transitions that matter and enqueue a job after the transaction commits:

- a report whose state becomes *submitted* from draft or returned (or is created submitted)
  → ``report_submitted`` to its approvers (withdrawing an approval also sets *submitted*, but
  that is told through its sign-off instead);
- every new sign-off (approve, return, unapprove) → ``report_decided`` to its writers.

Nothing is sent if the transaction rolls back. The jobs are idempotent (event keys), so a
duplicate signal or a retried job cannot notify twice.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from ketnoi.core.jobs import enqueue_on_commit
from ketnoi.programmes.models import ProgressReport, ReportSignoff

from . import tasks

_SUBMITTABLE_FROM = {None, ProgressReport.State.DRAFT, ProgressReport.State.RETURNED}


@receiver(pre_save, sender=ProgressReport, dispatch_uid="notifications.report_state_before")
def _remember_state(sender, instance, raw=False, **kwargs):
    if raw:
        return
    previous = None
    if instance.pk is not None:
        previous = sender._default_manager.filter(pk=instance.pk).values_list("state", flat=True).first()
    instance._notifications_state_before = previous


@receiver(post_save, sender=ProgressReport, dispatch_uid="notifications.report_submitted")
def _report_saved(sender, instance, created, raw=False, **kwargs):
    if raw or instance.state != ProgressReport.State.SUBMITTED:
        return
    before = None if created else getattr(instance, "_notifications_state_before", ProgressReport.State.SUBMITTED)
    if before in _SUBMITTABLE_FROM:
        enqueue_on_commit(tasks.report_submitted, instance.pk, instance.version)


@receiver(post_save, sender=ReportSignoff, dispatch_uid="notifications.report_decided")
def _signoff_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    enqueue_on_commit(tasks.report_decided, instance.pk)
