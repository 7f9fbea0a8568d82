"""Personal data encrypted at rest (Decree 13/2023): tokens in the database, text in Python, keys
that rotate (issue 10.5)."""

import importlib

import pytest
from django.core import checks
from django.core.exceptions import FieldError
from django.db import connection, transaction
from django.test import override_settings

from ketnoi.cli import main
from ketnoi.core import crypto
from ketnoi.core.fields import encrypted_fields
from ketnoi.core.keyrotation import rotate_all
from ketnoi.core.models import AuditEntry
from ketnoi.orgs.models import User
from ketnoi.people.models import Language
from ketnoi.portal import services as portal
from ketnoi.portal.models import FeedbackSender

OLD, NEW = crypto.generate_key(), crypto.generate_key()
PHONE = "0912 345 678"


def _raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _sender(contact="0977 123 456", name="Lò Văn Gửi"):
    feedback = portal.feedback_submit(
        language=Language.objects.get(iso639_3="vie"),
        message="Xin hỏi về lịch tiêm chủng ở xã.",
        name=name,
        contact=contact,
    )
    return feedback.sender


def test_round_trip_and_empty_stays_empty():
    token = crypto.encrypt("Hà Giang")
    assert token.startswith(crypto.TOKEN_PREFIX) and "Hà" not in token
    assert crypto.decrypt(token) == "Hà Giang"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
    assert crypto.decrypt("0912 345 678") == "0912 345 678"  # a row from before encryption


def test_first_key_encrypts_every_key_decrypts():
    with override_settings(KETNOI_FIELD_KEYS=[OLD]):
        token = crypto.encrypt("bí mật")
    with override_settings(KETNOI_FIELD_KEYS=[NEW, OLD]):
        assert crypto.decrypt(token) == "bí mật"
        assert not crypto.is_current(token)
        assert crypto.is_current(crypto.rotate(token))
    with override_settings(KETNOI_FIELD_KEYS=[NEW]), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_warning_without_keys_when_debug_is_off():
    with override_settings(DEBUG=False, TESTING=False, KETNOI_FIELD_KEYS=[]):
        assert [w.id for w in crypto.check_field_keys()] == ["ketnoi.crypto.W001"]
        assert "ketnoi.crypto.W001" in {m.id for m in checks.run_checks()}
    with override_settings(DEBUG=False, TESTING=False, KETNOI_FIELD_KEYS=[OLD]):
        assert crypto.check_field_keys() == []
    with override_settings(DEBUG=True, KETNOI_FIELD_KEYS=[]):
        assert crypto.check_field_keys() == []


def test_the_derived_key_is_logged_once_outside_development(caplog):
    crypto._warn_once.cache_clear()
    with override_settings(DEBUG=False, TESTING=False, KETNOI_FIELD_KEYS=[]), caplog.at_level("WARNING"):
        crypto.decrypt(crypto.encrypt("x"))
        crypto.encrypt("y")
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "KETNOI_FIELD_KEYS is not set" in caplog.records[0].getMessage()


def test_user_phone_and_sender_are_tokens_in_the_database(db):
    user = User.objects.create(username="mat.ma", phone=PHONE)
    stored = _raw("orgs_user", "phone", user.pk)
    assert stored.startswith(crypto.TOKEN_PREFIX) and PHONE not in stored
    assert User.objects.get(pk=user.pk).phone == PHONE
    sender = _sender()
    assert _raw("portal_feedbacksender", "name", sender.pk).startswith(crypto.TOKEN_PREFIX)
    assert _raw("portal_feedbacksender", "contact", sender.pk).startswith(crypto.TOKEN_PREFIX)
    again = FeedbackSender.objects.get(pk=sender.pk)
    assert (again.name, again.contact) == ("Lò Văn Gửi", "0977 123 456")


def test_not_searchable_but_blind_index_finds_the_sender(db):
    sender = _sender(contact="+84 977 123 456")
    with pytest.raises(FieldError):
        list(FeedbackSender.objects.filter(contact="+84 977 123 456"))
    with pytest.raises(FieldError):
        list(User.objects.filter(phone__contains="0912"))
    assert User.objects.filter(phone="").exists()  # "has no phone" stays a plain filter
    found = FeedbackSender.objects.filter(contact_index=crypto.blind_index("0977.123.456"))
    assert list(found) == [sender]


def test_encrypted_fields_are_registered():
    names = {f"{f.model._meta.label_lower}.{f.name}" for f in encrypted_fields()}
    assert {"orgs.user.phone", "portal.feedbacksender.name", "portal.feedbacksender.contact"} <= names


def test_rotate_keys_re_encrypts_in_batches_and_is_idempotent(db, capsys):
    with override_settings(KETNOI_FIELD_KEYS=[OLD]):
        users = [User.objects.create(username=f"xoay.{i}", phone=f"09120000{i:02d}") for i in range(7)]
        sender = _sender()
        old_tokens = [_raw("orgs_user", "phone", u.pk) for u in users]
    with override_settings(KETNOI_FIELD_KEYS=[NEW, OLD]):
        start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        results = {r.field: r for r in rotate_all(batch_size=3)}
        assert results["orgs.user.phone"].rotated >= 7
        assert results["portal.feedbacksender.contact"].rotated == 1
        tokens = [_raw("orgs_user", "phone", u.pk) for u in users]
        assert all(t != o for t, o in zip(tokens, old_tokens, strict=True))
        entries = AuditEntry.objects.filter(id__gt=start, action="update", model="orgs.user")
        assert entries.count() == 1 and PHONE not in str(entries[0].after)
        # A second run changes nothing.
        assert main(["rotate-keys", "--batch-size", "2"]) == 0
        out = capsys.readouterr().out
        assert "orgs.user.phone" in out and "re-encrypted 0" in out
        assert [_raw("orgs_user", "phone", u.pk) for u in users] == tokens
    with override_settings(KETNOI_FIELD_KEYS=[NEW]):  # the old key can go now
        assert [User.objects.get(pk=u.pk).phone for u in users] == [f"09120000{i:02d}" for i in range(7)]
        assert FeedbackSender.objects.get(pk=sender.pk).contact == "0977 123 456"


def test_rotate_keys_encrypts_a_value_left_in_clear_and_fixes_its_index(db):
    sender = _sender()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portal_feedbacksender SET contact = %s, contact_index = '' WHERE id = %s",
            ["0966 000 111", sender.pk],
        )
    rotate_all()
    assert _raw("portal_feedbacksender", "contact", sender.pk).startswith(crypto.TOKEN_PREFIX)
    assert FeedbackSender.objects.filter(contact_index=crypto.blind_index("0966000111")).get() == sender


def test_rotate_keys_refuses_a_malformed_key(db, capsys):
    with override_settings(KETNOI_FIELD_KEYS=["not-a-key"]):
        assert main(["rotate-keys"]) == 1
    assert "error" in capsys.readouterr().err


def test_generate_prints_a_fernet_key(capsys):
    assert main(["rotate-keys", "--generate"]) == 0
    key = capsys.readouterr().out.strip()
    crypto.Fernet(key.encode())


@pytest.mark.parametrize(
    ("module", "table", "column"),
    [
        ("ketnoi.orgs.migrations.0005_encrypt_user_phone", "orgs_user", "phone"),
        ("ketnoi.portal.migrations.0002_encrypt_feedback_sender", "portal_feedbacksender", "contact"),
    ],
)
def test_data_migration_encrypts_rows_in_clear_and_reverses(db, module, table, column):
    migration = importlib.import_module(module)
    pk = User.objects.create(username="cu", phone="").pk if table == "orgs_user" else _sender().pk
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["0911 222 333", pk])

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    with transaction.atomic():
        migration.encrypt(None, editor)
        migration.encrypt(None, editor)  # twice: nothing encrypted twice
    assert crypto.decrypt(_raw(table, column, pk)) == "0911 222 333"
    migration.decrypt(None, editor)
    assert _raw(table, column, pk) == "0911 222 333"
