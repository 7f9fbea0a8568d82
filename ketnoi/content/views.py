"""Pages of the editorial desk and the translation editor: thin, server-rendered, usable without JavaScript."""

from __future__ import annotations

import difflib
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketnoi.core.forms import attach_errors
from ketnoi.core.importing import ImportFailed
from ketnoi.core.paging import paginate
from ketnoi.core.roles import (
    BULLETINS_WRITE,
    CONTENT_APPRAISE,
    CONTENT_APPROVE,
    CONTENT_WRITE,
    TRANSLATION_REVIEW,
    TRANSLATION_TRANSLATE,
)
from ketnoi.core.scoping import allows
from ketnoi.core.text import vi_sorted
from ketnoi.orgs.models import User

from . import notices, qa, selectors, services
from .forms import ImageForm, ItemForm, JobForm, NewItemForm, XliffImportForm
from .models import ContentImage, ContentItem, ContentVariant, TranslationUnit
from .text import html_to_markup, html_to_text, sanitize_html


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" if field != "__all__" else m for field, ms in exc.message_dict.items() for m in ms]
    return list(exc.messages)


def _item_or_404(user, pk) -> ContentItem:
    try:
        return selectors.item_get_for_user(user=user, pk=pk)
    except ContentItem.DoesNotExist:
        raise Http404 from None


def _variant_or_404(user, pk) -> ContentVariant:
    try:
        return selectors.variant_get_for_user(user=user, pk=pk)
    except ContentVariant.DoesNotExist:
        raise Http404 from None


def _unit_or_404(user, pk) -> TranslationUnit:
    try:
        return selectors.unit_get_for_user(user=user, pk=pk)
    except TranslationUnit.DoesNotExist:
        raise Http404 from None


def _desk_user(user) -> bool:
    return any(
        user.has_capability(c)
        for c in (CONTENT_WRITE, CONTENT_APPRAISE, CONTENT_APPROVE, TRANSLATION_TRANSLATE, TRANSLATION_REVIEW)
    )


@login_required
def item_list(request):
    if not _desk_user(request.user):
        raise PermissionDenied
    state = request.GET.get("state") or None
    kind = request.GET.get("kind") or None
    query = request.GET.get("q", "")
    items = selectors.item_list_for_user(user=request.user, state=state, kind=kind, query=query)
    return render(
        request,
        "content/item_list.html",
        {
            "page": paginate(request, items),
            "q": query,
            "state": state,
            "kind": kind,
            "states": ContentItem.State.choices,
            "kinds": ContentItem.Kind.choices,
            "can_write": request.user.has_capability(CONTENT_WRITE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    if not request.user.has_capability(CONTENT_WRITE):
        raise PermissionDenied
    form = NewItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and "preview" in request.POST:
        return render(request, "content/item_form.html", {"form": form, "preview": _preview(form)})
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        owner_unit = form.owner_unit()
        values.pop("owner")
        try:
            item = services.item_create(user=request.user, owner_unit=owner_unit, **values)
        except ValidationError as exc:
            attach_errors(form, exc)
        except PermissionDenied:
            form.add_error("owner", _("You cannot write content for this unit."))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("content-item", pk=item.pk)
    return render(request, "content/item_form.html", {"form": form})


def _preview(form) -> str | None:
    """The sanitised HTML of the typed text, shown above the form; nothing is saved."""
    if not form.is_valid():
        return None
    try:
        return sanitize_html(form.cleaned_data["body"])
    except ValidationError as exc:
        attach_errors(form, exc)
        return None


@login_required
def item_detail(request, pk):
    return _item_page(request, _item_or_404(request.user, pk))


def _item_page(request, item, *, image_form=None, status=200):
    source = selectors.source_variant(item)
    variants = [
        (v, selectors.progress(v))
        for v in selectors.variant_list_for_user(user=request.user, item=item)
        if not v.is_source
    ]
    can_write = allows(request.user, CONTENT_WRITE, item)
    return render(
        request,
        "content/item_detail.html",
        {
            "item": item,
            "source": source,
            "variants": variants,
            "events": selectors.events_of(item),
            "images": item.images.select_related("language"),
            "actions": services.allowed_actions(request.user, item),
            "can_write": can_write,
            "can_edit": can_write and item.state == ContentItem.State.DRAFT,
            # an approved article can become a bulletin for the channels (issue 8.2)
            "can_make_bulletin": item.state in ("approved", "scheduled", "published")
            and allows(request.user, BULLETINS_WRITE, item),
            "image_form": image_form or ImageForm(),
            "languages": _languages_to_add(item),
            "translators": _people_for(item, TRANSLATION_TRANSLATE),
            "reviewers": _people_for(item, TRANSLATION_REVIEW),
        },
        status=status,
    )


def _languages_to_add(item):
    from ketnoi.people.models import Language

    return Language.objects.exclude(pk__in=item.variants.values("language_id"))


def _people_for(item, capability):
    """People who may do ``capability`` on the item, by full name (Vietnamese order), with their agency."""
    return vi_sorted(notices.people_with(capability, item), key=str)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = _item_or_404(request.user, pk)
    if not allows(request.user, CONTENT_WRITE, item):
        raise Http404
    source = selectors.source_variant(item)
    initial = {
        "kind": item.kind,
        "priority": item.priority,
        "title": source.title,
        "summary": source.summary,
        "body": html_to_markup(source.body),
        "section": item.section,
        "topics": item.topics.all(),
        "source": item.source,
        "ethnic_group": item.ethnic_group,
        "related_tasks": item.related_tasks.all(),
        "target_groups": item.target_groups.all(),
        "target_languages": item.target_languages.all(),
        "target_unit_codes": ", ".join(u.code for u in item.target_units.all()),
        "event_start": item.event_start,
        "event_end": item.event_end,
        "event_place": item.event_place,
    }
    form = ItemForm(request.POST or None, initial=initial, user=request.user, item=item)
    conflict = None
    version = item.version
    if request.method == "POST" and "preview" in request.POST:
        context = {
            "form": form,
            "item": item,
            "version": request.POST.get("version", version),
            "preview": _preview(form),
        }
        return render(request, "content/item_form.html", context)
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.item_update(user=request.user, item=item, version=version, **form.service_values())
        except services.StaleEdit as exc:
            conflict = exc
            fresh = selectors.source_variant(exc.item)
            form = ItemForm(
                initial={**initial, "title": fresh.title, "summary": fresh.summary, "body": html_to_markup(fresh.body)},
                user=request.user,
                item=item,
            )
            version = exc.item.version
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("content-item", pk=item.pk)
    status = 409 if conflict else 200
    return render(
        request,
        "content/item_form.html",
        {"form": form, "item": item, "version": version, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def item_transition(request, pk):
    item = _item_or_404(request.user, pk)
    action = request.POST.get("action", "")
    publish_at = None
    if request.POST.get("publish_at"):
        from django import forms

        try:
            publish_at = forms.DateTimeField().clean(request.POST["publish_at"])
        except ValidationError:
            messages.error(request, _("The publishing time is not a date and time."))
            return redirect("content-item", pk=item.pk)
    try:
        services.item_transition(
            user=request.user, item=item, action=action, comment=request.POST.get("comment", ""), publish_at=publish_at
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(state)s.") % {"state": ContentItem.objects.get(pk=pk).get_state_display()})
    return redirect("content-item", pk=item.pk)


@login_required
@require_POST
def item_comment(request, pk):
    item = _item_or_404(request.user, pk)
    try:
        services.item_comment(user=request.user, item=item, text=request.POST.get("text", ""))
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect(reverse("content-item", args=[item.pk]) + "#history")


@login_required
@require_POST
def image_upload(request, pk):
    item = _item_or_404(request.user, pk)
    if not allows(request.user, CONTENT_WRITE, item):
        raise Http404
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.image_add(
                user=request.user,
                item=item,
                upload=form.cleaned_data["file"],
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Image added."))
            return redirect("content-item", pk=item.pk)
    # Refused: the item page again with the form, its values and why (422), not a redirect.
    return _item_page(request, item, image_form=form, status=422)


def _image_or_404(user, pk) -> ContentImage:
    image = ContentImage.objects.select_related("item").filter(pk=pk).first()
    if image is None or not selectors.item_list_for_user(user=user).filter(pk=image.item_id).exists():
        raise Http404
    return image


@login_required
def image_file(request, pk):
    image = _image_or_404(request.user, pk)
    content_type = mimetypes.guess_type(image.file.name)[0] or "application/octet-stream"
    return FileResponse(image.file.open("rb"), content_type=content_type)


@login_required
@require_POST
def image_delete(request, pk):
    image = _image_or_404(request.user, pk)
    if not allows(request.user, CONTENT_WRITE, image):
        raise Http404
    item_pk = image.item_id
    services.image_delete(user=request.user, image=image)
    messages.success(request, _("Image removed."))
    return redirect("content-item", pk=item_pk)


@login_required
@require_POST
def variant_add(request, pk):
    item = _item_or_404(request.user, pk)
    if not allows(request.user, CONTENT_WRITE, item):
        raise Http404
    try:
        variant = services.variant_add(user=request.user, item=item, language=request.POST.get("language", ""))
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
        return redirect("content-item", pk=item.pk)
    messages.success(request, _("Language added: %(name)s.") % {"name": variant.language.name_en})
    return redirect("content-item", pk=item.pk)


@login_required
@require_POST
def job_assign(request, pk):
    variant = _variant_or_404(request.user, pk)
    if not allows(request.user, CONTENT_WRITE, variant):
        raise Http404
    form = JobForm(
        request.POST,
        translators=User.objects.filter(is_active=True),
        reviewers=User.objects.filter(is_active=True),
    )
    if form.is_valid():
        try:
            services.job_assign(user=request.user, variant=variant, **form.cleaned_data)
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Assignment saved."))
    else:
        messages.error(request, _("The assignment is not valid."))
    return redirect("content-item", pk=variant.item_id)


# ---- translation editor ------------------------------------------------------------------


def _mt_available() -> bool:
    from ketnoi.translation import machine

    try:
        return machine.get_provider().name != "none"
    except machine.MachineTranslationError:
        return False


def _unit_context(
    user, unit: TranslationUnit, *, mt: bool, error: list[str] | None = None, conflict: dict | None = None
) -> dict:
    """What _unit.html shows of a unit. ``conflict`` (after a stale save: ``current_text`` and
    ``your_text``) shows the stored text beside the box, which keeps the text that was typed."""
    from ketnoi.translation import selectors as translation_selectors
    from ketnoi.translation import termbase

    variant = unit.target
    source_lang = variant.item.source_language.bcp47
    target_lang = variant.language.bcp47
    source_text = unit.segment.text if unit.segment_id else unit.source_text
    try:
        suggestions = translation_selectors.memory_suggest(
            user=user,
            source_text=source_text,
            source_lang=source_lang,
            target_lang=target_lang,
            programme=services._programme_of(variant.item),
        )
    except ValidationError:
        suggestions = []
    try:
        hits = termbase.hits(text=source_text, source_lang=source_lang, target_lang=target_lang)
    except ValidationError:
        hits = []
    findings = qa.run_unit(unit)
    return {
        "unit": unit,
        "source_text": source_text,
        "old_source": unit.source_text if unit.outdated else "",
        "suggestions": suggestions,
        "hits": hits,
        "findings": findings,
        "can_translate": services.can_translate(user, unit),
        "can_review": allows(user, TRANSLATION_REVIEW, unit),
        "mt_available": mt,
        "errors": error or [],
        "conflict": conflict,
        "text": conflict["your_text"] if conflict else unit.text,
    }


def _editor(request, variant: ContentVariant, *, conflict: dict | None = None, status: int = 200):
    """The editor page; with ``conflict`` (and its ``unit`` pk), that segment shows both texts."""
    mt = _mt_available()
    units = [
        _unit_context(
            request.user, unit, mt=mt, conflict=conflict if conflict and unit.pk == conflict["unit"] else None
        )
        for unit in selectors.units_of(variant)
    ]
    job = getattr(variant, "job", None)
    first_open = next((c["unit"] for c in units if c["unit"].outdated or c["unit"].state == "untranslated"), None)
    draft_of_published = variant.published_id and variant.status != ContentVariant.Status.REVIEWED
    return render(
        request,
        "content/editor.html",
        {
            "variant": variant,
            "online": variant.published,
            "published": variant.published if draft_of_published else None,
            "first_open": first_open,
            "item": variant.item,
            "units": units,
            "job": job,
            "progress": selectors.progress(variant),
            "can_review": allows(request.user, TRANSLATION_REVIEW, variant),
            "can_translate": services.can_translate(request.user, variant),
            "overrides": selectors.overrides_of(variant),
            "xliff_form": XliffImportForm(),
        },
        status=status,
    )


@login_required
def translation_editor(request, pk):
    variant = _variant_or_404(request.user, pk)
    if variant.is_source:
        return redirect("content-item", pk=variant.item_id)
    return _editor(request, variant)


def _posted_version(request) -> int:
    """The unit version the form was rendered with; a form without one counts as stale."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@login_required
@require_POST
def unit_update(request, pk):
    """Save, machine-translate or review one segment. A version older than the stored one (someone
    saved in between) writes nothing and answers 409 with both texts; the form then carries the
    stored version, so saving again deliberately replaces the other text."""
    unit = _unit_or_404(request.user, pk)
    action = request.POST.get("action", "save")
    version = _posted_version(request)
    errors: list[str] = []
    conflict = None
    try:
        if action in ("save", "draft", "use"):
            services.unit_save(
                user=request.user,
                unit=unit,
                text=request.POST.get("text", ""),
                version=version,
                state=TranslationUnit.State.DRAFT if action == "draft" else TranslationUnit.State.TRANSLATED,
                origin="tm" if action == "use" else "human",
            )
        elif action == "mt":
            services.unit_machine_translate(user=request.user, unit=unit, version=version)
        elif action == "review":
            services.unit_review(user=request.user, unit=unit, version=version)
        elif action == "override":
            services.qa_override(
                user=request.user,
                unit=unit,
                check_id=request.POST.get("check_id", ""),
                found_text=request.POST.get("found_text", ""),
                reason=request.POST.get("reason", ""),
            )
        else:
            errors.append(_("Unknown action."))
    except PermissionDenied:
        raise Http404 from None
    except services.StaleUnitEdit as exc:
        typed = exc.your_text if exc.your_text is not None else request.POST.get("text", "")
        conflict = {"unit": unit.pk, "current_text": exc.unit.text, "your_text": typed}
    except ValidationError as exc:
        errors = _messages_of(exc)
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    if request.htmx:
        # htmx swaps only 2xx answers, and 409 (the editor's htmx-config): errors answer 200 here
        context = _unit_context(request.user, unit, mt=_mt_available(), error=errors, conflict=conflict)
        return render(request, "content/_unit.html", context, status=409 if conflict else 200)
    if conflict:
        return _editor(request, _variant_or_404(request.user, unit.target_id), conflict=conflict, status=409)
    for message in errors:
        messages.error(request, message)
    return redirect(reverse("content-editor", args=[unit.target_id]) + f"#u{unit.pk}")


@login_required
@require_POST
def variant_approve(request, pk):
    variant = _variant_or_404(request.user, pk)
    try:
        if request.POST.get("action") == "reopen":
            services.variant_reopen(user=request.user, variant=variant, comment=request.POST.get("comment", ""))
            messages.success(request, _("The translation is open again; the approved version stays online."))
        elif request.POST.get("action") == "offline":
            services.variant_take_offline(user=request.user, variant=variant, comment=request.POST.get("comment", ""))
            messages.success(request, _("The translation is no longer online."))
        else:
            services.variant_approve(user=request.user, variant=variant, comment=request.POST.get("comment", ""))
            messages.success(request, _("Translation approved for publication."))
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    return redirect("content-editor", pk=variant.pk)


@login_required
def xliff_export(request, pk):
    variant = _variant_or_404(request.user, pk)
    version = request.GET.get("version", "2.0")
    try:
        data = services.variant_xliff_export(user=request.user, variant=variant, version=version)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        return HttpResponse("; ".join(_messages_of(exc)), status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/xliff+xml; charset=utf-8")
    name = f"{variant.item.slug}.{variant.language.bcp47}.xlf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def xliff_upload(request, pk):
    variant = _variant_or_404(request.user, pk)
    if not services.can_translate(request.user, variant):
        raise Http404
    form = XliffImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an XLIFF file."))
        return redirect("content-editor", pk=variant.pk)
    upload = form.cleaned_data["file"]
    try:
        changed = services.variant_xliff_import(user=request.user, variant=variant, data=upload, filename=upload.name)
    except ImportFailed as exc:
        messages.error(request, _("Import refused; nothing was written.") + " " + exc.summary())
    except ValidationError as exc:
        messages.error(request, _("Import refused; nothing was written."))
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s segments imported.") % {"n": changed})
    return redirect("content-editor", pk=variant.pk)


@login_required
def variant_history(request, pk):
    variant = _variant_or_404(request.user, pk)
    versions = list(selectors.versions_of(variant))
    diff_table, unified, a, b = "", "", None, None
    if len(versions) >= 2 or request.GET.get("a"):
        by_number = {v.number: v for v in versions}
        try:
            a = by_number[int(request.GET.get("a", versions[1].number if len(versions) > 1 else 0))]
            b = by_number[int(request.GET.get("b", versions[0].number))]
        except (KeyError, ValueError, IndexError):
            raise Http404 from None
        old_lines = _version_lines(a)
        new_lines = _version_lines(b)
        if request.GET.get("format") == "unified":
            unified = "\n".join(difflib.unified_diff(old_lines, new_lines, f"v{a.number}", f"v{b.number}", lineterm=""))
        else:
            diff_table = difflib.HtmlDiff(wrapcolumn=70).make_table(
                old_lines, new_lines, f"v{a.number}", f"v{b.number}", context=True, numlines=2
            )
    return render(
        request,
        "content/history.html",
        {
            "variant": variant,
            "item": variant.item,
            "versions": versions,
            "a": a,
            "b": b,
            "diff_table": diff_table,
            "unified": unified,
        },
    )


def _version_lines(version) -> list[str]:
    lines = [version.title, ""]
    if version.summary:
        lines += [version.summary, ""]
    return lines + html_to_text(version.body).splitlines()


@login_required
def job_list(request):
    if not _desk_user(request.user):
        raise PermissionDenied
    jobs = selectors.job_list_for_user(user=request.user)
    if request.GET.get("mine"):
        from django.db.models import Q

        jobs = jobs.filter(Q(translator=request.user) | Q(reviewer=request.user))
    return render(request, "content/job_list.html", {"page": paginate(request, jobs), "mine": request.GET.get("mine")})
