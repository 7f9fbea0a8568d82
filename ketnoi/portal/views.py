"""The public portal: no sign-in, only published content in the visitor's language.

Every page is server-rendered and readable without JavaScript. The content language comes from
the address (/p/<lang>/…); the interface language follows it (see languages.py). Content is read
only through ``ketnoi.content.selectors`` (public_items, public_variant, public_languages,
related_items, public_events, public_images, public_image, topic_list).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from functools import wraps

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ketnoi.content import selectors as content
from ketnoi.content.models import ContentImage, ContentVariant
from ketnoi.content.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from ketnoi.core.audit import acting_as
from ketnoi.core.middleware import client_ip
from ketnoi.core.text import vi_sorted
from ketnoi.people.models import EthnicGroup

from . import ical, profiles, selectors, services
from .forms import FeedbackForm
from .languages import DEFAULT, autonym, language_name, portal_language, portal_languages, ui_language

PER_PAGE = 20
HOME_ITEMS = 10
CALENDAR_PAST_DAYS = 30
CALENDAR_AHEAD_DAYS = 365


# ---- helpers -------------------------------------------------------------------------------


def portal_page(view):
    """Resolve the language in the address (404 if the portal does not speak it) and render the
    page with the interface language that goes with it."""

    @wraps(view)
    def wrapper(request, lang, *args, **kwargs):
        language = portal_language(lang)
        ui = ui_language(language)
        with translation.override(ui):
            request.portal_language = language
            request.portal_ui = ui
            response = view(request, language, *args, **kwargs)
        response.headers.setdefault("Content-Language", language.bcp47)
        return response

    return wrapper


def _switcher(request, current, languages, url_for) -> list[dict]:
    entries = []
    for lang in languages:
        name, own = autonym(lang)
        entries.append(
            {"code": lang.bcp47, "name": name, "own": own, "url": url_for(lang.bcp47), "current": lang.pk == current.pk}
        )
    return entries


def _render(request, template: str, context: dict, *, status: int = 200, switcher=None) -> HttpResponse:
    language = request.portal_language
    code = language.bcp47
    if switcher is None:
        switcher = _switcher(request, language, portal_languages(), lambda c: reverse("portal-home", args=[c]))
    base = {
        "language": language,
        "lang": code,
        "ui": request.portal_ui,
        "ui_differs": request.portal_ui != code,
        "language_label": language_name(language, request.portal_ui),
        "switcher": switcher,
        "owner": selectors.portal_owner(),
        "contact": settings.PORTAL_CONTACT,
    }
    return render(request, template, base | context, status=status)


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _safe_body(html: str) -> str:
    """The body is sanitised when saved; it is cleaned again here with the same allowlist."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )


def _site_url(request) -> str:
    return (settings.KETNOI_SITE_URL or request.build_absolute_uri("/")).rstrip("/")


# ---- entry, home, articles --------------------------------------------------------------------


@require_GET
def portal_root(request):
    return redirect("portal-home", lang=DEFAULT)


@require_GET
@portal_page
def home(request, language):
    now = timezone.now()
    latest = list(content.public_items(language=language)[:HOME_ITEMS])
    events = list(content.public_events(language=language, start=now, end=now + dt.timedelta(days=60))[:5])
    topics = {}
    for variant in latest:
        for topic in variant.item.topics.all():
            topics.setdefault(topic.code, topic)
    return _render(
        request,
        "portal/home.html",
        {"latest": latest, "events": events, "topics": list(topics.values())},
    )


@require_GET
@portal_page
def article(request, language, slug):
    try:
        variant = content.public_variant(slug=slug, language=language)
    except ContentVariant.DoesNotExist:
        raise Http404 from None
    item = variant.item
    languages = content.public_languages(item)
    switcher = _switcher(
        request, language, languages, lambda code: reverse("portal-article", kwargs={"lang": code, "slug": slug})
    )
    default = next((lang for lang in languages if lang.bcp47 == DEFAULT), languages[0] if languages else language)
    context = {
        "variant": variant,
        "item": item,
        "body": _safe_body(variant.body),
        "images": list(content.public_images(variant)),
        "related": content.related_items(variant, limit=5),
        "alternates": [(lang.bcp47, reverse("portal-article", args=[lang.bcp47, slug])) for lang in languages],
        "x_default": reverse("portal-article", args=[default.bcp47, slug]),
        "site_url": _site_url(request),
    }
    return _render(request, "portal/article.html", context, switcher=switcher)


@require_GET
def image(request, pk):
    """An image of a published item (never one of a draft), served from the portal."""
    try:
        picture = content.public_image(pk=pk)
    except ContentImage.DoesNotExist:
        raise Http404 from None
    try:
        handle = picture.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
@portal_page
def topic(request, language, code):
    found = content.topic_list().filter(code=code).first()
    if found is None:
        raise Http404
    page = _page(request, content.public_items(language=language, topic=code))
    return _render(
        request, "portal/listing.html", {"heading": _topic_name(found, request.portal_ui), "page": page, "topic": found}
    )


@require_GET
@portal_page
def section(request, language, code):
    items = content.public_items(language=language, section=code)
    first = items.first()
    if first is None:
        raise Http404
    found = first.item.section
    name = found.name_en if request.portal_ui != "vi" and found.name_en else found.name_vi
    return _render(request, "portal/listing.html", {"heading": name, "page": _page(request, items)})


def _topic_name(topic, ui: str) -> str:
    return topic.name_en if ui != "vi" and topic.name_en else topic.name_vi


# ---- search ----------------------------------------------------------------------------------


@require_GET
@portal_page
def search(request, language):
    query = (request.GET.get("q") or "").strip()[:200]
    page = _page(request, content.public_items(language=language, query=query)) if query else None
    return _render(request, "portal/search.html", {"q": query, "page": page})


# ---- ethnic-group profiles ---------------------------------------------------------------------


def _foreign(language) -> bool:
    return not language.ethnic_groups.exists() and language.bcp47 not in ("vi",)


@require_GET
@portal_page
def group_list(request, language):
    groups = vi_sorted(EthnicGroup.objects.select_related("language_group"), key=lambda g: g.name_vi)
    foreign = _foreign(language)
    rows = [(g, profiles.profile(g.code_1979, language.bcp47, foreign=foreign)) for g in groups]
    text_language = profiles.profile_language(language.bcp47, foreign=foreign)
    return _render(
        request,
        "portal/group_list.html",
        {"rows": rows, "text_language": text_language, "fallback": text_language != language.bcp47},
    )


@require_GET
@portal_page
def group_detail(request, language, code):
    group = EthnicGroup.objects.select_related("language_group").filter(code_1979=code).first()
    found = profiles.profile(code, language.bcp47, foreign=_foreign(language))
    if group is None or found is None:
        raise Http404
    articles = [
        v for v in content.public_items(language=language, kind="group_profile").filter(item__ethnic_group=group)[:5]
    ]
    return _render(
        request,
        "portal/group_detail.html",
        {
            "group": group,
            "profile": found,
            "note": profiles.source_note(found.language),
            "articles": articles,
            "fallback_language": found.language,
        },
    )


# ---- event calendar --------------------------------------------------------------------------


def _local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


@require_GET
@portal_page
def calendar_month(request, language, year=None, month=None):
    today = timezone.localdate()
    year, month = year or today.year, month or today.month
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise Http404
    first = dt.date(year, month, 1)
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    events = list(content.public_events(language=language, start=first, end=last))
    by_day: dict[dt.date, list] = {}
    for variant in events:
        start = _local_day(variant.item.event_start)
        end = _local_day(variant.item.event_end) if variant.item.event_end else start
        day = max(start, first)
        while day <= min(end, last):
            by_day.setdefault(day, []).append(variant)
            day += dt.timedelta(days=1)
    weeks = [
        [{"day": day, "in_month": day.month == month, "events": by_day.get(day, [])} for day in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    previous = first - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    shown_year = year + 543 if language.bcp47.startswith("th") else year
    return _render(
        request,
        "portal/calendar.html",
        {
            "caption": f"{MONTHS[month]} {shown_year}",
            "weeks": weeks,
            "weekdays": [(WEEKDAYS[i], WEEKDAYS_ABBR[i]) for i in range(7)],
            "events": events,
            "today": today,
            "previous": reverse("portal-calendar-month", args=[language.bcp47, previous.year, previous.month]),
            "next": reverse("portal-calendar-month", args=[language.bcp47, following.year, following.month]),
        },
    )


@require_GET
@portal_page
def calendar_ics(request, language):
    now = timezone.now()
    site = _site_url(request)
    host = site.split("://", 1)[-1].split("/", 1)[0] or "ketnoi"
    variants = content.public_events(
        language=language,
        start=now - dt.timedelta(days=CALENDAR_PAST_DAYS),
        end=now + dt.timedelta(days=CALENDAR_AHEAD_DAYS),
    )
    events = [
        ical.Event(
            uid=f"{v.item.slug}-{language.bcp47}@{host}",
            start=v.item.event_start,
            end=v.item.event_end,
            summary=v.title,
            description=v.summary,
            location=v.item.event_place,
            url=site + reverse("portal-article", args=[language.bcp47, v.item.slug]),
            last_modified=v.updated_at,
        )
        for v in variants
    ]
    name = f"{settings.KETNOI_SITE_NAME} · {language_name(language, request.portal_ui)}"
    body = ical.calendar(events, name=name, language=language.bcp47, stamp=now)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="ketnoi-{language.bcp47}.ics"'
    return response


# ---- citizen feedback ---------------------------------------------------------------------------


_FEEDBACK_REFERENCE = re.compile(r"GY-\d{4}-\d{6,}-[A-Z0-9]{3}")


def _commune_from_words(form, words: str, chosen_code: str):
    """(commune code, candidates to choose from) for the commune a citizen typed by name. A code chosen
    among same-named communes is kept only while it still fits the words typed."""
    if not words.strip():
        return chosen_code, []
    candidates = selectors.commune_matches(text=words)
    if chosen_code and any(unit.code == chosen_code for unit in candidates):
        return chosen_code, []
    if len(candidates) == 1:
        return candidates[0].code, []
    if not candidates:
        form.add_error("commune", _("No current commune or ward is called %(name)s.") % {"name": words.strip()})
        return "", []
    form.add_error("commune", _("Several communes are called %(name)s: choose yours below.") % {"name": words.strip()})
    return "", candidates


@require_http_methods(["GET", "POST"])
@portal_page
def feedback(request, language):
    item_slug = (request.POST.get("item") or request.GET.get("item") or "").strip()[:120]
    about = None
    if item_slug:
        try:
            about = content.public_variant(slug=item_slug, language=language)
        except ContentVariant.DoesNotExist:
            item_slug, about = "", None
    if request.method == "GET":
        form = FeedbackForm(initial={"item": item_slug})
        sent = request.GET.get("sent", "")
        return _render(
            request,
            "portal/feedback.html",
            {
                "form": form,
                "about": about,
                "sent": bool(sent),
                "reference": sent if _FEEDBACK_REFERENCE.fullmatch(sent) else "",
            },
        )
    ip = client_ip(request)
    if services.feedback_rate_limited(ip):
        return _render(
            request,
            "portal/feedback_limited.html",
            {"minutes": services.RATE_WINDOW_SECONDS // 60, "limit": services.RATE_LIMIT},
            status=429,
        )
    services.feedback_count_attempt(ip=ip)
    form = FeedbackForm(request.POST)
    candidates = []
    if form.is_valid():
        data = form.cleaned_data
        if data["website"]:  # the honeypot: people never see it, robots fill it in
            return redirect(reverse("portal-feedback", args=[language.bcp47]) + "?sent=1")
        code, candidates = _commune_from_words(form, data["commune"], data["commune_code"])
        if not form.errors:
            try:
                # The citizen's address stays out of the append-only audit log (Decree 13/2023);
                # the rate limit above has already counted it.
                with acting_as(None, name="citizen", source="portal"):
                    feedback = services.feedback_submit(
                        language=language,
                        message=data["message"],
                        name=data["name"],
                        contact=data["contact"],
                        item_slug=item_slug,
                        commune_code=code,
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    field = "commune" if field == "commune_code" else field
                    form.add_error(field if field in form.fields else None, errors)
            else:
                url = reverse("portal-feedback", args=[language.bcp47])
                return redirect(f"{url}?sent={feedback.reference}")
    form.describe_fields()
    context = {"form": form, "about": about, "sent": False, "candidates": candidates}
    return _render(request, "portal/feedback.html", context, status=422)


@require_GET
@portal_page
def answers(request, language):
    page = _page(request, selectors.published_answers(language=language))
    return _render(request, "portal/answers.html", {"page": page})


# ---- robots, sitemap ---------------------------------------------------------------------------


@require_GET
def robots_txt(request):
    site = _site_url(request)
    lines = [
        "User-agent: *",
        f"Allow: {reverse('portal-root')}",
        "Allow: /static/portal/",
        "Disallow: /",
        f"Sitemap: {site}{reverse('portal-sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def sitemap(request):
    """Every public page, with hreflang alternates: an article lists each language it is public in
    and an x-default (Vietnamese when public in Vietnamese, else its first public language)."""
    site = _site_url(request)
    languages = portal_languages()
    entries = []
    pages = [("portal-home", ()), ("portal-groups", ()), ("portal-calendar", ()), ("portal-answers", ())]
    for name, args in pages:
        alternates = [(lang.bcp47, site + reverse(name, args=[lang.bcp47, *args])) for lang in languages]
        x_default = site + reverse(name, args=[DEFAULT])
        entries += [{"loc": url, "alternates": alternates, "x_default": x_default} for _c, url in alternates]
    for code in profiles.profile_codes():
        alternates = [(lang.bcp47, site + reverse("portal-group", args=[lang.bcp47, code])) for lang in languages]
        x_default = site + reverse("portal-group", args=[DEFAULT, code])
        entries += [{"loc": url, "alternates": alternates, "x_default": x_default} for _c, url in alternates]
    seen = set()
    for lang in languages:
        for variant in content.public_items(language=lang):
            item = variant.item
            if item.pk in seen:
                continue
            seen.add(item.pk)
            item_languages = content.public_languages(item)
            alternates = [
                (other.bcp47, site + reverse("portal-article", args=[other.bcp47, item.slug]))
                for other in item_languages
            ]
            default = next((o for o in item_languages if o.bcp47 == DEFAULT), item_languages[0])
            x_default = site + reverse("portal-article", args=[default.bcp47, item.slug])
            lastmod = (item.published_at or item.updated_at).date().isoformat()
            entries += [
                {"loc": url, "alternates": alternates, "x_default": x_default, "lastmod": lastmod}
                for _c, url in alternates
            ]
    response = render(request, "portal/sitemap.xml", {"entries": entries}, content_type="application/xml")
    return response
