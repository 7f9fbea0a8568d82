"""Translation memory and termbase.

A TM entry is one source/target pair in a language pair, shared (no programme) or owned by one
programme. ``source_key`` is the matching form of the source (NFC, modern tone marks, lower case,
single spaces); ``TMGram`` is the inverted index of its word bigrams and ``prefix_key`` /
``suffix_key`` (the key's start and its end read backwards) are the two sort orders that
``memory.suggest`` reads to find fuzzy candidates fast on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from ketnoi.core.audit import Audited
from ketnoi.core.models import TimeStampedModel

SORT_KEY_LENGTH = 100  # characters of a key kept in prefix_key and suffix_key
# Keys up to this many characters are copied into the two sort-order indexes ("covering"), so that
# memory.suggest reads its neighbours from the index alone. A PostgreSQL B-tree entry is limited to
# 2,704 bytes: 100 + 500 characters of at most 4 bytes each stay below it. Longer keys are in two
# partial indexes without the key (read only for queries long enough to match them).
COVERED_KEY_LENGTH = 500


def sort_keys(source_key: str) -> tuple[str, str]:
    """The start of a key and its end read backwards: entries next to each other in one of
    these orders share a long prefix or suffix (see ``memory.suggest``)."""
    return source_key[:SORT_KEY_LENGTH], source_key[::-1][:SORT_KEY_LENGTH]


class TMEntry(Audited, TimeStampedModel):
    class Origin(models.TextChoices):
        REVIEWED = "reviewed", _("reviewed translation")
        IMPORTED = "imported", _("imported (TMX)")
        MT = "mt", _("machine translation")

    source_language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("source language")
    )
    target_language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("target language")
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tm_entries",
        verbose_name=_("programme"),
        help_text=_("Empty: shared by all programmes."),
    )
    source_text = models.TextField(_("source"))
    target_text = models.TextField(_("target"))
    source_key = models.TextField(_("matching key"), editable=False)
    # Hashes stand in for indexes on the long text columns (a PostgreSQL B-tree entry is limited to
    # about 2.7 kB): source_hash finds exact matches, fingerprint makes an entry unique per
    # (source language, target language, programme, source_key, target_text).
    source_hash = models.CharField(max_length=32, editable=False)
    fingerprint = models.CharField(max_length=32, unique=True, editable=False)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.REVIEWED)
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    # Derived from source_key (sort_keys): the sorted-neighbourhood index of memory.suggest.
    prefix_key = models.CharField(max_length=SORT_KEY_LENGTH, editable=False, default="")
    suffix_key = models.CharField(max_length=SORT_KEY_LENGTH, editable=False, default="")

    class Meta:
        verbose_name = _("translation memory entry")
        verbose_name_plural = _("translation memory entries")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["source_language", "target_language", "source_hash"], name="translation_tm_exact"),
            *(
                models.Index(
                    fields=["source_language", "target_language", "programme", column, "source_key", "id"],
                    name=f"translation_tm_{name}_cover",
                    condition=Q(LessThanOrEqual(Length("source_key"), COVERED_KEY_LENGTH)),
                )
                for name, column in (("prefix", "prefix_key"), ("suffix", "suffix_key"))
            ),
            *(
                models.Index(
                    fields=["source_language", "target_language", "programme", column],
                    name=f"translation_tm_{name}_long",
                    condition=Q(GreaterThan(Length("source_key"), COVERED_KEY_LENGTH)),
                )
                for name, column in (("prefix", "prefix_key"), ("suffix", "suffix_key"))
            ),
        ]

    def save(self, *args, **kwargs):
        self.prefix_key, self.suffix_key = sort_keys(self.source_key or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "source_key" in update_fields:
            kwargs["update_fields"] = {*update_fields, "prefix_key", "suffix_key"}
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.source_text[:40]} → {self.target_text[:40]}"


class TMGram(models.Model):
    """Inverted index: one row per distinct word bigram of an entry's source_key.

    ``gram`` is a 64-bit hash of (language pair, programme, bigram), so each posting list holds
    only the entries of one pair and one scope. Derived data: not audited, rebuilt by
    ``memory.rebuild_index()``.
    """

    gram = models.BigIntegerField()
    entry = models.ForeignKey(TMEntry, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["gram", "entry"], name="translation_tmgram_lookup")]

    def __str__(self):
        return f"{self.gram} → {self.entry_id}"


class Concept(Audited, TimeStampedModel):
    """A termbase concept; its terms in each language are equivalents."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    domain = models.CharField(_("domain"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["domain", "code"]

    def __str__(self):
        return self.code


class Term(Audited, TimeStampedModel):
    class Status(models.TextChoices):
        PREFERRED = "preferred", _("preferred")
        ADMITTED = "admitted", _("admitted")
        FORBIDDEN = "forbidden", _("forbidden")
        DO_NOT_TRANSLATE = "do_not_translate", _("do not translate")

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="terms", verbose_name=_("concept"))
    language = models.ForeignKey(
        "people.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("language")
    )
    text = models.CharField(_("term"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREFERRED)
    part_of_speech = models.CharField(_("part of speech"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    match_key = models.CharField(max_length=300, editable=False)  # normalised, lower case: for hits()
    search_key = models.CharField(max_length=300, db_index=True, editable=False)  # folded: for search

    # TBX part-of-speech values, shown in the interface language (the stored value stays TBX's)
    PARTS_OF_SPEECH = {
        "noun": _("noun"),
        "proper noun": _("proper noun"),
        "propernoun": _("proper noun"),
        "verb": _("verb"),
        "adjective": _("adjective"),
        "adverb": _("adverb"),
        "other": _("other"),
    }

    @property
    def part_of_speech_label(self):
        key = " ".join(self.part_of_speech.split()).lower()
        return self.PARTS_OF_SPEECH.get(key, self.part_of_speech)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["concept", "language", "status", "text"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "language", "match_key"], name="translation_term_unique"),
        ]
        indexes = [models.Index(fields=["language", "match_key"], name="translation_term_lang")]

    def __str__(self):
        return self.text
