"""Village and classification imports: good files land whole, bad files leave nothing behind."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.core.importing import ImportFailed
from ketnoi.core.models import AuditEntry
from ketnoi.geo.importers import import_classification, import_villages
from ketnoi.geo.models import ClassificationPeriod, CommuneClassification, DifficultVillage, Village

HEADER = "commune_code,name,kind,households,minority_households,population\n"


def csv_file(text: str, name: str = "villages.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "villages.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def refused(callable_, *args, **kwargs) -> ImportFailed:
    with pytest.raises(ImportFailed) as info:
        callable_(*args, **kwargs)
    return info.value


def test_csv_import_creates_villages_and_is_idempotent(users):
    content = HEADER + "03037,Bản Cát Cát,bản,120,118,600\n03037,Thôn Mới,thôn,80,,\n"
    result = import_villages(csv_file(content), user=users["tinh.laocai"])
    assert (result.created, result.updated) == (2, 0)
    assert Village.objects.get(name="Bản Cát Cát").kind == "ban"
    again = import_villages(csv_file(content), user=users["tinh.laocai"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEntry.objects.filter(action="import", model="geo.village").count() == 2


def test_xlsx_import_with_numeric_codes_that_lost_their_zeros(users):
    rows = [["commune_code", "name", "kind", "households"], [3037, "Bản Xlsx", "bản", 10]]
    result = import_villages(xlsx_file(rows), user=users["xa.tavan"])
    assert result.created == 1
    assert Village.objects.get(name="Bản Xlsx").commune.code == "03037"


def test_import_normalises_text_to_nfc_and_modern_tone_marks(users):
    import unicodedata

    name = unicodedata.normalize("NFD", "Thôn Hoà Bình")
    import_villages(csv_file(HEADER + f"03037,{name},,,,\n"), user=users["xa.tavan"])
    assert Village.objects.filter(name="Thôn Hòa Bình").exists()


@pytest.mark.parametrize(
    "content, row, field, fragment",
    [
        (HEADER + "99999,Bản A,,,,\n", 2, "commune_code", "unknown commune code"),
        (HEADER + "03037,Bản A,,,,\n03037,bản a,,,,\n", 3, "name", "duplicate of row 2"),
        (HEADER + "03037,Bản A,khu tập thể,,,\n", 2, "kind", "unknown village kind"),
        (HEADER + "03037,Bản A,,mười,,\n", 2, "households", "not a whole number"),
        (HEADER + "03037,Bản A,,10,20,\n", 2, "minority_households", "larger than households"),
        (HEADER + "03037,,,,,\n03037,Bản B,,,,1\n", 2, "name", "needs a name"),
        ("commune,name\n03037,Bản A\n", 1, None, "missing column"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(users, content, row, field, fragment):
    before = Village.objects.count()
    error = refused(import_villages, csv_file(HEADER.replace(HEADER, "") + content), user=users["tinh.laocai"])
    first = error.errors[0]
    assert (first.filename, first.row, first.field) == ("villages.csv", row, field)
    assert fragment in first.message
    assert "villages.csv" in str(first)
    assert Village.objects.count() == before


def test_one_bad_row_among_good_ones_writes_nothing(users):
    before = Village.objects.count()
    content = HEADER + "03037,Bản Một,,,,\n03037,Bản Hai,,,,\n00000,Bản Ba,,,,\n"
    error = refused(import_villages, csv_file(content), user=users["tinh.laocai"])
    assert error.errors[0].row == 4
    assert Village.objects.count() == before


def test_wrong_encoding_is_refused_with_the_row(users):
    content = HEADER + "03037,Bản Một,,,,\n03037,Bản Hai,,,,\n"
    error = refused(import_villages, csv_file(content, encoding="utf-16"), user=users["xa.tavan"])
    assert "UTF-8" in error.errors[0].message
    latin = (HEADER + "03037,Ban Mot,,,,\n03037,B\xe0n,,,,\n").encode("latin-1")
    error = refused(import_villages, SimpleUploadedFile("v.csv", latin), user=users["xa.tavan"])
    assert error.errors[0].row == 3 and "UTF-8" in error.errors[0].message


def test_oversized_and_empty_files_are_refused(users, settings):
    settings.IMPORT_MAX_BYTES = 100
    error = refused(import_villages, csv_file(HEADER + "03037,Bản A,,,,\n" * 10), user=users["xa.tavan"])
    assert "limit" in error.errors[0].message
    settings.IMPORT_MAX_BYTES = 10_000
    assert "empty" in refused(import_villages, csv_file(""), user=users["xa.tavan"]).errors[0].message
    assert "no data rows" in refused(import_villages, csv_file(HEADER), user=users["xa.tavan"]).errors[0].message


def test_damaged_and_hostile_xlsx_are_refused(users, settings):
    error = refused(
        import_villages, SimpleUploadedFile("v.xlsx", b"PK\x03\x04 not really a zip"), user=users["xa.tavan"]
    )
    assert "XLSX" in error.errors[0].message
    # A zip bomb: a small file that unpacks far beyond the limit.
    settings.IMPORT_MAX_BYTES = 50_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    error = refused(import_villages, SimpleUploadedFile("bomb.xlsx", buffer.getvalue()), user=users["xa.tavan"])
    assert "unsafe size" in error.errors[0].message
    assert (
        "unsupported"
        in refused(import_villages, SimpleUploadedFile("v.pdf", b"%PDF-1.4"), user=users["xa.tavan"]).errors[0].message
    )


def test_xlsx_with_external_entity_is_refused(users, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    good = xlsx_file([["commune_code", "name"], ["03037", "Bản XXE"]])
    data = io.BytesIO(good.read())
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
                    f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(),
                ).replace(b"B\xe1\xba\xa3n XXE", b"&xxe;")
            target.writestr(item, content)
    error = refused(import_villages, SimpleUploadedFile("xxe.xlsx", out.getvalue()), user=users["xa.tavan"])
    assert "XLSX" in error.errors[0].message and "TOP-SECRET" not in str(error.errors[0])
    assert not Village.objects.filter(name__contains="TOP-SECRET").exists()


def test_rows_outside_the_users_area_are_refused(users):
    error = refused(import_villages, csv_file(HEADER + "00721,Thôn Lạ,,,,\n"), user=users["xa.tavan"])
    assert error.errors[0].field == "commune_code" and "outside your area" in error.errors[0].message


CLASS_HEADER = "commune_code,area,village_name\n"


def test_classification_import_by_legacy_code(users):
    period = ClassificationPeriod.objects.get(code="2021-2025")
    content = CLASS_HEADER + "03040,III,\n03040,,Bản Hầu Thào\n03037,II,\n"
    result = import_classification(csv_file(content, "861.csv"), user=users["admin"], period=period)
    assert result.created == 3
    assert CommuneClassification.objects.get(period=period, legacy_commune__code="03040").area == "III"
    assert DifficultVillage.objects.filter(period=period, village_name="Bản Hầu Thào").exists()


@pytest.mark.parametrize(
    "content, row, field, fragment",
    [
        (CLASS_HEADER + "99999,I,\n", 2, "commune_code", "unknown legacy commune code"),
        (CLASS_HEADER + "03040,IV,\n", 2, "area", "I, II or III"),
        (CLASS_HEADER + "03040,I,\n03040,III,\n", 3, "area", "conflicts with row 2"),
        (CLASS_HEADER + "03040,,Bản A\n03040,,bản a\n", 3, "village_name", "duplicate of row 2"),
        (CLASS_HEADER + "03040,,\n", 2, "area", "give an area"),
    ],
)
def test_classification_bad_rows(users, content, row, field, fragment):
    period = ClassificationPeriod.objects.get(code="2021-2025")
    before = (CommuneClassification.objects.count(), DifficultVillage.objects.count())
    error = refused(import_classification, csv_file(content, "861.csv"), user=users["admin"], period=period)
    assert (error.errors[0].filename, error.errors[0].row, error.errors[0].field) == ("861.csv", row, field)
    assert fragment in error.errors[0].message
    assert (CommuneClassification.objects.count(), DifficultVillage.objects.count()) == before


def test_only_national_administrators_import_classifications(users):
    period = ClassificationPeriod.objects.get(code="2021-2025")
    error = refused(
        import_classification, csv_file(CLASS_HEADER + "03040,I,\n"), user=users["tinh.laocai"], period=period
    )
    assert "national" in error.errors[0].message
