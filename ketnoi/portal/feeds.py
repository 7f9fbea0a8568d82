"""RSS 2.0 and Atom feeds per portal language and per topic (Django's syndication framework)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from ketnoi.content import selectors as content

from .languages import language_name, portal_language, ui_language

FEED_ITEMS = 30


class LanguageFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, lang, topic=None):
        language = portal_language(lang)
        found = None
        if topic is not None:
            found = content.topic_list().filter(code=topic).first()
            if found is None:
                raise Http404
        return {"language": language, "topic": found, "ui": ui_language(language)}

    def title(self, obj):
        name = language_name(obj["language"], obj["ui"])
        if obj["topic"] is not None:
            topic = obj["topic"].name_en if obj["ui"] != "vi" and obj["topic"].name_en else obj["topic"].name_vi
            return f"{settings.KETNOI_SITE_NAME} · {topic} · {name}"
        return f"{settings.KETNOI_SITE_NAME} · {name}"

    def link(self, obj):
        if obj["topic"] is not None:
            return reverse("portal-topic", args=[obj["language"].bcp47, obj["topic"].code])
        return reverse("portal-home", args=[obj["language"].bcp47])

    def description(self, obj):
        return _("Latest published articles")

    def items(self, obj):
        return content.public_items(language=obj["language"], topic=obj["topic"].code if obj["topic"] else None)[
            :FEED_ITEMS
        ]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return reverse("portal-article", args=[item.language.bcp47, item.item.slug])

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [t.name_vi for t in item.item.topics.all()]


class LanguageAtomFeed(LanguageFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


def _serve(feed_class, request, lang, topic=None):
    language = portal_language(lang)
    feed = feed_class()  # one instance per request: the feed's language is this request's
    feed.language = language.bcp47
    with translation.override(ui_language(language)):
        response = feed(request, lang=lang, topic=topic)
    response.headers.setdefault("Content-Language", language.bcp47)
    return response


def rss(request, lang, topic=None):
    return _serve(LanguageFeed, request, lang, topic)


def atom(request, lang, topic=None):
    return _serve(LanguageAtomFeed, request, lang, topic)
