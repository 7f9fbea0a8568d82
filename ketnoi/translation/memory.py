"""Translation memory: exact and fuzzy suggestions, scoped per programme or shared.

Public API (stable; see docs/translation-memory.md):

* ``suggest(source_text=, source_lang=, target_lang=, programme=None, limit=5, min_score=60)``
* ``add(source_text=, target_text=, source_lang=, target_lang=, programme=None, origin="reviewed")``
* ``record_use(entry_id=)`` and ``rebuild_index()``

How a fuzzy match is found: every entry's ``source_key`` is cut into words (Thai, Lao, Khmer and
CJK runs, which have no spaces, into character trigrams), and the distinct word bigrams — with a
start and an end marker, so "a b" gives "^ a", "a b", "b $" — are hashed with the language pair
and the scope into ``TMGram`` rows. A query reads, in one SQL statement, at most ``POSTING_CAP + 1``
postings per bigram; bigrams with more postings than that are "common" and only break ties. Each
entry scores Σ log2(1 + cap / postings) over the rare bigrams it shares with the query; the best
are the candidates, which rapidfuzz then scores.
The cost of a query is bounded by (bigrams × POSTING_CAP), whatever the size of the memory.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from ketnoi.core.text import normalize_text

from .languages import language_for
from .models import TMEntry, TMGram

POSTING_CAP = 1000  # postings read per bigram; a bigram with more is "common"
MAX_QUERY_GRAMS = 48  # per scope; longer queries use their most distinctive bigrams
CANDIDATES = 200  # entries re-scored by rapidfuzz
COMMON_WEIGHT = 0.05  # weight of a bigram with more than POSTING_CAP postings
MAX_TEXT = 10_000  # characters of a source or target text
ORIGIN_RANK = {TMEntry.Origin.REVIEWED: 3, TMEntry.Origin.IMPORTED: 2, TMEntry.Origin.MT: 1}

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")
# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, CJK, kana, Hangul.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Suggestion:
    score: int  # 0–100; 100 only for an exact match of the normalised source
    source_text: str
    target_text: str
    origin: str  # reviewed | imported | mt
    scope: str  # "shared" or the programme's code
    entry_id: int | None = None
    scope_name: str = ""  # a label the editor can show: the programme's name, or "shared memory"


# ---- keys and grams -------------------------------------------------------------------------


def source_key(text: str) -> str:
    """NFC, modern tone marks, lower case, single spaces: the form sources are matched in."""
    return _SPACES.sub(" ", normalize_text(text)).strip().lower()


def _digest(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=16).hexdigest()


def _tokens(key: str) -> list[str]:
    tokens: list[str] = []
    for word in _WORD.findall(key):
        if len(word) > 3 and _UNSPACED.search(word):
            tokens.extend(word[i : i + 3] for i in range(len(word) - 2))
        else:
            tokens.append(word)
    return tokens


def grams_of(key: str) -> list[str]:
    """Distinct word bigrams of a key, with start and end markers, in order of first appearance."""
    tokens = _tokens(key)
    if not tokens:
        return []
    padded = ["^", *tokens, "$"]
    return list(dict.fromkeys(f"{a} {b}" for a, b in zip(padded, padded[1:], strict=False)))


def _prefix(source_language_id: int, target_language_id: int, programme_id: int | None) -> str:
    return f"{source_language_id}:{target_language_id}:{programme_id or 0}"


def gram_hash(prefix: str, gram: str) -> int:
    digest = hashlib.blake2b(f"{prefix}\x1f{gram}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def fingerprint_of(source_language_id, target_language_id, programme_id, key: str, target_text: str) -> str:
    return _digest(source_language_id, target_language_id, programme_id or 0, key, target_text)


def score(query_key: str, candidate_key: str) -> int:
    """Fuzzy score 0–99: the better of the character ratio and (slightly discounted) word-order-free ratio."""
    value = max(fuzz.ratio(query_key, candidate_key), 0.95 * fuzz.token_sort_ratio(query_key, candidate_key))
    return min(99, int(round(value)))


# ---- helpers --------------------------------------------------------------------------------


def _programme(programme):
    """A Programme, its code, or None (shared)."""
    if programme is None or programme == "":
        return None
    from ketnoi.programmes.models import Programme

    if isinstance(programme, Programme):
        return programme
    found = Programme.objects.filter(code=str(programme)).first()
    if found is None:
        raise ValidationError({"programme": _("unknown programme %(code)s") % {"code": repr(str(programme))}})
    return found


def _clean_text(value: str, field: str) -> str:
    text = normalize_text(value or "").strip()
    if not text:
        raise ValidationError({field: _("the text is empty")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {field: _("the text has %(n)s characters; the limit is %(limit)s") % {"n": len(text), "limit": MAX_TEXT}}
        )
    return text


def _scope_label(programme_code: str | None) -> str:
    return programme_code or "shared"


# ---- suggest ----------------------------------------------------------------------------------


def suggest(
    *,
    source_text: str,
    source_lang: str,
    target_lang: str,
    programme=None,
    limit: int = 5,
    min_score: int = 60,
    programmes=None,
) -> list[Suggestion]:
    """Best matches for ``source_text``: exact (score 100) first, then fuzzy, best first.

    With a programme, that programme's entries and the shared ones are searched; without, only the
    shared ones. ``programmes`` (Programme objects or codes) adds further memories the caller may
    read, e.g. every programme the translator takes part in. Other programmes' entries are never
    suggested. Each suggestion carries its memory's ``scope`` (code) and ``scope_name``.
    """
    source_language = language_for(source_lang, field="source_lang")
    target_language = language_for(target_lang, field="target_lang")
    programme = _programme(programme)
    readable = [p for p in (programme, *(_programme(p) for p in (programmes or ()))) if p is not None]
    readable_ids = list(dict.fromkeys(p.pk for p in readable))
    limit = max(1, min(int(limit), 50))
    min_score = max(0, min(int(min_score), 100))
    key = source_key(source_text or "")
    if not key:
        return []
    scope_q = Q(programme__isnull=True) | (Q(programme_id__in=readable_ids) if readable_ids else Q(pk__in=[]))
    pair = TMEntry.objects.filter(source_language=source_language, target_language=target_language).filter(scope_q)
    fields = (
        "id",
        "source_text",
        "target_text",
        "source_key",
        "origin",
        "programme__code",
        "programme__name_vi",
        "usage_count",
    )

    exact = list(pair.filter(source_hash=_digest(key), source_key=key).values(*fields))
    found: dict[int, tuple[int, dict]] = {row["id"]: (100, row) for row in exact}

    programme_ids = [None, *readable_ids]
    candidate_ids = _candidates(key, source_language.pk, target_language.pk, programme_ids, exclude=set(found))
    if candidate_ids:
        for row in pair.filter(pk__in=candidate_ids).values(*fields):
            if row["id"] in found:
                continue
            value = 100 if row["source_key"] == key else score(key, row["source_key"])
            if value >= min_score:
                found[row["id"]] = (value, row)

    def order(item):
        value, row = item
        return (
            -value,
            -ORIGIN_RANK.get(row["origin"], 0),
            0 if row["programme__code"] else 1,  # the programme's own memory before the shared one
            -row["usage_count"],
            -row["id"],
        )

    ranked = sorted(found.values(), key=order)[:limit]
    return [
        Suggestion(
            score=value,
            source_text=row["source_text"],
            target_text=row["target_text"],
            origin=row["origin"],
            scope=_scope_label(row["programme__code"]),
            entry_id=row["id"],
            scope_name=row["programme__name_vi"] or _("shared memory"),
        )
        for value, row in ranked
    ]


def _candidates(key: str, source_id: int, target_id: int, programme_ids, *, exclude: set[int]) -> list[int]:
    grams = grams_of(key)
    if len(grams) > MAX_QUERY_GRAMS:
        # Longer words are rarer: keep the most distinctive bigrams, and the start and end ones.
        ends = {grams[0], grams[-1]}
        middle = sorted((g for g in grams if g not in ends), key=len, reverse=True)
        grams = list(ends) + middle[: MAX_QUERY_GRAMS - len(ends)]
    hashes = [gram_hash(_prefix(source_id, target_id, pid), g) for pid in programme_ids for g in grams]
    if not hashes:
        return []
    table = connection.ops.quote_name(TMGram._meta.db_table)
    parts = [
        f"SELECT {i} AS g, entry_id FROM (SELECT entry_id FROM {table} WHERE gram = %s "
        f"ORDER BY entry_id DESC LIMIT {POSTING_CAP + 1}) AS s{i}"
        for i in range(len(hashes))
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), hashes)
        rows = cursor.fetchall()
    postings: dict[int, list[int]] = defaultdict(list)
    for g, entry_id in rows:
        postings[g].append(entry_id)
    weights: dict[int, float] = defaultdict(float)
    for entries in postings.values():
        # An IDF-like weight: the rarer the bigram, the more sharing it counts. A list cut at the cap
        # belongs to a common bigram whose real frequency is unknown: it only breaks ties (and its
        # entries are merely the newest ones).
        truncated = len(entries) > POSTING_CAP
        weight = COMMON_WEIGHT if truncated else math.log2(1 + POSTING_CAP / len(entries))
        for entry_id in entries:
            if entry_id not in exclude:
                weights[entry_id] += weight
    best = sorted(weights.items(), key=lambda item: (-item[1], -item[0]))[:CANDIDATES]
    return [entry_id for entry_id, _w in best]


# ---- writing ----------------------------------------------------------------------------------


def _gram_rows(entry: TMEntry) -> list[TMGram]:
    prefix = _prefix(entry.source_language_id, entry.target_language_id, entry.programme_id)
    return [TMGram(gram=gram_hash(prefix, g), entry_id=entry.pk) for g in grams_of(entry.source_key)]


def add(
    *,
    source_text: str,
    target_text: str,
    source_lang: str,
    target_lang: str,
    programme=None,
    origin: str = "reviewed",
) -> TMEntry:
    """Store a translation pair (idempotent: the same pair in the same scope is stored once).

    Adding an existing pair again changes nothing, except that a better origin replaces a weaker
    one (reviewed > imported > mt).
    """
    source_language = language_for(source_lang, field="source_lang")
    target_language = language_for(target_lang, field="target_lang")
    if source_language.pk == target_language.pk:
        raise ValidationError({"target_lang": _("the source and target languages are the same")})
    if origin not in TMEntry.Origin.values:
        raise ValidationError(
            {"origin": _("unknown origin %(origin)s") % {"origin": repr(origin)}},
        )
    programme = _programme(programme)
    source = _clean_text(source_text, "source_text")
    target = _clean_text(target_text, "target_text")
    key = source_key(source)
    fingerprint = fingerprint_of(source_language.pk, target_language.pk, getattr(programme, "pk", None), key, target)
    with transaction.atomic():
        entry = TMEntry.objects.select_for_update().filter(fingerprint=fingerprint).first()
        if entry is not None:
            if ORIGIN_RANK[origin] > ORIGIN_RANK.get(entry.origin, 0):
                entry.origin = origin
                entry.save(update_fields=["origin", "updated_at"])
            return entry
        entry = TMEntry.objects.create(
            source_language=source_language,
            target_language=target_language,
            programme=programme,
            source_text=source,
            target_text=target,
            source_key=key,
            source_hash=_digest(key),
            fingerprint=fingerprint,
            origin=origin,
        )
        TMGram.objects.bulk_create(_gram_rows(entry))
    return entry


@dataclass
class BulkResult:
    created: int = 0
    unchanged: int = 0
    upgraded: int = 0


def bulk_add(pairs: Iterable[tuple], *, programme=None, origin: str = "imported", batch_size: int = 2000) -> BulkResult:
    """Add many pairs at once, each ``(source_language, target_language, source_text, target_text)``.

    Languages are Language objects and texts already validated (the importers do that). Runs in
    the caller's transaction; writes no per-row audit entries (the caller records one summary).
    """
    result = BulkResult()
    programme_id = getattr(programme, "pk", None)
    pending: dict[str, TMEntry] = {}
    for source_language, target_language, source, target in pairs:
        source = normalize_text(source).strip()
        target = normalize_text(target).strip()
        key = source_key(source)
        fingerprint = fingerprint_of(source_language.pk, target_language.pk, programme_id, key, target)
        if fingerprint in pending:
            result.unchanged += 1
            continue
        pending[fingerprint] = TMEntry(
            source_language=source_language,
            target_language=target_language,
            programme_id=programme_id,
            source_text=source,
            target_text=target,
            source_key=key,
            source_hash=_digest(key),
            fingerprint=fingerprint,
            origin=origin,
        )
    fingerprints = list(pending)
    for start in range(0, len(fingerprints), 500):
        chunk = fingerprints[start : start + 500]
        for existing in TMEntry.objects.filter(fingerprint__in=chunk).only("id", "origin", "fingerprint"):
            pending.pop(existing.fingerprint)
            if ORIGIN_RANK[origin] > ORIGIN_RANK.get(existing.origin, 0):
                TMEntry.objects.filter(pk=existing.pk).update(origin=origin)
                result.upgraded += 1
            else:
                result.unchanged += 1
    new = list(pending.values())
    for start in range(0, len(new), batch_size):
        batch = TMEntry.objects.bulk_create(new[start : start + batch_size])
        if any(entry.pk is None for entry in batch):  # a backend without RETURNING: read the ids back
            ids = dict(
                TMEntry.objects.filter(fingerprint__in=[e.fingerprint for e in batch]).values_list("fingerprint", "id")
            )
            for entry in batch:
                entry.pk = entry.id = ids[entry.fingerprint]
        TMGram.objects.bulk_create([row for entry in batch for row in _gram_rows(entry)], batch_size=5000)
        result.created += len(batch)
    return result


def record_use(*, entry_id: int) -> None:
    """Count one use of an entry (a suggestion taken over by a translator)."""
    TMEntry.objects.filter(pk=entry_id).update(usage_count=F("usage_count") + 1)


def rebuild_index(*, batch_size: int = 5000) -> int:
    """Recompute every TMGram row from the entries (after a bulk load or a restore)."""
    with transaction.atomic():
        TMGram.objects.all().delete()
        count = 0
        last = 0
        while True:
            batch = list(
                TMEntry.objects.filter(pk__gt=last)
                .order_by("pk")
                .only("id", "source_key", "source_language_id", "target_language_id", "programme_id")[:batch_size]
            )
            if not batch:
                break
            TMGram.objects.bulk_create([row for entry in batch for row in _gram_rows(entry)], batch_size=5000)
            count += len(batch)
            last = batch[-1].pk
    return count
