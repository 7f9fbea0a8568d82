"""The JSON API under /api/v1/: one NinjaAPI assembling each app's router."""

import json

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from ketnoi.channels.api import router as channels_router
from ketnoi.channels.device_api import router as devices_router
from ketnoi.content.api import router as content_router
from ketnoi.core.api import install_problem_handlers
from ketnoi.dhis2.api import router as dhis2_router
from ketnoi.emulation.api import router as emulation_router
from ketnoi.exchange.api import router as exchange_router
from ketnoi.geo.api import router as geo_router
from ketnoi.geo.api import villages as villages_router
from ketnoi.inbox.api import router as inbox_router
from ketnoi.incidents.api import router as incidents_router
from ketnoi.indicators.api import router as indicators_router
from ketnoi.inspections.api import router as inspections_router
from ketnoi.notifications.api import router as notifications_router
from ketnoi.orgs.api import router as orgs_router
from ketnoi.orgs.auth import API_AUTH
from ketnoi.people.api import router as people_router
from ketnoi.portal.api import router as portal_router
from ketnoi.press.api import router as press_router
from ketnoi.programmes.api import router as programmes_router
from ketnoi.reports.api import router as reports_router
from ketnoi.skills.api import router as skills_router
from ketnoi.translation.api import router as translation_router


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
api.add_router("/", indicators_router)
api.add_router("/", programmes_router)
api.add_router("/", exchange_router)
api.add_router("/", inspections_router)
api.add_router("/", incidents_router)
api.add_router("/", inbox_router)
api.add_router("/", channels_router)
api.add_router("/", devices_router)
api.add_router("/", skills_router)
api.add_router("/", emulation_router)
api.add_router("/", notifications_router)
api.add_router("/", reports_router)
api.add_router("/", translation_router)
api.add_router("/", dhis2_router)
api.add_router("/", content_router)
api.add_router("/", portal_router)
api.add_router("/", press_router)
