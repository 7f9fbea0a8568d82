"""``{% load notifications %}{% notification_badge %}``: the bell with the unread count, for base.html."""

from django import template

from ..selectors import unread_count_for_user

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def notification_badge(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "count": unread_count_for_user(user=user)}
