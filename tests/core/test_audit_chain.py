"""The audit log is tamper-evident (issue 10.7): a keyed hash chain over its entries, sealed by a
job, and `ketnoi audit verify`, which names the first broken link."""

import pytest
from django.db import connection

from ketnoi.core.audit import acting_as
from ketnoi.core.audit_chain import GENESIS, seal_pending, verify
from ketnoi.core.models import AuditEntry, AuditSeal


def _audited_writes(users, n=3):
    from ketnoi.programmes.models import Task
    from ketnoi.programmes.services import task_comment_add

    task = Task.objects.filter(programme__code__isnull=False).first()
    with acting_as(users["dieuphoi"], source="web"):
        return [task_comment_add(user=users["dieuphoi"], task=task, body=f"Ý kiến số {i}") for i in range(n)]


def _entry_of(comment) -> AuditEntry:
    return AuditEntry.objects.get(model="programmes.taskcomment", object_pk=str(comment.pk), action="create")


def _bypass_triggers(sql: str, params=()):
    """What someone with database rights could do: switch the append-only triggers off for one change."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_auditseal DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_auditseal ENABLE TRIGGER USER")
        else:
            for table in ("auditentry", "auditseal"):
                for what in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS core_{table}_no_{what}")
            cursor.execute(sql, params)  # the test's transaction rolls the dropped triggers back


def test_every_entry_is_sealed_once_and_the_chain_verifies(users):
    _audited_writes(users)
    sealed = seal_pending()
    assert sealed == AuditEntry.objects.count() > 0
    assert seal_pending() == 0  # nothing twice
    first = AuditSeal.objects.order_by("seq").first()
    assert first.seq == 1 and first.prev_hash == GENESIS
    result = verify()
    assert result.ok and result.checked == sealed and result.unsealed == 0 and result.head_seq == sealed
    _audited_writes(users, 1)
    assert verify().unsealed == 1 and seal_pending() == 1 and verify().ok


def test_a_changed_entry_is_named(users):
    comments = _audited_writes(users)
    seal_pending()
    target = _entry_of(comments[1])
    _bypass_triggers("UPDATE core_auditentry SET actor_name = %s WHERE id = %s", ["someone else", target.pk])
    result = verify()
    assert not result.ok and result.broken_entry == target.pk and "changed" in result.problem
    assert result.broken_seq == AuditSeal.objects.get(entry_id=target.pk).seq
    assert result.checked == result.broken_seq - 1


def test_a_removed_entry_and_a_relinked_chain_are_named(users):
    comments = _audited_writes(users)
    seal_pending()
    gone = _entry_of(comments[0])
    _bypass_triggers("DELETE FROM core_auditentry WHERE id = %s", [gone.pk])
    result = verify()
    assert not result.ok and result.broken_entry == gone.pk and "removed" in result.problem


def test_a_removed_link_breaks_the_sequence(users):
    comments = _audited_writes(users)
    seal_pending()
    seal = AuditSeal.objects.get(entry_id=_entry_of(comments[2]).pk)
    _bypass_triggers("DELETE FROM core_auditseal WHERE seq = %s", [seal.seq - 1])
    result = verify()
    assert not result.ok and result.broken_seq == seal.seq and "missing" in result.problem


def test_seals_cannot_be_changed_through_the_orm_or_sql(users):
    _audited_writes(users, 1)
    seal_pending()
    seal = AuditSeal.objects.order_by("-seq").first()
    seal.hash = "f" * 64
    with pytest.raises(PermissionError):
        seal.save()
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).update(hash="f" * 64)


def test_the_cli_reports_the_head_or_the_broken_link(users, capsys):
    from ketnoi.cli import cmd_audit

    class Args:
        audit_command, json, no_seal = "verify", False, False

    comments = _audited_writes(users)
    assert cmd_audit(Args()) == 0
    assert "audit chain intact" in capsys.readouterr().out
    target = _entry_of(comments[0])
    _bypass_triggers("UPDATE core_auditentry SET after = NULL WHERE id = %s", [target.pk])
    assert cmd_audit(Args()) == 1
    assert f"audit entry {target.pk}" in capsys.readouterr().err
