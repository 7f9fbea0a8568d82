"""The JSON API under /api/v1/: one NinjaAPI assembling each app's router."""

import json

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from ketnoi.core.api import install_problem_handlers
from ketnoi.geo.api import router as geo_router
from ketnoi.geo.api import villages as villages_router
from ketnoi.orgs.api import router as orgs_router
from ketnoi.orgs.auth import API_AUTH
from ketnoi.people.api import router as people_router


class Utf8JSONRenderer(JSONRenderer):
    """Vietnamese and Thai stay readable in responses instead of \\u escapes."""

    def render(self, request, data, *, response_status):
        return json.dumps(data, cls=self.encoder_class, ensure_ascii=False)


api = NinjaAPI(
    renderer=Utf8JSONRenderer(),
    title="Kết Nối API",
    version="1",
    description="Reference data, villages, agencies, users and audit of Kết Nối. Authenticate with "
    "`Authorization: Bearer <token>` or a browser session. Errors are RFC 9457 problem details.",
    auth=API_AUTH,
    urls_namespace="api",
)
install_problem_handlers(api)
api.add_router("/", geo_router)
api.add_router("/villages", villages_router)
api.add_router("/", people_router)
api.add_router("/", orgs_router)
