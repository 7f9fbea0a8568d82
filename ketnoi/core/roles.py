"""Roles and what they allow. A role is always granted with a geographic scope (see core.scoping)."""

from django.utils.translation import gettext_lazy as _

SYSTEM_ADMIN = "system_admin"
COORDINATOR = "coordinator"
AGENCY_OFFICER = "agency_officer"
PROVINCIAL_OFFICER = "provincial_officer"
COMMUNE_OFFICER = "commune_officer"
EDITOR = "editor"
TRANSLATOR = "translator"
REVIEWER = "reviewer"
AUDITOR = "auditor"

ROLE_CHOICES = [
    (SYSTEM_ADMIN, _("System administrator")),
    (COORDINATOR, _("Programme coordinator")),
    (AGENCY_OFFICER, _("Agency officer")),
    (PROVINCIAL_OFFICER, _("Provincial officer")),
    (COMMUNE_OFFICER, _("Commune officer")),
    (EDITOR, _("Editor")),
    (TRANSLATOR, _("Translator")),
    (REVIEWER, _("Reviewer")),
    (AUDITOR, _("Auditor")),
]

# Capabilities of the foundation; later features add theirs here.
VILLAGES_VIEW = "villages.view"
VILLAGES_CHANGE = "villages.change"
VILLAGES_IMPORT = "villages.import"
CLASSIFICATION_IMPORT = "classification.import"
USERS_VIEW = "users.view"
USERS_MANAGE = "users.manage"
AGENCIES_CHANGE = "agencies.change"
AUDIT_VIEW = "audit.view"
REFERENCE_LOAD = "reference.load"

# Coordination programme (issue 3).
PROGRAMMES_VIEW = "programmes.view"
PROGRAMMES_MANAGE = "programmes.manage"
TASKS_UPDATE = "tasks.update"
DATA_ENTER = "data.enter"
REPORTS_SUBMIT = "reports.submit"
REPORTS_APPROVE = "reports.approve"
EXCHANGE_SEND = "exchange.send"
INSPECTIONS_MANAGE = "inspections.manage"
EMULATION_SCORE = "emulation.score"
INCIDENTS_VIEW = "incidents.view"  # network-information-security incidents (issue 10.6)
INCIDENTS_MANAGE = "incidents.manage"
# Delivery channels (issue 8): the inventory of stations, clusters, boards and accounts.
CHANNELS_VIEW = "channels.view"
CHANNELS_MANAGE = "channels.manage"
# Bulletins (issue 8.2): written by editors and by the officers who run a commune's or a province's
# channels; appraised and approved by the editorial board (content.appraise, content.approve).
BULLETINS_WRITE = "bulletins.write"

# Content and translation (issue 4).
CONTENT_WRITE = "content.write"
CONTENT_APPRAISE = "content.appraise"
CONTENT_APPROVE = "content.approve"
TRANSLATION_TRANSLATE = "translation.translate"
TRANSLATION_REVIEW = "translation.review"
# Citizen feedback inbox (issue 8.9): route, answer and close feedback from every channel.
FEEDBACK_HANDLE = "feedback.handle"

ALL_CAPABILITIES = {
    FEEDBACK_HANDLE,
    CHANNELS_VIEW,
    CHANNELS_MANAGE,
    BULLETINS_WRITE,
    CONTENT_WRITE,
    CONTENT_APPRAISE,
    CONTENT_APPROVE,
    TRANSLATION_TRANSLATE,
    TRANSLATION_REVIEW,
    PROGRAMMES_VIEW,
    PROGRAMMES_MANAGE,
    TASKS_UPDATE,
    DATA_ENTER,
    REPORTS_SUBMIT,
    REPORTS_APPROVE,
    EXCHANGE_SEND,
    INSPECTIONS_MANAGE,
    EMULATION_SCORE,
    INCIDENTS_VIEW,
    INCIDENTS_MANAGE,
    VILLAGES_VIEW,
    VILLAGES_CHANGE,
    VILLAGES_IMPORT,
    CLASSIFICATION_IMPORT,
    USERS_VIEW,
    USERS_MANAGE,
    AGENCIES_CHANGE,
    AUDIT_VIEW,
    REFERENCE_LOAD,
}

CAPABILITIES: dict[str, set[str]] = {
    SYSTEM_ADMIN: set(ALL_CAPABILITIES),
    COORDINATOR: {
        FEEDBACK_HANDLE,
        CHANNELS_VIEW,
        CHANNELS_MANAGE,
        BULLETINS_WRITE,
        INCIDENTS_VIEW,
        INCIDENTS_MANAGE,
        PROGRAMMES_VIEW,
        VILLAGES_VIEW,
        USERS_VIEW,
        AGENCIES_CHANGE,
        PROGRAMMES_MANAGE,
        TASKS_UPDATE,
        DATA_ENTER,
        REPORTS_SUBMIT,
        REPORTS_APPROVE,
        EXCHANGE_SEND,
        INSPECTIONS_MANAGE,
        EMULATION_SCORE,
        CONTENT_WRITE,
        CONTENT_APPRAISE,
        CONTENT_APPROVE,
        TRANSLATION_REVIEW,
    },
    AGENCY_OFFICER: {
        CHANNELS_VIEW,
        INCIDENTS_VIEW,
        INCIDENTS_MANAGE,
        PROGRAMMES_VIEW,
        VILLAGES_VIEW,
        USERS_VIEW,
        TASKS_UPDATE,
        DATA_ENTER,
        REPORTS_SUBMIT,
        EXCHANGE_SEND,
    },
    PROVINCIAL_OFFICER: {
        FEEDBACK_HANDLE,
        CHANNELS_VIEW,
        CHANNELS_MANAGE,
        BULLETINS_WRITE,
        INCIDENTS_VIEW,
        INCIDENTS_MANAGE,
        PROGRAMMES_VIEW,
        VILLAGES_VIEW,
        VILLAGES_CHANGE,
        VILLAGES_IMPORT,
        USERS_VIEW,
        TASKS_UPDATE,
        DATA_ENTER,
        REPORTS_SUBMIT,
        REPORTS_APPROVE,
        EXCHANGE_SEND,
        INSPECTIONS_MANAGE,
        EMULATION_SCORE,
    },
    COMMUNE_OFFICER: {
        FEEDBACK_HANDLE,
        CHANNELS_VIEW,
        CHANNELS_MANAGE,
        BULLETINS_WRITE,
        INCIDENTS_VIEW,
        INCIDENTS_MANAGE,
        PROGRAMMES_VIEW,
        VILLAGES_VIEW,
        VILLAGES_CHANGE,
        VILLAGES_IMPORT,
        TASKS_UPDATE,
        DATA_ENTER,
        REPORTS_SUBMIT,
    },
    EDITOR: {PROGRAMMES_VIEW, VILLAGES_VIEW, CONTENT_WRITE, CHANNELS_VIEW, BULLETINS_WRITE},
    TRANSLATOR: {PROGRAMMES_VIEW, TRANSLATION_TRANSLATE},
    REVIEWER: {PROGRAMMES_VIEW, CONTENT_APPRAISE, FEEDBACK_HANDLE, TRANSLATION_REVIEW, CHANNELS_VIEW},
    AUDITOR: {
        PROGRAMMES_VIEW,
        AUDIT_VIEW,
        VILLAGES_VIEW,
        USERS_VIEW,
        INSPECTIONS_MANAGE,
        INCIDENTS_VIEW,
        CHANNELS_VIEW,
    },
}


def role_allows(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, set())
