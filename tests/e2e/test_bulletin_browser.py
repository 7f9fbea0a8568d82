"""End-to-end (issue 8.13): a provincial editor turns an approved article into a bulletin in
Vietnamese and Mông — synthetic speech for Vietnamese, an uploaded human recording for Mông —
schedules it for three communes after a mistyped time, the editorial board appraises and approves
it, and the outbox holds one delivery per cluster and language. Simulated loudspeaker clusters
(`ketnoi simulate-devices`) poll, download and play it; the commune operator sees the play log; an
emergency reaches every simulated device; the province's minutes-broadcast figure for the quarter
grows."""

from __future__ import annotations

import json
import shutil
import subprocess
import time

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

MONG = "Tsev kho mob qhia: tsis txhob hla dej thaum los nag hnyav."


def _session(browser, server, username):
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    login(page, username)
    return context, page


def _transition(page, url, action):
    page.goto(url)
    with page.expect_navigation():
        page.locator(f"form[action$='/transition/'] button[value={action}]").click()


def test_editor_makes_a_bulletin_in_two_languages_and_the_board_approves_it(
    browser, ketnoi_server, tmp_path, results_dir
):
    from playwright.sync_api import expect

    from tests.conftest import require_service

    require_service(shutil.which("ffmpeg") is not None and shutil.which("espeak-ng") is not None, "ffmpeg, espeak-ng")
    recording = tmp_path / "ban-tin-mong.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=3", str(recording)], check=True
    )
    item_pk, communes = ketnoi_server.shell(
        "from ketnoi.content.models import ContentItem; from ketnoi.geo.models import AdminUnit; "
        "i = ContentItem.objects.get(slug='lao-cai-tap-huan-can-bo-thong-tin-co-so'); "
        "cur = AdminUnit.objects.filter(structure='current', level='commune'); "
        "cs = [str(u.pk) for u in cur.filter(province__code='15').exclude(code='03037').order_by('code')[:2]]; "
        "cs.append(str(cur.get(code='03037').pk)); "
        "print(i.pk, ','.join(cs))"
    ).split()
    communes = communes.split(",")

    # 1. The editor starts from the published article.
    context, page = _session(browser, ketnoi_server, "bientap.laocai")
    page.goto(f"/content/{item_pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Làm bản tin cho loa, bảng tin và SMS").click()
    page.select_option("#id_target_units", communes)
    page.select_option("#id_priority", "priority")
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    bulletin_url = page.url
    expect(page.locator("h1")).to_contain_text("Lào Cai tập huấn cán bộ thông tin cơ sở vùng cao")
    expect(page.locator("main")).to_contain_text("3 xã")
    expect(page.locator("#problems")).to_be_visible()

    # 2. A Mông loudspeaker script, with a human recording (there is no Mông synthetic voice).
    page.select_option("#new-channel", "loudspeaker")
    page.select_option("#new-language", "hmn")
    with page.expect_navigation():
        page.locator("form[action$='/renditions/new/'] button").click()
    page.fill("#id_text", MONG)
    with page.expect_navigation():
        page.locator("main form.form button[type=submit]").click()
    row = page.locator("#r-loudspeaker-hmn")
    row.locator("input[name=audio]").set_input_files(str(recording))
    with page.expect_navigation():
        row.locator("form[action$='/recording/'] button").click()
    expect(page.locator("#r-loudspeaker-hmn audio")).to_have_count(1)
    expect(page.locator("#r-loudspeaker-hmn")).to_contain_text("bản thu âm giọng người")

    # 3. Vietnamese speech made by the worker.
    with page.expect_navigation():
        page.locator("#r-loudspeaker-vi form[action$='/speech/'] button").click()
    deadline = time.monotonic() + 90
    while page.locator("#r-loudspeaker-vi audio").count() == 0:
        assert time.monotonic() < deadline, page.locator("#r-loudspeaker-vi").inner_text()
        time.sleep(1)
        page.reload()
    expect(page.locator("#r-loudspeaker-vi")).to_contain_text("tổng hợp giọng nói")

    # 4. A schedule, with a mistyped time first: the error names it, nothing typed is lost.
    page.fill("#id_starts_on", "2026-12-07")
    page.fill("#id_ends_on", "2026-12-20")
    page.fill("#id_times", "6h, 25:00")
    with page.expect_navigation():
        page.locator("#schedule-form button[type=submit]").click()
    expect(page.locator("#schedule-form")).to_contain_text("25:00")
    expect(page.locator("#id_times")).to_have_value("6h, 25:00")
    page.fill("#id_times", "6h, 17:30")
    with page.expect_navigation():
        page.locator("#schedule-form button[type=submit]").click()
    expect(page.locator("#schedules")).to_be_visible()
    expect(page.locator("main")).to_contain_text("06:00, 17:30")
    expect(page.locator("#problems")).to_have_count(0)
    _transition(page, bulletin_url, "submit")
    expect(page.locator("main")).not_to_contain_text("Bản nháp")
    page.screenshot(path=str(results_dir / "bulletin-submitted.png"), full_page=True)
    context.close()

    # Two simulated clusters join Tả Van's station before the approval (their set-up only).
    simulate = ["simulate-devices", "--commune", "03037", "--count", "2", "--url", ketnoi_server.url, "--json"]
    ketnoi_server.run(*simulate, "--duration", "1", "--no-sse", timeout=120)

    # 5. The editorial board: the reviewer appraises, the coordinator approves.
    for username, action in (("thamdinh", "appraise"), ("dieuphoi", "approve")):
        context, page = _session(browser, ketnoi_server, username)
        _transition(page, bulletin_url, action)
        context.close()
    bulletin_pk = bulletin_url.rstrip("/").rsplit("/", 1)[-1]
    counts = ketnoi_server.shell(
        "from ketnoi.channels.models import Bulletin, Delivery; "
        f"b = Bulletin.objects.get(pk={bulletin_pk}); "
        "from ketnoi.channels.models import BulletinBoard, LoudspeakerCluster; "
        "live = dict(station__commune__code='03037', retired_on__isnull=True, station__retired_on__isnull=True); "
        "print(b.state, Delivery.objects.filter(bulletin=b, endpoint='cluster', commune__code='03037').count(), "
        "2 * LoudspeakerCluster.objects.filter(**live).count(), "
        "Delivery.objects.filter(bulletin=b, endpoint='board', commune__code='03037').count(), "
        "BulletinBoard.objects.filter(commune__code='03037', retired_on__isnull=True).count())"
    )
    # Tả Van's clusters (the demo's, the simulated ones, any other test's) × Vietnamese and Mông; its boards
    state, clusters, expected_clusters, boards, expected_boards = counts.split()
    assert state == "approved" and clusters == expected_clusters and int(clusters) >= 8
    assert boards == expected_boards and int(boards) >= 1

    # 6. The devices poll, download and play it; an emergency reaches them all.
    minutes = (
        "from ketnoi.channels import evidence; from ketnoi.indicators.models import DataElement; "
        "from ketnoi.indicators.selectors import element_total; from ketnoi.geo.models import AdminUnit; "
        "evidence.compute_period('2026Q4'); "
        "print(element_total(DataElement.objects.get(code=evidence.MINUTES), period='2026Q4', "
        "unit=AdminUnit.objects.get(structure='current', level='province', code='15')) or 0)"
    )
    before = float(ketnoi_server.shell(minutes))
    report = json.loads(
        ketnoi_server.run(*simulate, "--duration", "30", "--poll", "2", "--emergency-after", "8", timeout=300)
        .strip()
        .splitlines()[-1]
    )
    assert report["counts"]["played"] >= 4, report  # both languages on both simulated clusters
    assert report["counts"].get("log_lines_accepted", 0) >= 4, report
    assert report["emergency_latency"]["n"] == 2, report  # every simulated device got the emergency
    played = ketnoi_server.shell(
        "from ketnoi.channels.models import PlayLog; "
        f"print(PlayLog.objects.filter(bulletin_id={bulletin_pk}).values('rendition__language__bcp47').distinct().count())"
    )
    assert played == "2"

    # 7. The commune operator sees the plays; the province's reach figure grows.
    context, page = _session(browser, ketnoi_server, "xa.tavan")
    page.goto("/channels/console/plays/?commune=03037")
    expect(page.locator("main")).to_contain_text("Lào Cai tập huấn cán bộ thông tin cơ sở vùng cao")
    page.screenshot(path=str(results_dir / "operator-play-log.png"), full_page=True)
    context.close()
    assert float(ketnoi_server.shell(minutes)) > before
