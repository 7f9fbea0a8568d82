"""End-to-end: Tả Van's officer opens the operator's console (issue 8.6), accepts a normal bulletin,
moves it ahead of the one accepted before, and sees a cluster's play in the play log. Plain POST
forms: each press is a page load."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

SETUP = """
import datetime as dt, hashlib, secrets
from django.utils import timezone
from ketnoi.core.audit import acting_as
from ketnoi.orgs.models import User
from ketnoi.geo.models import AdminUnit
from ketnoi.channels import console, services
from ketnoi.channels.models import DeviceCredential, PlayLog, RadioStation, Rendition

u = {n: User.objects.get(username=n) for n in ("bientap.laocai", "thamdinh", "dieuphoi", "xa.tavan")}
tavan = AdminUnit.objects.get(structure="current", level="commune", code="03037")
station = RadioStation.objects.get(commune=tavan, name="Đài truyền thanh xã Tả Van")
today = timezone.localdate()
made = []
for title in ("Lịch tiêm phòng (e2e)", "Họp thôn cuối năm (e2e)"):
    with acting_as(u["bientap.laocai"], source="cli"):
        b = services.bulletin_create(user=u["bientap.laocai"], owner_unit=tavan.province, title=title,
                                     body="Mời bà con đến đúng giờ.", target_units=[tavan])
        for r in b.renditions.exclude(channel="loudspeaker"):
            services.rendition_delete(user=u["bientap.laocai"], rendition=r)
        Rendition.objects.filter(bulletin=b).update(audio_status="ready", audio="bulletins/e2e.mp3", audio_seconds=75)
        services.schedule_add(user=u["bientap.laocai"], bulletin=b, starts_on=today, times="06:30")
        b = services.bulletin_transition(user=u["bientap.laocai"], bulletin=b, action="submit")
    with acting_as(u["thamdinh"], source="cli"):
        b = services.bulletin_transition(user=u["thamdinh"], bulletin=b, action="appraise")
    with acting_as(u["dieuphoi"], source="cli"):
        b = services.bulletin_transition(user=u["dieuphoi"], bulletin=b, action="approve")
    made.append(b)
with acting_as(u["xa.tavan"], source="cli"):
    console.programme_decide(user=u["xa.tavan"], station=station, bulletin_id=made[0].pk, action="accept", day=today)
cluster = station.clusters.order_by("name").first()
token = secrets.token_urlsafe(24)
credential = DeviceCredential.objects.create(
    commune=tavan, cluster=cluster, token_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:8],
    last_seen_at=timezone.now(), last_state="online", volume=70, signal=-65, firmware="e2e-fw-9")
PlayLog.objects.create(credential=credential, commune=tavan, bulletin=made[0],
    rendition=made[0].renditions.get(channel="loudspeaker"), client_id="e2e-1",
    started_at=timezone.now() - dt.timedelta(minutes=5), seconds=75)
print(f"{station.pk} {made[0].pk} {made[1].pk} {today:%d/%m/%Y}")
"""


def test_officer_accepts_moves_a_bulletin_and_sees_the_play_log(page, ketnoi_server, results_dir):
    from playwright.sync_api import expect

    station, first, second, day = ketnoi_server.shell(SETUP).split()
    login(page, "xa.tavan")
    page.goto("/channels/")
    with page.expect_navigation():
        page.locator('main a[href="/channels/console/"]').click()
    assert page.url.split("?")[0].endswith("/channels/console/03037/")  # one commune: straight to it
    programme = page.locator(f"#station-{station}").locator("xpath=..").locator("table.programme")
    new_row = programme.locator(f'tr[data-bulletin="{second}"]')
    expect(new_row).to_contain_text("Họp thôn cuối năm (e2e)")
    expect(new_row.locator('button[value="up"]')).to_have_count(0)  # not accepted yet: no place in the order

    with page.expect_navigation():
        new_row.locator('button[value="accept"]').click()
    expect(page.locator(".messages")).to_be_visible()
    rows = programme.locator('tr[data-slot="06:30"]')
    order = rows.evaluate_all("rows => rows.map(r => r.dataset.bulletin)")
    assert order.index(first) < order.index(second)  # accepted later, plays later

    with page.expect_navigation():
        programme.locator(f'tr[data-bulletin="{second}"] button[value="up"]').click()
    order = programme.locator('tr[data-slot="06:30"]').evaluate_all("rows => rows.map(r => r.dataset.bulletin)")
    assert order.index(second) < order.index(first)
    assert page.locator('meta[http-equiv="refresh"]').count() == 1

    clusters = page.locator(f"#station-{station}").locator("xpath=..").locator("table.cluster-states")
    expect(clusters).to_contain_text("e2e-fw-9")
    plays = page.locator("table.play-logs")
    expect(plays).to_contain_text("Lịch tiêm phòng (e2e)")
    page.screenshot(path=str(results_dir / "operator-console.png"), full_page=True)

    with page.expect_navigation():
        page.locator('a[href="/channels/console/plays/?commune=03037"]').click()
    expect(page.locator("table.play-logs")).to_contain_text("Lịch tiêm phòng (e2e)")
    expect(page.locator("table.play-logs")).to_contain_text("75")
