"""SMS segment counts (GSM-7 and UCS-2) and reading time at a language's speech rate (issue 8.2)."""

import math

from ketnoi.channels.renditions import reading_seconds, sms_size, speech_rates


def test_plain_ascii_fits_160_gsm7_characters_then_153_per_part():
    assert sms_size("a" * 160).segments == 1 and sms_size("a" * 160).encoding == "GSM-7"
    assert sms_size("a" * 161).segments == 2
    assert sms_size("a" * 306).segments == 2 and sms_size("a" * 307).segments == 3


def test_extension_characters_count_twice():
    assert sms_size("€" * 80).units == 160 and sms_size("€" * 80).segments == 1
    assert sms_size("€" * 81).segments == 2


def test_vietnamese_with_diacritics_is_ucs2_70_then_67():
    notice = "Thông báo: lịch tiêm vắc-xin tại trạm y tế xã"
    size = sms_size(notice)
    assert size.encoding == "UCS-2" and size.units == len(notice)
    assert sms_size("ă" * 70).segments == 1 and sms_size("ă" * 71).segments == 2
    assert sms_size("ă" * 134).segments == 2 and sms_size("ă" * 135).segments == 3


def test_vietnamese_without_diacritics_goes_as_gsm7():
    assert sms_size("Thong bao: lich tiem vac-xin tai tram y te xa").encoding == "GSM-7"


def test_characters_outside_the_basic_plane_count_two_utf16_units():
    assert sms_size("🙂").units == 2


def test_reading_time_follows_the_languages_rate_from_data():
    rates = speech_rates()
    assert set(rates) >= {"vi", "th", "default"}
    text = " ".join(["tin"] * int(rates["vi"][1]))  # one minute of words at the Vietnamese rate
    assert reading_seconds(text, "vi") == 60
    assert reading_seconds(text, "xx") == math.ceil(len(text.split()) * 60 / rates["default"][1])


def test_thai_words_are_counted_without_spaces():
    assert reading_seconds("ประชาชนในหมู่บ้านได้รับข่าวสาร", "th") >= 2
