"""Plain forms of the editorial desk; they only parse input, the rules live in services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ketnoi.core.roles import CONTENT_WRITE
from ketnoi.core.scoping import user_scope
from ketnoi.geo.models import AdminUnit
from ketnoi.people.models import EthnicGroup, Language
from ketnoi.programmes.models import Task
from ketnoi.programmes.selectors import tasks_visible_to

from .models import ContentItem, Section, Topic
from .text import markup_to_html

CENTRAL = "central"


def owner_choices(user) -> list[tuple[str, str]]:
    scope = user_scope(user, CONTENT_WRITE)
    choices = []
    if scope.everywhere:
        choices.append((CENTRAL, str(_("Central (no province)"))))
        provinces = AdminUnit.objects.filter(structure="current", level="province")
    else:
        provinces = AdminUnit.objects.filter(structure="current", level="province", pk__in=scope.province_ids)
    choices += [(str(u.pk), u.name) for u in provinces.order_by("sort_key")]
    return choices


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContentItem.Kind.choices)
    priority = forms.ChoiceField(
        label=_("Priority (announcements)"), choices=ContentItem.Priority.choices, initial="normal"
    )
    title = forms.CharField(label=_("Title"), max_length=500)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    body = forms.CharField(
        label=_("Text"),
        help_text=_(
            "Write or paste plain text: each line or blank-line-separated block is a paragraph. "
            "## Heading, **bold**, *italic*, lines starting with - or 1. for lists, [text](https://…) for a link, "
            "| cell | cell | for tables."
        ),
        widget=forms.Textarea(attrs={"rows": 16, "class": "markup"}),
        required=False,
    )
    section = forms.ModelChoiceField(label=_("Section"), queryset=Section.objects.all(), required=False)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    ethnic_group = forms.ModelChoiceField(
        label=_("Ethnic group (profiles)"), queryset=EthnicGroup.objects.order_by("sort_key"), required=False
    )
    related_tasks = forms.ModelMultipleChoiceField(
        label=_("Related programme tasks"),
        queryset=Task.objects.none(),  # the tasks the user may read, set in __init__
        required=False,
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Target ethnic groups"), queryset=EthnicGroup.objects.order_by("sort_key"), required=False
    )
    target_languages = forms.ModelMultipleChoiceField(
        label=_("Target languages"), queryset=Language.objects.all(), required=False
    )
    target_unit_codes = forms.CharField(
        label=_("Target units (codes of current provinces or communes, comma-separated)"), required=False
    )
    event_start = forms.DateTimeField(
        label=_("Event starts"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    event_end = forms.DateTimeField(
        label=_("Event ends"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    event_place = forms.CharField(label=_("Event place"), max_length=300, required=False)

    def __init__(self, *args, user=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["aria-describedby"] = f"{self['body'].id_for_label}-help"
        tasks = Task.objects.select_related("programme").order_by("programme__code", "code")
        visible = tasks_visible_to(user, tasks)
        self.fields["related_tasks"].queryset = visible
        # Links to tasks this user may not read (another area's corrective task) are kept as they are.
        self.hidden_related_tasks = (
            list(item.related_tasks.exclude(pk__in=visible.values("pk"))) if item is not None else []
        )

    def clean_body(self):
        """The markup as the HTML the services store (sanitised there)."""
        return markup_to_html(self.cleaned_data.get("body") or "")

    def clean_target_unit_codes(self):
        codes = [c.strip() for c in (self.cleaned_data.get("target_unit_codes") or "").split(",") if c.strip()]
        units = []
        for code in codes:
            unit = AdminUnit.objects.filter(structure="current", code=code, level__in=["province", "commune"]).first()
            if unit is None:
                raise ValidationError(_("Unknown unit code %(code)s.") % {"code": code})
            units.append(unit)
        return units

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["target_units"] = data.pop("target_unit_codes")
        if "related_tasks" in data:
            data["related_tasks"] = [*data["related_tasks"], *self.hidden_related_tasks]
        return data


class NewItemForm(ItemForm):
    source_language = forms.ChoiceField(label=_("Source language"))
    owner = forms.ChoiceField(label=_("Owned by"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["source_language"].choices = [(lang.bcp47, lang.name_vi) for lang in Language.objects.all()]
        self.fields["source_language"].initial = "vi"
        self.fields["owner"].choices = owner_choices(user)

    def owner_unit(self):
        value = self.cleaned_data["owner"]
        return None if value == CENTRAL else AdminUnit.objects.get(pk=int(value))


class ImageForm(forms.Form):
    file = forms.FileField(label=_("Image (PNG, JPEG or WebP, at most 5 MB)"))
    alt_text = forms.CharField(label=_("Alternative text"), max_length=300)
    caption = forms.CharField(label=_("Caption"), max_length=500, required=False)


class JobForm(forms.Form):
    translator = forms.ModelChoiceField(label=_("Translator"), queryset=None, required=False)
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None, required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, translators=None, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["translator"].queryset = translators
        self.fields["reviewer"].queryset = reviewers


class XliffImportForm(forms.Form):
    file = forms.FileField(label=_("XLIFF file (2.0 or 1.2)"))
