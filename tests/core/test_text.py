import datetime as dt
import unicodedata

from ketnoi.core.text import fold, format_date, normalize_text, parse_date, vi_sorted


def test_normalize_makes_nfc_and_modern_tone_placement():
    decomposed = unicodedata.normalize("NFD", "Lào Cai")
    assert decomposed != "Lào Cai"
    assert normalize_text(decomposed) == "Lào Cai"
    assert normalize_text("Uỷ ban nhân dân tỉnh Hoà Bình") == "Ủy ban nhân dân tỉnh Hòa Bình"
    assert normalize_text("Thuỷ lợi, khoẻ mạnh") == "Thủy lợi, khỏe mạnh"


def test_normalize_keeps_punctuation_symbols_and_other_scripts():
    text = "Theo 752/QĐ-TTg ngày 23/6/2023 (xem https://example.vn/a?b=1) ประกาศจากเทศบาล"
    assert normalize_text(text) == text


def test_normalize_removes_control_characters_and_collapses_spaces():
    assert normalize_text("Bản\x00  Lao\tChải ", collapse_spaces=True) == "Bản Lao Chải"


def test_fold_is_diacritic_insensitive():
    assert fold("Ủy ban") == "uy ban"
    assert fold("Lào Cai") == "lao cai"
    assert fold("ĐẮK LẮK") == "dak lak"


def test_vietnamese_collation_orders_letters_then_tones():
    words = ["Đà Nẵng", "Dương", "Ân", "Ăn", "An", "Bắc", "ả", "à", "a", "á", "ạ", "ã", "Ơ", "Ô", "O", "Ư", "U"]
    assert vi_sorted(words) == [
        "a",
        "à",
        "ả",
        "ã",
        "á",
        "ạ",
        "An",
        "Ăn",
        "Ân",
        "Bắc",
        "Dương",
        "Đà Nẵng",
        "O",
        "Ô",
        "Ơ",
        "U",
        "Ư",
    ]


def test_collation_key_is_plain_ascii_so_databases_agree():
    from ketnoi.core.text import vi_sort_key

    assert vi_sort_key("Đắk Lắk").isascii()


def test_dates_are_dd_mm_yyyy_and_thai_uses_buddhist_era():
    day = dt.date(2024, 6, 4)
    assert format_date(day, "vi") == "04/06/2024"
    assert format_date(day, "en") == "04/06/2024"
    assert format_date(day, "th") == "4 มิ.ย. 2567"
    assert parse_date("04/06/2024") == day
    assert parse_date("2024-06-04") == day
