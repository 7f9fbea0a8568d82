from django.http import Http404
from ninja import Router

from ketnoi.programmes.models import Programme

from . import documents, selectors
from .views import build_review, file_response

router = Router(tags=["Reviews and documents"])


@router.get(
    "/programmes/{code}/reviews/{period}",
    openapi_extra={
        "responses": {
            200: {
                "description": "The review file",
                "content": {documents.DOCX_TYPE: {}, documents.PDF_TYPE: {}},
            }
        }
    },
)
def review_file(request, code: str, period: str, kind: str = "annual", format: str = "docx"):
    """A preliminary (annual, midterm) or final review of the programme as DOCX or PDF (Decree 30/2020 layout).

    Reviews state national data: users without country-wide programme access get 404.
    """
    if not selectors.can_read_reviews(request.user):
        raise Http404
    programme = Programme.objects.select_related("document").filter(code=code).first()
    if programme is None:
        raise Http404
    content, filename = build_review(user=request.user, programme=programme, period=period, kind=kind, fmt=format)
    return file_response(content, format, filename)
