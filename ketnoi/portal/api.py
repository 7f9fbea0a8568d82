"""Portal API: public reads (published items, published answers; no sign-in) and the moderators'
endpoints for citizens' feedback (signed in, scoped by CONTENT_APPRAISE)."""

from ninja import Router
from ninja.pagination import paginate

from ketnoi.content import selectors as content
from ketnoi.core.api import Page

from . import selectors, services
from .languages import portal_language
from .schemas import AnswerIn, AnswerOut, FeedbackOut, PublicItemOut, RejectIn

router = Router(tags=["portal"])


@router.get("/portal/answers", response=list[AnswerOut], auth=None)
@paginate(Page)
def list_answers(request, language: str = "vi"):
    """Published questions and answers in a portal language (public, no sign-in; no personal data)."""
    return selectors.published_answers(language=portal_language(language)).select_related("item")


@router.get("/portal/items", response=list[PublicItemOut], auth=None)
@paginate(Page)
def list_items(request, language: str = "vi", q: str = "", topic: str | None = None, kind: str | None = None):
    """Published items in a portal language (public, no sign-in); `q` ignores Vietnamese diacritics
    and is word-segmented for Thai."""
    return content.public_items(language=portal_language(language), topic=topic, kind=kind, query=q or None)


@router.get("/portal/feedback", response=list[FeedbackOut])
@paginate(Page)
def list_feedback(request, state: str | None = None):
    """Feedback the caller may moderate (CONTENT_APPRAISE over its unit; central feedback: country scope)."""
    return selectors.feedback_list_for_user(user=request.user, state=state)


@router.get("/portal/feedback/{int:feedback_id}", response=FeedbackOut)
def get_feedback(request, feedback_id: int):
    return selectors.feedback_get_for_user(user=request.user, pk=feedback_id)


@router.post("/portal/feedback/{int:feedback_id}/answer", response=FeedbackOut)
def answer_feedback(request, feedback_id: int, payload: AnswerIn):
    """Answer and publish (question and answer appear on the portal without the sender)."""
    feedback = selectors.feedback_get_for_user(user=request.user, pk=feedback_id)
    return services.feedback_answer(user=request.user, feedback=feedback, answer=payload.answer)


@router.post("/portal/feedback/{int:feedback_id}/reject", response=FeedbackOut)
def reject_feedback(request, feedback_id: int, payload: RejectIn):
    feedback = selectors.feedback_get_for_user(user=request.user, pk=feedback_id)
    return services.feedback_reject(user=request.user, feedback=feedback, reason=payload.reason)
