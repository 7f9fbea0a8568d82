from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import EthnicGroup


@login_required
def ethnic_group_list(request):
    query = request.GET.get("q", "")
    set_code = request.GET.get("set") or None
    groups = selectors.ethnic_group_search(query=query, set_code=set_code)
    return render(
        request,
        "people/ethnic_group_list.html",
        {
            "groups": groups,
            "q": query,
            "set_code": set_code,
            "sets": selectors.group_set_list(),
            "total_population": sum(g.population_2019 or 0 for g in groups),
        },
    )


@login_required
def ethnic_group_detail(request, code):
    try:
        group = selectors.ethnic_group_get(code=code)
    except EthnicGroup.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "people/ethnic_group_detail.html",
        {
            "group": group,
            "languages": group.languages.all(),
            "sets": group.sets.all(),
        },
    )


@login_required
def language_list(request):
    query = request.GET.get("q", "")
    languages = list(selectors.language_search(query=query))
    for language in languages:
        language.voice_available = selectors.has_voice(language)
    return render(
        request,
        "people/language_list.html",
        {
            "languages": languages,
            "q": query,
            "espeak_installed": bool(selectors.installed_voices()),
        },
    )
