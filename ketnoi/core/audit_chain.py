"""A tamper-evident audit log (issue 10.7): a keyed hash chain over the audit entries.

The triggers already refuse UPDATE and DELETE on the log; the chain shows whether someone with
the rights to bypass them (dropping a trigger, editing the database file) changed, removed or
reordered entries. Each entry gets one ``AuditSeal``: ``hash = HMAC(key, prev_hash + entry)``
over the entry as stored, where ``key`` is ``AUDIT_CHAIN_KEY`` (by default derived from
SECRET_KEY): a copy of the database alone is not enough to forge a consistent chain.

Sealing is a job (``core.seal_audit_log``, every minute, and ``ketnoi audit seal``), not part of
every write, so audited writes never wait for each other on a chain lock. Sealers take a lock
(PostgreSQL advisory lock; on SQLite the write transaction itself serialises), so two sealers
never write the same sequence number. Entries are sealed in id order as they become visible;
one that commits late is sealed in the next round, after the ones sealed before it.

``verify()`` recomputes the chain and names the first broken link. Write down the head it
reports (sequence number and hash) outside the database, e.g. in the monthly report: a chain
cut off at the end is only visible against such an anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from .models import AuditEntry, AuditSeal

GENESIS = "0" * 64
BATCH = 2000
_LOCK_ID = 0x6B65746E6F69  # "ketnoi": PostgreSQL advisory lock of the sealers


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(f"ketnoi-audit-chain:{settings.SECRET_KEY}".encode()).digest()


def canonical(entry: AuditEntry) -> bytes:
    """The entry's stored content, in one stable form on SQLite and PostgreSQL."""
    fields = {
        "id": entry.pk,
        "at": entry.at.isoformat(timespec="microseconds") if entry.at else None,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "model": entry.model,
        "object_pk": entry.object_pk,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "scope_province_id": entry.scope_province_id,
        "scope_commune_id": entry.scope_commune_id,
        "ip_address": entry.ip_address,
        "source": entry.source,
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def link_hash(prev_hash: str, entry: AuditEntry, key: bytes | None = None) -> str:
    return hmac.new(key or _key(), prev_hash.encode() + b"\n" + canonical(entry), hashlib.sha256).hexdigest()


def seal_pending(*, limit: int | None = None) -> int:
    """Seal the entries not sealed yet, in id order; returns how many. Safe to run concurrently."""
    key, sealed = _key(), 0
    while limit is None or sealed < limit:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
            head = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first()
            seq, prev = head if head else (0, GENESIS)
            size = BATCH if limit is None else min(BATCH, limit - sealed)
            pending = list(AuditEntry.objects.filter(seal__isnull=True).order_by("id")[:size])
            if not pending:
                break
            seals = []
            for entry in pending:
                seq += 1
                digest = link_hash(prev, entry, key)
                seals.append(AuditSeal(entry_id=entry.pk, seq=seq, prev_hash=prev, hash=digest))
                prev = digest
            AuditSeal.objects.bulk_create(seals)
            sealed += len(seals)
    return sealed


@dataclass
class Verification:
    checked: int
    unsealed: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    broken_entry: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify() -> Verification:
    """Walk the chain from the start; stop at the first link that does not hold."""
    key = _key()
    prev, expected_seq, checked = GENESIS, 1, 0
    seals = AuditSeal.objects.order_by("seq").values_list("seq", "entry_id", "prev_hash", "hash")
    entries = AuditEntry.objects.in_bulk
    result = None
    batch: list[tuple] = []

    def check(rows) -> Verification | None:
        nonlocal prev, expected_seq, checked
        found = entries([row[1] for row in rows])
        for seq, entry_id, prev_hash, digest in rows:
            if seq != expected_seq:
                return _broken(seq, entry_id, f"sequence number {expected_seq} is missing")
            if prev_hash != prev:
                return _broken(seq, entry_id, "the link to the previous entry does not match")
            entry = found.get(entry_id)
            if entry is None:
                return _broken(seq, entry_id, f"audit entry {entry_id} was removed")
            if not hmac.compare_digest(link_hash(prev, entry, key), digest):
                return _broken(seq, entry_id, f"audit entry {entry_id} was changed after it was sealed")
            prev, expected_seq, checked = digest, seq + 1, checked + 1
        return None

    for row in seals.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= BATCH:
            result = check(batch)
            batch = []
            if result:
                break
    if result is None and batch:
        result = check(batch)
    unsealed = AuditEntry.objects.filter(seal__isnull=True).count()
    if result is not None:
        result.checked, result.unsealed = checked, unsealed
        return result
    return Verification(checked=checked, unsealed=unsealed, head_seq=expected_seq - 1, head_hash=prev)


def _broken(seq: int, entry_id: int, problem: str) -> Verification:
    return Verification(
        checked=0, unsealed=0, head_seq=seq - 1, head_hash="", broken_seq=seq, broken_entry=entry_id, problem=problem
    )
