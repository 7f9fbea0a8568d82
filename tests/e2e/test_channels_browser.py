"""End-to-end: a commune officer records the commune's loudspeakers from a spreadsheet (issue 8.1)."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

HEADER = "commune_code,station,cluster,technology,speakers,device_id,latitude,longitude,installed_on\n"


def test_officer_imports_a_loudspeaker_inventory_fixes_a_row_and_sees_it_on_the_commune_page(
    page, ketnoi_server, tmp_path, results_dir
):
    from playwright.sync_api import expect

    code = ketnoi_server.shell(
        "from ketnoi.orgs.models import User; u = User.objects.get(username='xa.tavan'); "
        "print(next(g.unit.code for g in u.role_grants.all() if g.unit and g.unit.level == 'commune'))"
    )
    before = int(
        ketnoi_server.shell(
            "from ketnoi.channels.selectors import speakers_in_service; from ketnoi.geo.models import AdminUnit; "
            f"print(speakers_in_service(commune=AdminUnit.objects.get(structure='current', code='{code}')))"
        )
    )  # the server is shared: other tests may have recorded loudspeakers in this commune already
    login(page, "xa.tavan")
    page.goto("/channels/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nhập danh mục kênh").click()
    wrong = tmp_path / "loa-xa.csv"
    wrong.write_text(
        HEADER
        + f"{code},Đài truyền thanh xã,Cụm loa trung tâm,IP,6,LOA-E2E-1,22.30,103.88,01/03/2024\n"
        + f"{code},Đài truyền thanh xã,Cụm loa thôn,IP,4,LOA-E2E-2,45.00,103.90,15/03/2024\n",
        encoding="utf-8",
    )
    page.select_option("#id_kind", "loudspeakers")
    page.set_input_files("#id_file", str(wrong))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    errors = page.locator(".errors")
    expect(errors).to_contain_text("loa-xa.csv")
    expect(errors).to_contain_text("latitude")
    expect(errors).to_contain_text("không có dữ liệu nào được ghi")  # nothing was written
    fixed = tmp_path / "loa-xa.csv"
    fixed.write_text(wrong.read_text(encoding="utf-8").replace(",45.00,", ",22.32,"), encoding="utf-8")
    page.select_option("#id_kind", "loudspeakers")
    page.set_input_files("#id_file", str(fixed))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("2 dòng")
    page.goto("/channels/")
    with page.expect_navigation():
        page.locator("main table a").first.click()
    section = page.locator("#h-channels").locator("xpath=..")
    expect(section).to_contain_text("Cụm loa trung tâm")
    expect(section).to_contain_text("Cụm loa thôn")
    expect(section).to_contain_text(f"Số loa đang sử dụng: {before + 10:,}.".replace(",", "."))
    page.screenshot(path=str(results_dir / "commune-channels.png"), full_page=True)
