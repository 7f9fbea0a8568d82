"""Writes of the press supply that are not the delivery file: a person recipient's data subject
requests (Decree 13/2023). A person is found by the phone number on record (blind index); the row
stays, anonymised, so the deliveries made to it stay counted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ketnoi.core import crypto

from .models import Recipient


def _persons(contact: str):
    index = crypto.blind_index(contact or "", crypto.normalise_contact)
    if not index:
        return Recipient.objects.none()
    return Recipient.objects.filter(phone_index=index).select_related("category", "commune", "village")


def recipients_personal_data(*, contact: str) -> list[dict]:
    """What is held about the press recipients with this phone: name, phone, place, category, deliveries."""
    return [
        {
            "reference": r.reference,
            "name": r.person_name,
            "phone": r.phone,
            "category": r.category.name,
            "commune": r.commune.name,
            "village": r.village.name if r.village else "",
            "active": r.active,
            "deliveries": [
                {"publication": d.order.publication.title, "issue": d.issue, "delivered_on": str(d.delivered_on or "")}
                for d in r.deliveries.select_related("order__publication")
            ],
        }
        for r in _persons(contact)
    ]


@transaction.atomic
def recipients_erase(*, contact: str) -> list[str]:
    """Empty the name and phone of the press recipients with this phone; returns their references."""
    references = []
    for recipient in _persons(contact):
        recipient.person_name, recipient.phone = "", ""
        recipient.active, recipient.erased_at = False, timezone.now()
        recipient.save()
        references.append(recipient.reference)
    return references
