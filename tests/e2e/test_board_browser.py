"""End-to-end: an electronic bulletin board's kiosk in Chromium (issue 8.7). The board opens its
one-time link, shows the current bulletins and rotates them, reports what it showed, and keeps
its last content with an "offline since" mark when the server cannot be reached. Nothing is
requested from anywhere but the server."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

SETUP = """
from ketnoi.core.audit import acting_as
from ketnoi.channels import boards, services
from ketnoi.channels.models import BulletinBoard
from ketnoi.geo.models import AdminUnit
from ketnoi.orgs.models import User
tavan = AdminUnit.objects.get(structure='current', level='commune', code='03037')
laocai = AdminUnit.objects.get(structure='current', level='province', code='15')
u = {n: User.objects.get(username=n) for n in ('bientap.laocai', 'thamdinh', 'dieuphoi', 'xa.tavan')}
board = BulletinBoard.objects.create(commune=tavan, name='Bảng tin E2E chợ Tả Van')
for title, priority in (('Họp thôn tháng 12 E2E', 'normal'), ('Lịch tiêm phòng E2E', 'priority')):
    with acting_as(u['bientap.laocai'], source='cli'):
        b = services.bulletin_create(user=u['bientap.laocai'], owner_unit=laocai, title=title,
            body='Mời bà con đến nhà văn hóa thôn lúc 8 giờ.', priority=priority, target_units=[tavan])
        services.rendition_delete(user=b.author, rendition=b.renditions.get(channel='loudspeaker'))
        b = services.bulletin_transition(user=b.author, bulletin=b, action='submit')
    with acting_as(u['thamdinh'], source='cli'):
        b = services.bulletin_transition(user=u['thamdinh'], bulletin=b, action='appraise')
    with acting_as(u['dieuphoi'], source='cli'):
        services.bulletin_transition(user=u['dieuphoi'], bulletin=b, action='approve')
with acting_as(u['xa.tavan'], source='cli'):
    credential, token = boards.issue_token(user=u['xa.tavan'], board=board)
print(token)
"""

REPORT = """
from ketnoi.channels.models import Delivery, DeviceCredential, PlayLog
c = DeviceCredential.objects.get(board__name='Bảng tin E2E chợ Tả Van')
states = sorted(set(Delivery.objects.filter(board=c.board).values_list('state', flat=True)))
print(c.last_state, PlayLog.objects.filter(credential=c).count(), ','.join(states))
"""

FIRST, SECOND = "Lịch tiêm phòng E2E", "Họp thôn tháng 12 E2E"


@pytest.fixture(scope="module")
def board_token(ketnoi_server):
    return ketnoi_server.shell(SETUP)


def test_the_kiosk_rotates_reports_and_keeps_its_content_offline(browser, ketnoi_server, board_token, results_dir):
    from playwright.sync_api import expect

    context = browser.new_context(
        base_url=ketnoi_server.url, service_workers="block", viewport={"width": 1280, "height": 720}
    )
    context.set_default_timeout(15_000)
    requests, errors = [], []
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install()
    page.goto("/boards/kiosk/?token=" + board_token)
    assert page.url.endswith("/boards/kiosk/")  # the token left the address bar
    shown = page.locator("article.bulletin:visible")
    expect(shown).to_have_count(1)
    expect(shown.locator("h1")).to_have_text(FIRST)  # priority first
    expect(shown).to_have_class(re.compile(r"\bpriority\b"))
    expect(page.locator("#board-count")).to_have_text("1 / 2")
    page.screenshot(path=str(results_dir / "board-kiosk.png"))

    with page.expect_response("**/boards/heartbeat"):
        page.clock.fast_forward("00:02")  # the first poll: feed (304), heartbeat
    page.clock.fast_forward("00:14")
    expect(shown.locator("h1")).to_have_text(SECOND)  # rotated
    expect(page.locator("#board-count")).to_have_text("2 / 2")

    with page.expect_response("**/boards/displayed") as displayed:
        page.clock.fast_forward("00:45")  # the next poll sends what was shown
    assert displayed.value.ok and displayed.value.json()["accepted"] >= 1

    # the network drops: the board keeps its content and says since when it is offline
    before = shown.locator("h1").inner_text()
    context.route("**/*", lambda route: route.abort())
    page.clock.fast_forward("01:00")
    offline = page.locator("#board-offline")
    expect(offline).to_be_visible()
    expect(offline).to_have_text(re.compile(r"\d\d:\d\d$"))
    expect(shown).to_have_count(1)
    assert shown.locator("h1").inner_text() in (FIRST, SECOND)
    assert before in (FIRST, SECOND)
    page.clock.fast_forward("00:15")
    expect(shown.locator("h1")).to_have_text(re.compile(f"^({FIRST}|{SECOND})$"))  # still rotating
    page.screenshot(path=str(results_dir / "board-kiosk-offline.png"))
    context.unroute("**/*")

    state, plays, deliveries = ketnoi_server.shell(REPORT).split(" ")
    assert state == "online" and int(plays) >= 1
    assert set(deliveries.split(",")) <= {"sent", "played"} and "played" in deliveries
    assert errors == []
    outside = [url for url in requests if not url.startswith(ketnoi_server.url + "/")]
    assert outside == [], outside
    context.close()


def test_without_javascript_the_server_rotates_the_bulletins(browser, ketnoi_server, board_token):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=ketnoi_server.url, java_script_enabled=False)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/boards/kiosk/?token=" + board_token)
    shown = page.locator("article.bulletin:visible h1")
    expect(shown).to_have_text(FIRST)
    with page.expect_navigation(timeout=30_000):  # <meta refresh> after BOARD_ROTATE_SECONDS (15 s)
        pass
    expect(shown).to_have_text(SECOND)
    assert page.url.endswith("/boards/kiosk/?at=1")
    assert all(url.startswith(ketnoi_server.url + "/") for url in requests), requests
    context.close()


RENAME = """
from ketnoi.channels.models import BulletinBoard
print(BulletinBoard.objects.filter(name__startswith='Bảng tin E2E chợ Tả Van').update(name=%r))
"""


def test_a_board_restarted_offline_shows_its_last_page_from_the_service_worker(browser, ketnoi_server, board_token):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=ketnoi_server.url, service_workers="allow")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/boards/kiosk/?token=" + board_token)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    response = page.reload()  # now controlled: the worker keeps this page and its files
    assert response.from_service_worker
    expect(page.locator("article.bulletin:visible h1")).to_have_text(FIRST)
    # the server's page changes (the board is renamed), then the network drops and the board restarts
    assert ketnoi_server.shell(RENAME % "Bảng tin E2E chợ Tả Van (đổi tên)") == "1"
    context.set_offline(True)
    assert page.evaluate("fetch('/boards/feed.json').then(() => 'up', () => 'down')") == "down"
    page.reload()
    expect(page.locator("article.bulletin:visible h1")).to_have_text(FIRST)  # the last content
    expect(page.locator(".board-name")).to_have_text("Bảng tin E2E chợ Tả Van")  # the kept page, not a new one
    expect(page.locator("#board-offline")).to_be_visible()  # its first fetch failed
    context.set_offline(False)
    assert ketnoi_server.shell(RENAME % "Bảng tin E2E chợ Tả Van") == "1"
    assert errors == []
    context.close()
