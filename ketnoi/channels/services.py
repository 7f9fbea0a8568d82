"""Writes of the channels app outside imports — the inventory, bulletins, their renditions and
schedules: validate, scope-check, one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ketnoi.core.roles import BULLETINS_WRITE, CHANNELS_MANAGE, CONTENT_APPRAISE, CONTENT_APPROVE
from ketnoi.core.scoping import require
from ketnoi.core.text import fold, normalize_text

from . import selectors
from .models import MessagingAccount


@transaction.atomic
def messaging_account_create(*, user, commune, platform: str, handle: str, url: str = "", followers=None):
    require(user, CHANNELS_MANAGE, commune)
    handle = normalize_text(handle or "").strip()
    if not handle:
        raise ValidationError({"handle": _("Give the account's name or the SMS sender name.")})
    if platform not in MessagingAccount.Platform.values:
        raise ValidationError({"platform": _("Choose a platform from the list.")})
    taken = MessagingAccount.objects.select_for_update().filter(commune=commune, platform=platform)
    if any(fold(a.handle) == fold(handle) for a in taken):
        raise ValidationError({"handle": _("This commune already has this account.")})
    return MessagingAccount.objects.create(
        commune=commune, platform=platform, handle=handle, url=url or "", followers=followers
    )


def record_phone_views(inventory: dict, *, request=None) -> None:
    """Log, once per request and person, that the propagandists' phones of a commune were shown."""
    from ketnoi.core.audit import record_personal_view

    if not inventory["show_phones"]:
        return
    for person in inventory["propagandists"]:
        record_personal_view(
            person, fields=("phone",), request=request, label=f"{person._meta.label_lower}#{person.pk}"
        )


# ---- bulletins (issue 8.2) ----------------------------------------------------------------------
#
# A bulletin is written (or made from an approved content item) by whoever holds bulletins.write
# over its owner unit, then goes through the editorial board as a content item does: submitted,
# appraised (content.appraise), approved (content.approve). Its renditions remember the checksums
# of the source sentences they were made from; a changed source flags them stale.

BULLETIN_TRANSITIONS = {
    # action: (from states, to state, capability, comment required)
    "submit": ({"draft"}, "submitted", BULLETINS_WRITE, False),
    "appraise": ({"submitted"}, "appraised", CONTENT_APPRAISE, False),
    "return": ({"submitted", "appraised"}, "draft", CONTENT_APPRAISE, True),
    "approve": ({"appraised"}, "approved", CONTENT_APPROVE, False),
    "withdraw": ({"approved"}, "withdrawn", CONTENT_APPROVE, True),
    "reopen": ({"withdrawn"}, "draft", BULLETINS_WRITE, False),
}
APPROVABLE_CONTENT = ("approved", "scheduled", "published")
SMS_MAX_SEGMENTS = 3  # longer texts are refused: each part is billed and phones join them unreliably


class StaleBulletinEdit(Exception):
    """Someone saved the bulletin (or the rendition) after the version the editor started from."""


def _clean(value) -> str:
    return normalize_text(value or "").strip()


def source_checksums(title: str, body: str, language: str = "vi") -> list[str]:
    """One checksum per source sentence (title first), as the content segments do."""
    import hashlib

    from ketnoi.content.text import split_sentences

    sentences = [title.strip()] if title.strip() else []
    for block in (body or "").split("\n"):
        sentences += split_sentences(block, language)
    return [hashlib.sha256(normalize_text(s, collapse_spaces=True).encode()).hexdigest()[:32] for s in sentences]


def _bulletin_checksums(bulletin) -> list[str]:
    return source_checksums(bulletin.title, bulletin.body)


def _text_checksum(text: str) -> str:
    import hashlib

    return hashlib.sha256(normalize_text(text, collapse_spaces=True).encode()).hexdigest()


def _content_source(content):
    """(title, plain text) of an approved content item's source variant."""
    from ketnoi.content.text import html_to_text

    source = content.variants.get(is_source=True)
    parts = [source.summary or "", html_to_text(source.body or "")]
    return source.title, "\n".join(p.strip() for p in parts if p.strip())


def _bulletin_event(bulletin, user, from_state: str, to_state: str, comment: str = ""):
    from .models import BulletinEvent

    return BulletinEvent.objects.create(
        bulletin=bulletin, from_state=from_state, to_state=to_state, user=user, comment=comment
    )


def _targets(user, owner_unit, units=(), villages=(), groups=()):
    """Check the targets: provinces or communes of the current structure within the owner's area,
    villages of those communes (or of the owner's area)."""
    from ketnoi.core.scoping import unit_scope_ids, user_scope

    scope = user_scope(user, BULLETINS_WRITE)
    errors = []
    for unit in units:
        if unit.structure != "current" or unit.level not in ("province", "commune"):
            errors.append(_("%(name)s is not a current province or commune.") % {"name": unit.name})
        elif owner_unit is not None and owner_unit.pk not in (unit.pk, unit.province_id):
            errors.append(_("%(name)s is outside %(owner)s.") % {"name": unit.name, "owner": owner_unit.name})
        elif not scope.covers(*unit_scope_ids(unit)):
            errors.append(_("%(name)s is outside your area.") % {"name": unit.name})
    for village in villages:
        commune = village.commune
        if owner_unit is not None and owner_unit.pk not in (commune.pk, commune.province_id):
            errors.append(_("%(name)s is outside %(owner)s.") % {"name": village.name, "owner": owner_unit.name})
        elif not scope.covers(*unit_scope_ids(commune)):
            errors.append(_("%(name)s is outside your area.") % {"name": village.name})
    if errors:
        raise ValidationError({"target_units": errors})
    return list(units), list(villages), list(groups)


@transaction.atomic
def bulletin_create(
    *,
    user,
    title: str = "",
    body: str = "",
    priority: str = "normal",
    owner_unit=None,
    content=None,
    target_units=(),
    target_villages=(),
    target_groups=(),
    valid_until=None,
):
    """A new draft bulletin, written here or made from an approved content item (its Vietnamese
    title and text are taken when none is typed). Vietnamese renditions for the loudspeakers, the
    e-boards and SMS are drafted from the text at once."""
    from .models import Bulletin

    require(user, BULLETINS_WRITE, owner_unit)
    if priority not in Bulletin.Priority.values:
        raise ValidationError({"priority": _("Choose normal, priority or emergency.")})
    title, body = _clean(title), normalize_text(body or "").strip()
    if content is not None:
        if content.state not in APPROVABLE_CONTENT:
            raise ValidationError(
                {
                    "content": _("Only an approved or published article can become a bulletin; this one is %(state)s.")
                    % {"state": content.get_state_display()}
                }
            )
        content_title, content_text = _content_source(content)
        title, body = title or content_title, body or content_text
    if not title:
        raise ValidationError({"title": _("Give the bulletin a title.")})
    units, villages, groups = _targets(user, owner_unit, target_units, target_villages, target_groups)
    bulletin = Bulletin.objects.create(
        title=title[:300],
        body=body,
        priority=priority,
        owner_unit=owner_unit,
        content=content,
        author=user,
        valid_until=valid_until,
    )
    bulletin.target_units.set(units)
    bulletin.target_villages.set(villages)
    bulletin.target_groups.set(groups)
    _bulletin_event(bulletin, user, "", "draft", _("Created"))
    _draft_source_renditions(bulletin)
    return bulletin


def _default_text(bulletin, channel: str) -> str:
    """What a channel carries of the source text before anyone edits it."""
    from .models import Rendition

    if channel == Rendition.Channel.SMS:
        text = bulletin.title if len(bulletin.body) > 300 else f"{bulletin.title}. {bulletin.body}".strip()
        return " ".join(text.split())[:480]
    return f"{bulletin.title}\n\n{bulletin.body}".strip()


def _draft_source_renditions(bulletin) -> None:
    from ketnoi.people.models import Language

    from .models import Rendition

    vietnamese = Language.objects.get(bcp47="vi")
    for channel in (Rendition.Channel.LOUDSPEAKER, Rendition.Channel.BOARD, Rendition.Channel.SMS):
        _write_rendition(bulletin, channel, vietnamese, _default_text(bulletin, channel))


def _write_rendition(bulletin, channel, language, text, rendition=None):
    from .models import Rendition
    from .renditions import reading_seconds, sms_size

    rendition = rendition or Rendition(bulletin=bulletin, channel=channel, language=language)
    rendition.text = text
    rendition.source_checksums = _bulletin_checksums(bulletin)
    rendition.stale = False
    rendition.reading_seconds = reading_seconds(text, language.bcp47)
    size = sms_size(text)
    rendition.sms_encoding, rendition.sms_segments = size.encoding, size.segments
    if rendition.audio_origin == Rendition.AudioOrigin.SYNTHETIC and rendition.audio_text_checksum != _text_checksum(
        text
    ):
        _drop_audio(rendition)  # synthetic audio of an older text is made again, never played as it was
    if rendition.pk:
        rendition.version += 1
    rendition.save()
    return rendition


def _drop_audio(rendition) -> None:
    if rendition.audio:
        rendition.audio.delete(save=False)
    rendition.audio = ""
    rendition.audio_origin = rendition.audio_status = rendition.audio_error = ""
    rendition.audio_seconds = None
    rendition.audio_sha256 = rendition.audio_text_checksum = ""


def _locked_draft(bulletin, version):
    from .models import Bulletin

    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if version is not None and int(version) != locked.version:
        raise StaleBulletinEdit
    if locked.state != Bulletin.State.DRAFT:
        raise ValidationError(_("Only a draft can be changed; return or reopen the bulletin first."))
    return locked


@transaction.atomic
def bulletin_update(*, user, bulletin, version=None, title=None, body=None, priority=None, valid_until=None, **targets):
    """Change a draft. Renditions made from sentences that are no longer in the source are flagged
    stale (their text stays, for the editor to revise)."""
    from .models import Bulletin

    require(user, BULLETINS_WRITE, bulletin)
    bulletin = _locked_draft(bulletin, version)
    if title is not None:
        title = _clean(title)
        if not title:
            raise ValidationError({"title": _("Give the bulletin a title.")})
        bulletin.title = title[:300]
    if body is not None:
        bulletin.body = normalize_text(body).strip()
    if priority is not None:
        if priority not in Bulletin.Priority.values:
            raise ValidationError({"priority": _("Choose normal, priority or emergency.")})
        bulletin.priority = priority
    bulletin.valid_until = valid_until
    if targets:
        units, villages, groups = _targets(
            user,
            bulletin.owner_unit,
            targets.get("target_units", bulletin.target_units.all()),
            targets.get("target_villages", bulletin.target_villages.all()),
            targets.get("target_groups", bulletin.target_groups.all()),
        )
        bulletin.target_units.set(units)
        bulletin.target_villages.set(villages)
        bulletin.target_groups.set(groups)
    bulletin.version += 1
    bulletin.save()
    mark_stale_renditions(bulletin)
    return bulletin


def mark_stale_renditions(bulletin) -> int:
    """Flag the renditions whose source sentences are no longer all in the bulletin's text."""
    current = set(_bulletin_checksums(bulletin))
    stale = [r.pk for r in bulletin.renditions.all() if not r.stale and set(r.source_checksums) != current]
    return bulletin.renditions.filter(pk__in=stale).update(stale=True)


@transaction.atomic
def rendition_save(*, user, bulletin, channel: str, language, text: str, version=None):
    """Write (or revise) the bulletin's text for one channel and language; a revision clears the
    stale flag. SMS texts longer than SMS_MAX_SEGMENTS parts are refused with their count."""
    from .models import Rendition
    from .renditions import sms_size

    require(user, BULLETINS_WRITE, bulletin)
    bulletin = _locked_draft(bulletin, None)
    if channel not in Rendition.Channel.values:
        raise ValidationError({"channel": _("Choose a channel from the list.")})
    text = normalize_text(text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the text of this rendition.")})
    if channel == Rendition.Channel.SMS:
        size = sms_size(text)
        if size.segments > SMS_MAX_SEGMENTS:
            raise ValidationError(
                {
                    "text": _(
                        "This SMS takes %(n)s messages (%(units)s characters, %(encoding)s); "
                        "shorten it to at most %(max)s."
                    )
                    % {"n": size.segments, "units": size.units, "encoding": size.encoding, "max": SMS_MAX_SEGMENTS}
                }
            )
    rendition = (
        Rendition.objects.select_for_update().filter(bulletin=bulletin, channel=channel, language=language).first()
    )
    if rendition is not None and version is not None and int(version) != rendition.version:
        raise StaleBulletinEdit
    return _write_rendition(bulletin, channel, language, text, rendition)


@transaction.atomic
def rendition_delete(*, user, rendition) -> None:
    require(user, BULLETINS_WRITE, rendition)
    _locked_draft(rendition.bulletin, None)
    _drop_audio(rendition)
    rendition.delete()


AUDIO_MAX_BYTES = 50 * 1024 * 1024


@transaction.atomic
def rendition_upload_recording(*, user, rendition, upload):
    """Replace the rendition's audio by a human recording (MP3, Ogg/Opus, WAV or M4A, read by its
    content); its length is measured and stored."""
    import hashlib
    import os

    from django.core.files.base import ContentFile

    from . import speech
    from .models import Rendition

    require(user, BULLETINS_WRITE, rendition)
    _locked_draft(rendition.bulletin, None)
    name = os.path.basename(getattr(upload, "name", "") or "recording")[:200]
    size = getattr(upload, "size", None) or 0
    if size > AUDIO_MAX_BYTES:
        raise ValidationError(
            {
                "audio": _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"name": name, "size": size, "limit": AUDIO_MAX_BYTES}
            }
        )
    data = upload.read()
    try:
        facts = speech.probe(data, name)
    except ValidationError as exc:
        raise ValidationError({"audio": exc.messages}) from exc
    except speech.SpeechUnavailable as exc:
        raise ValidationError({"audio": str(exc)}) from exc
    rendition = Rendition.objects.select_for_update().get(pk=rendition.pk)
    _drop_audio(rendition)
    extension = os.path.splitext(name)[1].lower() or ".audio"
    rendition.audio.save(f"b{rendition.bulletin_id}-{rendition.pk}-rec{extension}", ContentFile(data), save=False)
    rendition.audio_origin = Rendition.AudioOrigin.RECORDING
    rendition.audio_status = Rendition.AudioStatus.READY
    rendition.audio_seconds = round(facts.duration_seconds, 2)
    rendition.audio_sha256 = hashlib.sha256(data).hexdigest()
    rendition.audio_text_checksum = _text_checksum(rendition.text)
    rendition.version += 1
    rendition.save()
    return rendition


@transaction.atomic
def rendition_request_speech(*, user, rendition):
    """Ask for synthetic audio of a loudspeaker rendition; a job makes it (tasks.synthesize_rendition)."""
    from ketnoi.core.jobs import enqueue_on_commit

    from . import speech
    from .models import Rendition
    from .tasks import synthesize_rendition

    require(user, BULLETINS_WRITE, rendition)
    _locked_draft(rendition.bulletin, None)
    rendition = Rendition.objects.select_for_update().get(pk=rendition.pk)
    if rendition.channel != Rendition.Channel.LOUDSPEAKER:
        raise ValidationError(_("Only a loudspeaker rendition is read out."))
    missing = speech.missing_tools()
    if missing:
        raise ValidationError(" ".join(missing))
    if not speech.voice_for(rendition.language.bcp47):
        raise ValidationError(
            _("There is no synthetic voice for %(language)s: upload a human recording instead.")
            % {"language": rendition.language.name_vi}
        )
    _drop_audio(rendition)
    rendition.audio_status = Rendition.AudioStatus.PENDING
    rendition.version += 1
    rendition.save()
    enqueue_on_commit(synthesize_rendition, rendition.pk, _text_checksum(rendition.text))
    return rendition


def synthesize_rendition_now(rendition_id: int, text_checksum: str) -> str:
    """The job's body: speak the rendition's text, normalise the loudness, store the audio.
    Idempotent: a rendition whose text changed since the request, or that already has its audio,
    is left alone."""
    import hashlib

    from django.core.files.base import ContentFile

    from . import speech
    from .models import Rendition

    rendition = Rendition.objects.select_related("language").filter(pk=rendition_id).first()
    if rendition is None or _text_checksum(rendition.text) != text_checksum:
        return "superseded"
    if rendition.audio_status != Rendition.AudioStatus.PENDING:
        return "done"
    try:
        wav = speech.synthesize(rendition.text, rendition.language.bcp47)
        mastered = speech.master(wav, fmt="mp3")
    except (speech.SpeechUnavailable, ValidationError) as exc:
        message = str(exc.messages[0]) if isinstance(exc, ValidationError) else str(exc)
        Rendition.objects.filter(pk=rendition_id, audio_status=Rendition.AudioStatus.PENDING).update(
            audio_status=Rendition.AudioStatus.FAILED, audio_error=message[:500]
        )
        return "failed"
    with transaction.atomic():
        rendition = Rendition.objects.select_for_update().get(pk=rendition_id)
        if rendition.audio_status != Rendition.AudioStatus.PENDING or _text_checksum(rendition.text) != text_checksum:
            return "superseded"
        rendition.audio.save(
            f"b{rendition.bulletin_id}-{rendition.pk}-tts.{mastered.fmt}", ContentFile(mastered.data), save=False
        )
        rendition.audio_origin = Rendition.AudioOrigin.SYNTHETIC
        rendition.audio_status = Rendition.AudioStatus.READY
        rendition.audio_seconds = round(mastered.duration_seconds, 2)
        rendition.audio_sha256 = hashlib.sha256(mastered.data).hexdigest()
        rendition.audio_text_checksum = text_checksum
        rendition.audio_error = ""
        rendition.version += 1
        rendition.save()
    return "ready"


def _parse_times(times) -> list[str]:
    import re

    values = times.replace(",", " ").split() if isinstance(times, str) else list(times or [])
    parsed = set()
    for value in values:
        match = re.fullmatch(r"(\d{1,2})[:hH](\d{2})?", value.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
            raise ValidationError(
                {"times": _("%(value)s is not a time of day; write for example 06:00 or 17:30.") % {"value": value}}
            )
        parsed.add(f"{int(match.group(1)):02d}:{int(match.group(2) or 0):02d}")
    if not parsed:
        raise ValidationError({"times": _("Give at least one time of day, for example 06:00.")})
    return sorted(parsed)


@transaction.atomic
def schedule_add(*, user, bulletin, starts_on, ends_on=None, weekdays="1234567", times=()):
    """A broadcast slot: one day (``ends_on`` empty) or a recurring range on some days of the week."""
    from .models import BroadcastSchedule

    require(user, BULLETINS_WRITE, bulletin)
    bulletin = _locked_draft(bulletin, None)
    if starts_on is None:
        raise ValidationError({"starts_on": _("Give the first day.")})
    ends_on = ends_on or starts_on
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day is before the first.")})
    if (ends_on - starts_on).days > 366:
        raise ValidationError({"ends_on": _("A schedule covers at most one year.")})
    weekdays = "".join(sorted(set(str(weekdays or "")) & set("1234567")))
    if not weekdays:
        raise ValidationError({"weekdays": _("Choose at least one day of the week.")})
    return BroadcastSchedule.objects.create(
        bulletin=bulletin, starts_on=starts_on, ends_on=ends_on, weekdays=weekdays, times=_parse_times(times)
    )


@transaction.atomic
def schedule_delete(*, user, schedule) -> None:
    require(user, BULLETINS_WRITE, schedule)
    _locked_draft(schedule.bulletin, None)
    schedule.delete()


def bulletin_allowed_actions(user, bulletin) -> list[str]:
    from ketnoi.core.scoping import allows

    return [
        action
        for action, (sources, _to, capability, _c) in BULLETIN_TRANSITIONS.items()
        if bulletin.state in sources and allows(user, capability, bulletin)
    ]


@transaction.atomic
def bulletin_transition(*, user, bulletin, action: str, comment: str = ""):
    """Move a bulletin through the editorial workflow; every step is recorded with its comment."""
    from django.utils import timezone

    from .models import Bulletin

    if action not in BULLETIN_TRANSITIONS:
        raise ValidationError({"action": _("Unknown action %(action)s.") % {"action": repr(action)}})
    sources, target, capability, needs_comment = BULLETIN_TRANSITIONS[action]
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    require(user, capability, bulletin)
    if bulletin.state not in sources:
        raise ValidationError(
            _("Cannot %(action)s a bulletin that is %(state)s.")
            % {"action": action, "state": bulletin.get_state_display()}
        )
    comment = _clean(comment)
    if needs_comment and not comment:
        raise ValidationError({"comment": _("Give a reason.")})
    if action in ("submit", "approve"):
        problems = selectors.bulletin_problems(bulletin)
        if problems:
            raise ValidationError(problems)
    if action in ("appraise", "approve") and bulletin.author_id == user.pk:
        raise ValidationError(_("The editorial board appraises and approves a bulletin; its author cannot."))
    previous = bulletin.state
    bulletin.state = target
    if action == "approve":
        bulletin.approved_at = timezone.now()
    bulletin.version += 1
    bulletin.save()
    _bulletin_event(bulletin, user, previous, target, comment)
    if action == "approve":  # queued in this transaction: approved means on its way (issue 8.4)
        from ketnoi.core.jobs import enqueue_on_commit

        from . import outbox
        from .tasks import dispatch_bulletin

        outbox.queue_bulletin(bulletin)
        enqueue_on_commit(dispatch_bulletin, bulletin.pk)
    elif action == "withdraw":
        from . import outbox

        outbox.cancel_bulletin(bulletin, reason=comment)
    if action in ("approve", "withdraw"):  # an emergency is pushed to the devices after the commit
        from . import device_push

        device_push.on_transition(bulletin)
    return bulletin


# ---- SMS recipients ------------------------------------------------------------------------------


@transaction.atomic
def sms_recipient_add(*, user, commune, phone: str, language, village=None):
    """Register a person who asked for the commune's SMS bulletins (E.164, encrypted). A number
    already on the commune's list is refused; an opted-out one is not silently opted back in."""
    from django.db import IntegrityError

    from ketnoi.core import crypto

    from .models import SmsRecipient
    from .phones import normalise_phone

    require(user, CHANNELS_MANAGE, commune)
    phone = normalise_phone(phone or "", for_sms=True)
    if village is not None and village.commune_id != commune.pk:
        raise ValidationError({"village": _("The village is not in this commune.")})
    index = crypto.blind_index(phone, crypto.normalise_contact)
    existing = SmsRecipient.objects.filter(commune=commune, phone_index=index).first()
    if existing is not None:
        if existing.opted_out_at:
            raise ValidationError(
                {
                    "phone": _("This number opted out on %(date)s; it is added again only when the person asks.")
                    % {"date": existing.opted_out_at.strftime("%d/%m/%Y")}
                }
            )
        raise ValidationError({"phone": _("This number is already on the commune's list.")})
    try:
        with transaction.atomic():
            return SmsRecipient.objects.create(commune=commune, phone=phone, language=language, village=village)
    except IntegrityError:  # the same number added at the same moment by someone else
        raise ValidationError({"phone": _("This number is already on the commune's list.")}) from None


@transaction.atomic
def sms_recipient_opt_out(*, user, recipient, source: str = "staff"):
    """The person asked to receive nothing more: nothing queued for them is sent."""
    from django.utils import timezone

    from .models import Delivery, SmsRecipient

    require(user, CHANNELS_MANAGE, recipient)
    recipient = SmsRecipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.opted_out_at is None:
        recipient.opted_out_at = timezone.now()
        recipient.opt_out_source = source[:40]
        recipient.save()
        Delivery.objects.filter(recipient=recipient, state=Delivery.State.QUEUED).update(
            state=Delivery.State.CANCELLED, reason=_("The recipient opted out.")
        )
    return recipient


def opt_out_number(phone: str, *, source: str) -> int:
    """An opt-out received by SMS or messaging (no user: the person themselves): every commune's
    record of the number; returns how many were opted out."""
    from django.utils import timezone

    from ketnoi.core import crypto

    from .models import Delivery, SmsRecipient
    from .phones import normalise_phone

    try:
        index = crypto.blind_index(normalise_phone(phone), crypto.normalise_contact)
    except ValidationError:
        return 0
    with transaction.atomic():
        ids = list(
            SmsRecipient.objects.filter(phone_index=index, opted_out_at__isnull=True).values_list("pk", flat=True)
        )
        for recipient in SmsRecipient.objects.filter(pk__in=ids):
            recipient.opted_out_at, recipient.opt_out_source = timezone.now(), source[:40]
            recipient.save()  # audited, one entry per record
        Delivery.objects.filter(recipient__in=ids, state=Delivery.State.QUEUED).update(
            state=Delivery.State.CANCELLED, reason=_("The recipient opted out.")
        )
    return len(ids)
