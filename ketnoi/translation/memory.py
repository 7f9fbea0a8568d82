"""Translation memory: exact and fuzzy suggestions, scoped per programme or shared.

Public API (stable; see docs/translation-memory.md):

* ``suggest(source_text=, source_lang=, target_lang=, programme=None, limit=5, min_score=60)``
* ``add(source_text=, target_text=, source_lang=, target_lang=, programme=None, origin="reviewed")``
* ``record_use(entry_id=)`` and ``rebuild_index()``

How a fuzzy match is found (docs/translation-memory.md): candidates are the entries next to the
query in two sort orders of each readable scope — ``prefix_key`` (the key's start) and
``suffix_key`` (its end, read backwards), ``NEIGHBOURS`` on each side: a sorted neighbourhood —
and the entries sharing its rare word bigrams (``TMGram``: word bigrams, Thai/Lao/Khmer/CJK runs
cut into character trigrams, hashed with the language pair and scope; at most ``POSTING_CAP + 1``
postings read per bigram). Every candidate is scored exactly with rapidfuzz, after a lossless
length bound. The cost of a query is bounded whatever the size of the memory.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from ketnoi.core.text import normalize_text

from .languages import language_for, language_pair
from .models import COVERED_KEY_LENGTH, TMEntry, TMGram, sort_keys

NEIGHBOURS = 250  # entries read on each side of the query, per sort order and scope
RECENTRE_NEIGHBOURS = 250  # the same around the best fuzzy match of the first pass (0: no second pass)
POSTING_CAP = 100  # postings read per bigram; a bigram with more is "common"
MAX_QUERY_GRAMS = 48  # per scope; longer queries use their most distinctive bigrams
CANDIDATES = 100  # entries sharing rare bigrams re-scored by rapidfuzz
COMMON_WEIGHT = 0.05  # weight of a bigram with more than POSTING_CAP postings
MAX_TEXT = 10_000  # characters of a source or target text
EXACT, NEIGHBOUR, RARE = 0, 1, 2  # the kinds of candidate rows of the first pass
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


def score_many(query_key: str, keys: dict, *, min_score: int = 0, skip=(), best: int | None = None) -> dict:
    """``score(query_key, key)`` for every ``{id: key}`` scoring at least ``min_score`` (100 for an
    identical key), computed by rapidfuzz's C loop. Keys whose length alone keeps them below
    ``min_score`` are skipped: ratio ≤ 200·min(a, b)/(a + b), and sorting tokens keeps the length.

    With ``best=k`` only the k best scores (ties included) are needed: once the character ratios
    are known, their k-th best is a floor no lower-scoring key can reach the top k under, so the
    word-order score is computed only for keys whose length lets it reach that floor, and keys
    below the floor are left out. The k best are the same as without ``best``."""
    length = len(query_key)
    result = {}
    ids, choices = [], []
    for entry_id, key in keys.items():
        if entry_id in skip:
            continue
        if key == query_key:
            result[entry_id] = 100
        else:
            n = len(key)
            if 200 * (n if n < length else length) >= min_score * (length + n):
                ids.append(entry_id)
                choices.append(key)
    if not choices:
        return result
    # A ratio below min_score - 0.5 rounds below min_score: rapidfuzz leaves those out (and can
    # stop computing them early).
    ratios = {
        index: value
        for _k, value, index in process.extract(
            query_key, choices, scorer=fuzz.ratio, limit=None, score_cutoff=max(0.0, min_score - 0.5)
        )
    }
    floor = min_score
    if best and len(ratios) + len(result) >= best:
        # Rounding and the cap keep the order: the k best ratios give the k best rounded scores.
        top = [min(99, int(round(v))) for v in heapq.nlargest(best, ratios.values())]
        floor = max(floor, sorted([*top, *result.values()], reverse=True)[best - 1])
    # 0.95 × token_sort_ratio can lift a key to the floor only if 0.95 × its length bound can.
    word_order = [
        i
        for i, key in enumerate(choices)
        if ratios.get(i, 0.0) < 99 and 0.95 * 200 * min(length, len(key)) >= (floor - 0.5) * (length + len(key))
    ]
    sorted_ratios = {}
    if word_order:
        cutoff = max(0.0, (floor - 0.5) / 0.95)
        subset = [choices[i] for i in word_order]
        for _k, value, index in process.extract(
            query_key, subset, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=cutoff
        ):
            sorted_ratios[word_order[index]] = value
    for i in ratios.keys() | sorted_ratios.keys():
        value = min(99, int(round(max(ratios.get(i, 0.0), 0.95 * sorted_ratios.get(i, 0.0)))))
        if value >= floor:
            result[ids[i]] = value
    return result


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
    source_language, target_language = language_pair(source_lang, target_lang)
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

    # First pass, one SQL statement: the exact matches, the entries next to the query in the two
    # sort orders (longest shared start and end) and the entries sharing its rare bigrams. Every
    # one is scored exactly; entries whose length alone keeps them below min_score are skipped
    # (lossless: ratio ≤ 200·min/(a+b)), and so are the long-key indexes when no long key can match.
    programme_ids = [None, *readable_ids]
    max_length = _max_length(len(key), min_score)
    exact_ids, keys, rare = _first_pass(
        key, source_language.pk, target_language.pk, programme_ids, max_length=max_length
    )
    scored: dict[int, int] = dict.fromkeys(exact_ids, 100)
    keys.update(_keys(i for i in rare if i not in keys))
    scored.update(score_many(key, keys, min_score=min_score, skip=scored, best=limit))

    # Second pass, centred on the best fuzzy match found: its neighbours in the two orders. A query
    # that differs from its best match early (a word replaced near the start) sorts away from the
    # entries that resemble that match; the match itself sorts among them.
    fuzzy = [(value, i) for i, value in scored.items() if value < 100]
    if fuzzy and RECENTRE_NEIGHBOURS:
        centre = keys[max(fuzzy)[1]]
        more = {
            i: k
            for i, k in _neighbours(
                centre,
                source_language.pk,
                target_language.pk,
                programme_ids,
                size=RECENTRE_NEIGHBOURS,
                max_length=max_length,
            ).items()
            if i not in keys
        }
        values = sorted(scored.values(), reverse=True)
        floor = max(min_score, values[limit - 1]) if len(values) >= limit else min_score
        scored.update(score_many(key, more, min_score=floor, skip=scored, best=limit))

    # Only the entries that can make the cut (ties at the last place included) are read in full.
    values = sorted(scored.values(), reverse=True)
    if len(values) > limit:
        cut = values[limit - 1]
        scored = {i: v for i, v in scored.items() if v >= cut}
    rows = {row["id"]: row for row in pair.filter(pk__in=list(scored)).values(*fields)} if scored else {}
    found = [(scored[i], row) for i, row in rows.items() if i in scored]

    def order(item):
        value, row = item
        return (
            -value,
            -ORIGIN_RANK.get(row["origin"], 0),
            0 if row["programme__code"] else 1,  # the programme's own memory before the shared one
            -row["usage_count"],
            -row["id"],
        )

    ranked = sorted(found, key=order)[:limit]
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


def _max_length(length: int, min_score: int) -> float:
    """The longest key that can still score ``min_score`` against a key of ``length`` characters
    (ratio ≤ 200·min(a, b)/(a + b), and sorting tokens keeps the length)."""
    return math.inf if min_score <= 0 else length * (200 - min_score) / min_score


def _neighbours(
    key: str,
    source_id: int,
    target_id: int,
    programme_ids,
    *,
    size: int | None = None,
    max_length: float = math.inf,
) -> dict[int, str]:
    """Entries next to the key in the prefix and the suffix order of each scope: ``{id: source_key}``.

    Sorted neighbourhood (Hernández & Stolfo 1995), two passes: neighbours in ``prefix_key`` order
    share the longest start with the query, neighbours in ``suffix_key`` order the longest end.
    One SQL statement of 4 index range scans per scope, each ``NEIGHBOURS`` rows long, on the
    covering indexes (``translation_tm_prefix_cover`` / ``_suffix_cover``: the key is in the index,
    the table is never read). Keys longer than ``COVERED_KEY_LENGTH`` are in partial indexes of
    their own, read only when ``max_length`` (the longest key that can match) reaches them.
    """
    size = NEIGHBOURS if size is None else size
    if size <= 0:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(*_neighbours_sql(key, source_id, target_id, programme_ids, size=size, max_length=max_length))
        return {entry_id: entry_key for _kind, entry_id, entry_key in cursor.fetchall()}


def _neighbours_sql(
    key, source_id, target_id, programme_ids, *, size: int, max_length: float, kind: int = NEIGHBOUR
) -> tuple[str, list]:
    """The neighbour statement: rows ``(kind, id, source_key)``."""
    prefix, suffix = sort_keys(key)
    table = connection.ops.quote_name(TMEntry._meta.db_table)
    # The partial indexes' conditions, written as in their definition so that both databases
    # recognise them (a literal, not a parameter).
    tiers = [f"LENGTH(source_key) <= {int(COVERED_KEY_LENGTH)}"]
    if max_length > COVERED_KEY_LENGTH:
        tiers.append(f"LENGTH(source_key) > {int(COVERED_KEY_LENGTH)}")
    parts, params = [], []
    for tier in tiers:
        for pid in programme_ids:
            scope = "programme_id IS NULL" if pid is None else "programme_id = %s"
            scope_params = [] if pid is None else [pid]
            for column, value in (("prefix_key", prefix), ("suffix_key", suffix)):
                for op, direction in ((">=", "ASC"), ("<", "DESC")):
                    # ORDER BY every column of the index up to the sort key, so that PostgreSQL walks
                    # it in order even with "programme_id IS NULL" (not counted as an equality).
                    order = ", ".join(
                        f"{c} {direction}" for c in ("source_language_id", "target_language_id", "programme_id", column)
                    )
                    parts.append(
                        f"SELECT {int(kind)} AS kind, id, source_key FROM (SELECT id, source_key FROM {table} "
                        "WHERE source_language_id = %s "
                        f"AND target_language_id = %s AND {scope} AND {tier} AND {column} {op} %s "
                        f"ORDER BY {order} LIMIT {int(size)}) AS n{len(parts)}"
                    )
                    params += [source_id, target_id, *scope_params, value]
    return " UNION ALL ".join(parts), params


def _scope_sql(programme_ids) -> tuple[str, list]:
    ids = [pid for pid in programme_ids if pid is not None]
    if not ids:
        return "programme_id IS NULL", []
    return f"(programme_id IS NULL OR programme_id IN ({', '.join(['%s'] * len(ids))}))", ids


def _query_grams(key: str) -> list[str]:
    grams = grams_of(key)
    if len(grams) > MAX_QUERY_GRAMS:
        # Longer words are rarer: keep the most distinctive bigrams, and the start and end ones.
        ends = {grams[0], grams[-1]}
        middle = sorted((g for g in grams if g not in ends), key=len, reverse=True)
        grams = list(ends) + middle[: MAX_QUERY_GRAMS - len(ends)]
    return grams


def _first_pass(
    key: str, source_id: int, target_id: int, programme_ids, *, max_length: float
) -> tuple[set[int], dict[int, str], list[int]]:
    """One statement for the exact matches' ids, the neighbours ``{id: source_key}``
    (``_neighbours``) and the posting lists of the query's bigrams; returns those ids, the
    neighbours and the ``CANDIDATES`` entries sharing the query's rarest bigrams (``_rare``)."""
    table = connection.ops.quote_name(TMEntry._meta.db_table)
    grams_table = connection.ops.quote_name(TMGram._meta.db_table)
    scope, scope_params = _scope_sql(programme_ids)
    parts = [
        f"SELECT {EXACT} AS kind, id, source_key FROM {table} WHERE source_language_id = %s "
        f"AND target_language_id = %s AND source_hash = %s AND source_key = %s AND {scope}"
    ]
    params = [source_id, target_id, _digest(key), key, *scope_params]
    if NEIGHBOURS > 0:
        sql, more = _neighbours_sql(key, source_id, target_id, programme_ids, size=NEIGHBOURS, max_length=max_length)
        parts.append(sql)
        params += more
    hashes = []
    if CANDIDATES > 0:
        hashes = [gram_hash(_prefix(source_id, target_id, pid), g) for pid in programme_ids for g in _query_grams(key)]
    for i, gram in enumerate(hashes):
        # A posting row's kind is RARE + the bigram's number; it carries no key.
        parts.append(
            f"SELECT {RARE + i} AS kind, entry_id, NULL FROM (SELECT entry_id FROM {(grams_table)} WHERE gram = %s "
            f"ORDER BY entry_id DESC LIMIT {POSTING_CAP + 1}) AS s{i}"
        )
        params.append(gram)
    exact, neighbours = set(), {}
    postings: dict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, entry_id, entry_key in cursor.fetchall():
            if kind == NEIGHBOUR:
                neighbours[entry_id] = entry_key
            elif kind == EXACT:
                exact.add(entry_id)
            else:
                postings[kind].append(entry_id)
    return exact, neighbours, _rare(postings.values(), exclude=exact)


def _rare(postings: Iterable[list[int]], *, exclude: set[int]) -> list[int]:
    """The ``CANDIDATES`` entries sharing the rarest bigrams: each entry gets Σ log₂(1 + cap / postings)
    over the bigrams it shares. An IDF-like weight: the rarer the bigram, the more sharing it
    counts. A list cut at the cap belongs to a common bigram whose real frequency is unknown: it
    only breaks ties (and its entries are merely the newest ones)."""
    weights: dict[int, float] = defaultdict(float)
    for entries in postings:
        weight = COMMON_WEIGHT if len(entries) > POSTING_CAP else math.log2(1 + POSTING_CAP / len(entries))
        for entry_id in entries:
            weights[entry_id] += weight
    for entry_id in exclude:
        weights.pop(entry_id, None)
    best = heapq.nlargest(CANDIDATES, weights.items(), key=itemgetter(1, 0))  # by weight, then the newest
    return [entry_id for entry_id, _w in best]


def _keys(ids) -> dict[int, str]:
    """``{id: source_key}`` of the given entries."""
    ids = list(ids)
    if not ids:
        return {}
    table = connection.ops.quote_name(TMEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, source_key FROM {table} WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
        return dict(cursor.fetchall())


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
        prefix, suffix = sort_keys(key)
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
            prefix_key=prefix,
            suffix_key=suffix,
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
    """Recompute the index from the entries (after a bulk load or a restore): every TMGram row, and
    ``prefix_key`` / ``suffix_key`` where they differ from the source key's."""
    with transaction.atomic():
        TMGram.objects.all().delete()
        count = 0
        last = 0
        while True:
            batch = list(
                TMEntry.objects.filter(pk__gt=last)
                .order_by("pk")
                .only(
                    "id",
                    "source_key",
                    "source_language_id",
                    "target_language_id",
                    "programme_id",
                    "prefix_key",
                    "suffix_key",
                )[:batch_size]
            )
            if not batch:
                break
            stale = []
            for entry in batch:
                keys = sort_keys(entry.source_key)
                if keys != (entry.prefix_key, entry.suffix_key):
                    entry.prefix_key, entry.suffix_key = keys
                    stale.append(entry)
            if stale:
                TMEntry.objects.bulk_update(stale, ["prefix_key", "suffix_key"], batch_size=500)
            TMGram.objects.bulk_create([row for entry in batch for row in _gram_rows(entry)], batch_size=5000)
            count += len(batch)
            last = batch[-1].pk
    return count
