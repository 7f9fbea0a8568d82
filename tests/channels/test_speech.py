"""Speech for the loudspeaker bulletins (issue 8.3): the Vietnamese reading of written text, espeak-ng
synthesis, loudness mastering and the checks on an uploaded recording."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from ketnoi.channels import speech
from ketnoi.channels.speech_text import abbreviations, normalise_for_speech, read_number
from tests.conftest import require_service

# --- Numbers -------------------------------------------------------------------------------

NUMBERS = [
    (0, "không"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (115, "một trăm mười lăm"),
    (1_005, "một nghìn không trăm linh năm"),
    (1_050, "một nghìn không trăm năm mươi"),
    (2_024, "hai nghìn không trăm hai mươi tư"),
    (15_000, "mười lăm nghìn"),
    (105_000, "một trăm linh năm nghìn"),
    (1_000_005, "một triệu không trăm linh năm"),
    (1_250_000, "một triệu hai trăm năm mươi nghìn"),
    (2_500_000_000, "hai tỷ năm trăm triệu"),
    (1_000_000_000_000, "một nghìn tỷ"),
]


@pytest.mark.parametrize(("number", "reading"), NUMBERS)
def test_cardinal_numbers_follow_the_vietnamese_reading_rules(number, reading):
    assert read_number(number) == reading


_UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5}
_UNITS |= {"sáu": 6, "bảy": 7, "tám": 8, "chín": 9}


def _parse_group(words: list[str]) -> int:
    value = 0
    if "trăm" in words:
        value, words = _UNITS[words[0]] * 100, words[2:]
    if words[:1] == ["linh"]:
        return value + _UNITS[words[1]]
    if words[:1] == ["mười"]:
        return value + 10 + (_UNITS[words[1]] if len(words) > 1 else 0)
    if "mươi" in words:
        return value + _UNITS[words[0]] * 10 + (_UNITS[words[2]] if len(words) > 2 else 0)
    return value + (_UNITS[words[0]] if words else 0)


def _parse(words: list[str]) -> int:
    """Words back to a number: an independent reader of what read_number writes."""
    if "tỷ" in words:
        at = len(words) - 1 - words[::-1].index("tỷ")
        return _parse(words[:at]) * 1_000_000_000 + (_parse(words[at + 1 :]) if words[at + 1 :] else 0)
    for word, scale in (("triệu", 1_000_000), ("nghìn", 1_000)):
        if word in words:
            at = words.index(word)
            return _parse_group(words[:at]) * scale + (_parse(words[at + 1 :]) if words[at + 1 :] else 0)
    return _parse_group(words)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_every_reading_reads_back_to_its_number_and_keeps_the_rules(number):
    reading = read_number(number)
    assert _parse(reading.split()) == number
    assert not re.search(r"mười (mốt|tư)|(?<!mươi )(mốt|tư)\b|(?<!mười )(?<!mươi )lăm", reading)
    assert not re.search(r"^không (trăm|nghìn)|linh (?!\S+$|\S+ (nghìn|triệu|tỷ))", reading)
    # a group after a higher one says its hundreds: "hai nghìn không trăm hai mươi tư"
    assert not re.search(r"(?:nghìn|triệu|tỷ) (?!\S+ trăm|nghìn|triệu|tỷ)", reading)


# --- Text ----------------------------------------------------------------------------------

# (written, said). Hand-checked readings; the sentences marked "seed" are from the seed article
# (Báo Dân tộc và Phát triển, 25/05/2024, on the programme 922/CTPH-BTTTT-UBDT).
CASES = [
    # Numbers in the Vietnamese notation: "." groups thousands, "," is the decimal comma.
    ("Giá 1.250 đồng.", "Giá một nghìn hai trăm năm mươi đồng."),
    ("Sản lượng tăng 1.250,5 tấn.", "Sản lượng tăng một nghìn hai trăm năm mươi phẩy năm tấn."),
    ("Tỷ lệ hộ nghèo giảm 12,5%.", "Tỷ lệ hộ nghèo giảm mười hai phẩy năm phần trăm."),
    ("Xã có 105 thôn, 21.000 người.", "Xã có một trăm linh năm thôn, hai mươi mốt nghìn người."),
    ("Diện tích 1.005 km2.", "Diện tích một nghìn không trăm linh năm ki lô mét vuông."),
    (
        "92,5% hộ đồng bào dân tộc thiểu số dùng điện thoại.",
        "chín mươi hai phẩy năm phần trăm hộ đồng bào dân tộc thiểu số dùng điện thoại.",
    ),
    ("Cấp 05 bản cho mỗi xã.", "Cấp năm bản cho mỗi xã."),
    ("Lượng mưa 0,05 mm.", "Lượng mưa không phẩy không năm mi li mét."),
    ("Đài phát trên tần số 98,5 MHz.", "Đài phát trên tần số chín mươi tám phẩy năm mê ga héc."),
    ("Gọi 0912345678 để báo tin.", "Gọi không chín một hai ba bốn năm sáu bảy tám để báo tin."),
    ("Thu hoạch 15 ha lúa.", "Thu hoạch mười lăm héc ta lúa."),
    ("Xây 100m2 nhà văn hóa.", "Xây một trăm mét vuông nhà văn hóa."),
    # Dates.
    ("Hạn chót 15/3/2025.", "Hạn chót ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm."),
    ("Ngày 15/03/2025 họp dân.", "Ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm họp dân."),
    ("ngày 15 tháng 3 năm 2025", "ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm"),
    (
        "Hà Nội, ngày 04 tháng 6 năm 2024",  # seed: the date line of 922/CTPH-BTTTT-UBDT
        "Hà Nội, ngày bốn tháng sáu năm hai nghìn không trăm hai mươi tư",
    ),
    (
        "Báo Dân tộc và Phát triển 25/05/2024",  # seed
        "Báo Dân tộc và Phát triển ngày hai mươi lăm tháng năm năm hai nghìn không trăm hai mươi tư",
    ),
    ("Lễ ký kết ngày 24/5.", "Lễ ký kết ngày hai mươi tư tháng năm."),
    ("Tiêm phòng từ 1/2 đến 5/2.", "Tiêm phòng từ ngày một tháng hai đến ngày năm tháng hai."),
    ("Hơn 1/2 số hộ đã đăng ký.", "Hơn một / hai số hộ đã đăng ký."),
    ("Từ tháng 4 đến tháng 1/2025.", "Từ tháng tư đến tháng một năm hai nghìn không trăm hai mươi lăm."),
    ("Trong năm 2025.", "Trong năm hai nghìn không trăm hai mươi lăm."),
    # Times.
    ("Phát lúc 06:30 hằng ngày.", "Phát lúc sáu giờ ba mươi phút hằng ngày."),
    ("Họp lúc 6h30.", "Họp lúc sáu giờ ba mươi phút."),
    ("Kết thúc lúc 17h.", "Kết thúc lúc mười bảy giờ."),
    ("Bắt đầu 7h05, nghỉ 17h00.", "Bắt đầu bảy giờ năm phút, nghỉ mười bảy giờ."),
    ("Động đất lúc 12:30:45.", "Động đất lúc mười hai giờ ba mươi phút bốn mươi lăm giây."),
    ("Nhiệt độ xuống -2°C.", "Nhiệt độ xuống âm hai độ xê."),
    # Money.
    ("Hỗ trợ 1.000.000 đồng mỗi hộ.", "Hỗ trợ một triệu đồng mỗi hộ."),
    ("Thưởng 5 triệu đồng.", "Thưởng năm triệu đồng."),
    ("Phí 200.000đ.", "Phí hai trăm nghìn đồng."),
    ("Mức 300.000 VNĐ và 50.000 VND/người.", "Mức ba trăm nghìn đồng và năm mươi nghìn đồng một người."),
    ("Tổng vốn 1,5 tỷ đồng.", "Tổng vốn một phẩy năm tỷ đồng."),
    # Spans.
    (
        "giai đoạn 2024–2030",  # seed: the programme's period
        "giai đoạn từ năm hai nghìn không trăm hai mươi tư đến năm hai nghìn không trăm ba mươi",
    ),
    (
        "Kế hoạch năm 2021-2025.",
        "Kế hoạch từ năm hai nghìn không trăm hai mươi mốt đến năm hai nghìn không trăm hai mươi lăm.",
    ),
    ("năm học 2024-2025", "năm học hai nghìn không trăm hai mươi tư đến hai nghìn không trăm hai mươi lăm"),
    ("Nghỉ 3–5 ngày.", "Nghỉ ba đến năm ngày."),
    ("Tăng 5-7%.", "Tăng năm đến bảy phần trăm."),
    # Document symbols: the number, then the kind and the issuing body in full.
    ("752/QĐ-TTg", "bảy trăm năm mươi hai, quyết định, thủ tướng chính phủ"),
    (
        "Quyết định số 752/QĐ-TTg về cấp báo",  # seed README
        "Quyết định số bảy trăm năm mươi hai, thủ tướng chính phủ về cấp báo",
    ),
    ("39/2020/TT-BTTTT", "ba mươi chín, năm hai nghìn không trăm hai mươi, thông tư, bộ thông tin và truyền thông"),
    (
        "922/CTPH-BTTTT-UBDT",  # seed
        "chín trăm hai mươi hai, chương trình phối hợp, bộ thông tin và truyền thông, ủy ban dân tộc",
    ),
    ("Nghị định 49/2024/NĐ-CP", "Nghị định bốn mươi chín, năm hai nghìn không trăm hai mươi tư, chính phủ"),
    (
        "Nghị quyết 47/NQ-CP và Kết luận 57-KL/TW",  # seed README
        "Nghị quyết bốn mươi bảy, chính phủ và Kết luận năm mươi bảy, trung ương",
    ),
    ("Luật 06/2022/QH15", "Luật sáu, năm hai nghìn không trăm hai mươi hai, quốc hội khóa mười lăm"),
    (
        "Công văn 1273/BTTTT-TTCS",
        "Công văn một nghìn hai trăm bảy mươi ba, bộ thông tin và truyền thông, thông tin cơ sở",
    ),
    ("Kế hoạch 130/KH-UBND", "Kế hoạch một trăm ba mươi, ủy ban nhân dân"),
    ("theo QĐ số 1719/QĐ-TTg", "theo quyết định số một nghìn bảy trăm mười chín, thủ tướng chính phủ"),
    # Abbreviations.
    ("UBND xã và HĐND xã", "ủy ban nhân dân xã và hội đồng nhân dân xã"),
    (
        "Thứ trưởng, Phó Chủ nhiệm UBDT Nông Thị Hà và Thứ trưởng Bộ TT&TT Nguyễn Thanh Lâm",  # seed
        "Thứ trưởng, Phó Chủ nhiệm ủy ban dân tộc Nông Thị Hà"
        " và Thứ trưởng Bộ thông tin và truyền thông Nguyễn Thanh Lâm",
    ),
    (
        "vùng đồng bào DTTS và miền núi thuộc lĩnh vực TT&TT",  # seed
        "vùng đồng bào dân tộc thiểu số và miền núi thuộc lĩnh vực thông tin và truyền thông",
    ),
    (
        "giữa Bộ TT&TT và UBDT",  # seed
        "giữa Bộ thông tin và truyền thông và ủy ban dân tộc",
    ),
    ("BTTTT và MTTQ", "bộ thông tin và truyền thông và mặt trận tổ quốc"),
    ("Học sinh THCS, THPT", "Học sinh trung học cơ sở, trung học phổ thông"),
    ("CSGT nhắc người dân mua BHYT", "cảnh sát giao thông nhắc người dân mua bảo hiểm y tế"),
    ("Đài VTV đưa tin", "Đài vê tê vê đưa tin"),
    ("THÔNG BÁO: TIN MỚI", "THÔNG BÁO: TIN MỚI"),
    # Ordinals and Roman numerals.
    ("lần thứ 1, thứ 4 và thứ 2", "lần thứ nhất, thứ tư và thứ hai"),
    ("Đại hội XIII, Quốc hội khóa XV", "Đại hội mười ba, Quốc hội khóa mười lăm"),
    ("xã KV III", "xã khu vực ba"),
    # Whitespace.
    ("  Thông   báo\n\n\nkhẩn  ", "Thông báo\nkhẩn"),
]


@pytest.mark.parametrize(("written", "said"), CASES)
def test_vietnamese_text_is_read_as_a_reader_says_it(written, said):
    assert normalise_for_speech(written, "vi") == said


def test_there_are_at_least_forty_real_world_cases():
    assert len(CASES) >= 40


def test_a_regional_tag_still_gets_the_vietnamese_rules():
    assert normalise_for_speech("UBND 21", "vi-VN") == "ủy ban nhân dân hai mươi mốt"


def test_other_languages_get_only_nfc_and_whitespace():
    decomposed = "Cafe\u0301  12,5%  UBND"
    assert normalise_for_speech(decomposed, "en") == "Café 12,5% UBND"
    assert normalise_for_speech("ราคา  100  บาท", "th") == "ราคา 100 บาท"


def test_the_output_has_no_digits_left_for_espeak_to_read():
    said = normalise_for_speech("Ngày 15/3/2025 lúc 6h30, 1.250 hộ nhận 200.000đ theo 752/QĐ-TTg.", "vi")
    assert not re.search(r"\d", said)


def test_abbreviations_are_editable_data_with_a_source_for_every_row():
    import csv

    from ketnoi.channels.speech_text import ABBREVIATIONS_FILE

    with ABBREVIATIONS_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"abbreviation", "reading", "context", "status", "source"} <= set(rows[0])
    assert all(row["source"].strip() and row["context"] in {"text", "symbol", "unit"} for row in rows)
    assert len({row["abbreviation"] for row in rows}) == len(rows)  # one row per abbreviation
    table = abbreviations()
    assert table.text["UBND"] == "ủy ban nhân dân" and table.symbol["TTg"] == "thủ tướng chính phủ"


def test_an_edited_abbreviation_row_changes_the_reading(tmp_path, monkeypatch):
    from ketnoi.channels import speech_text

    edited = tmp_path / "abbreviations.csv"
    edited.write_text("abbreviation,reading,context,status,source\nUBND,ủy ban,text,M,test\n", encoding="utf-8")
    monkeypatch.setattr(speech_text, "ABBREVIATIONS_FILE", edited)
    speech_text.abbreviations.cache_clear()
    speech_text._patterns.cache_clear()
    try:
        assert normalise_for_speech("UBND xã", "vi") == "ủy ban xã"
    finally:
        speech_text.abbreviations.cache_clear()
        speech_text._patterns.cache_clear()


# --- Voices --------------------------------------------------------------------------------


def test_voices_come_from_data_and_fall_back_to_the_primary_language():
    assert speech.voice_for("vi") == "vi"
    assert speech.voice_for("vi-VN") == "vi"
    assert speech.voice_for("zh-Hans-CN") == "cmn"
    assert speech.voice_for("th") == "th"
    assert speech.voice_for("km") is None  # espeak-ng 1.51 has no Khmer voice
    assert speech.voice_for("lo") is None
    assert speech.voice_for("") is None


def test_every_voice_in_the_data_is_one_espeak_ng_has():
    require_service(shutil.which("espeak-ng") is not None, "espeak-ng")
    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
    known = {line.split()[1].lower() for line in listing.splitlines()[1:] if len(line.split()) > 1}
    assert {voice.voice.lower() for voice in speech.voices().values()} <= known


def test_an_unknown_language_gives_speech_unavailable_with_a_message():
    with pytest.raises(speech.SpeechUnavailable) as raised:
        speech.synthesize("Xin chào", "km")
    assert "km" in raised.value.message


def test_empty_text_gives_speech_unavailable():
    with pytest.raises(speech.SpeechUnavailable):
        speech.synthesize("  \n ", "vi")


def test_missing_tools_names_each_missing_binary(settings):
    settings.KETNOI_ESPEAK_BINARY = "espeak-ng-not-installed"
    settings.KETNOI_FFPROBE_BINARY = "ffprobe-not-installed"
    messages = speech.missing_tools()
    assert len(messages) == 2 + (shutil.which("ffmpeg") is None)
    assert any("espeak-ng" in m for m in messages) and any("ffprobe" in m for m in messages)
    with pytest.raises(speech.SpeechUnavailable, match="espeak-ng"):
        speech.synthesize("Xin chào", "vi")


def test_a_hanging_espeak_is_stopped_at_the_timeout(tmp_path, settings):
    hanging = tmp_path / "espeak-ng"
    hanging.write_text("#!/bin/sh\nsleep 10\n")
    hanging.chmod(0o755)
    settings.KETNOI_ESPEAK_BINARY = str(hanging)
    settings.KETNOI_SPEECH_TIMEOUT_SECONDS = 1
    with pytest.raises(speech.SpeechUnavailable, match="1 seconds"):
        speech.synthesize("Xin chào", "vi")


# --- Synthesis and mastering ---------------------------------------------------------------


def _require_tools():
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        require_service(shutil.which(tool) is not None, tool)


def _ebur128(data: bytes) -> float:
    """Integrated loudness by a separate measurement: ffmpeg's ebur128 filter, not loudnorm."""
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", "pipe:0", "-af", "ebur128", "-f", "null", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    summary = result.stderr.decode().rsplit("Summary:", 1)[1]
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])


def _ffprobe(data: bytes, directory) -> dict:
    path = directory / "mastered"
    path.write_bytes(data)
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout)


BULLETIN = (
    "Ủy ban nhân dân xã thông báo: ngày 15/3/2025, lúc 7h30, trạm y tế tiêm phòng cho trẻ em dưới 5 tuổi. "
    "Mỗi hộ được hỗ trợ 200.000đ theo Quyết định 752/QĐ-TTg."
)


@pytest.fixture(scope="module")
def bulletin_wav():
    _require_tools()
    return speech.synthesize(BULLETIN, "vi")


def test_synthesize_returns_a_wav_of_the_read_text(bulletin_wav):
    assert bulletin_wav[:4] == b"RIFF" and bulletin_wav[8:12] == b"WAVE"
    seconds = (len(bulletin_wav) - 44) / (22050 * 2)  # espeak-ng: 16-bit mono at 22 050 Hz
    assert 8 < seconds < 60


@pytest.mark.parametrize(("fmt", "codec"), [("mp3", "mp3"), ("opus", "opus")])
def test_master_reaches_the_loudness_target_and_reports_the_true_duration(bulletin_wav, fmt, codec, settings, tmp_path):
    mastered = speech.master(bulletin_wav, fmt=fmt)
    facts = _ffprobe(mastered.data, tmp_path)
    assert facts["streams"][0]["codec_name"] == codec and facts["streams"][0]["channels"] == 1
    spoken_seconds = (len(bulletin_wav) - 44) / (22050 * 2)
    assert mastered.duration_seconds > 0
    assert abs(mastered.duration_seconds - float(facts["format"]["duration"])) < 0.05
    assert abs(mastered.duration_seconds - spoken_seconds) < 0.2  # encoder padding only
    target = settings.KETNOI_SPEECH_LOUDNESS
    assert abs(_ebur128(mastered.data) - target) <= 1.0
    assert abs(mastered.integrated_lufs - target) <= 1.0
    assert mastered.fmt == fmt and mastered.sha256 == hashlib.sha256(mastered.data).hexdigest()


def test_master_follows_the_loudness_setting(bulletin_wav, settings):
    settings.KETNOI_SPEECH_LOUDNESS = -23.0  # EBU R128 broadcast
    assert abs(_ebur128(speech.master(bulletin_wav).data) + 23.0) <= 1.0


def test_a_short_announcement_is_mastered_too():
    _require_tools()
    mastered = speech.master(speech.synthesize("Xin chào bà con.", "vi"), fmt="mp3")
    assert 0 < mastered.duration_seconds < 3
    assert abs(_ebur128(mastered.data) - (-16.0)) <= 1.0


def test_master_refuses_bytes_that_are_not_audio_without_showing_server_paths():
    _require_tools()
    with pytest.raises(speech.SpeechUnavailable) as raised:
        speech.master(b"not audio at all" * 100)
    assert "ffmpeg" in raised.value.message and "/tmp" not in raised.value.message


def test_other_languages_with_a_voice_are_synthesized():
    _require_tools()
    assert len(speech.synthesize("สวัสดีครับ ยินดีต้อนรับ", "th")) > 10_000


# --- Uploaded recordings -------------------------------------------------------------------


def _encode(tmp_path, name: str, seconds: float, *arguments: str) -> bytes:
    path = tmp_path / name
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-ac", "1", *arguments, str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "arguments", "codec"),
    [
        ("a.mp3", ("-c:a", "libmp3lame", "-b:a", "64k"), "mp3"),
        ("a.opus", ("-c:a", "libopus", "-b:a", "32k"), "opus"),
        ("a.wav", ("-c:a", "pcm_s16le", "-ar", "16000"), "pcm_s16le"),
        ("a.m4a", ("-c:a", "aac", "-b:a", "64k"), "aac"),
    ],
)
def test_probe_accepts_the_four_formats(tmp_path, name, arguments, codec):
    _require_tools()
    facts = speech.probe(_encode(tmp_path, name, 3, *arguments), name)
    assert facts.codec == codec and facts.channels == 1
    assert abs(facts.duration_seconds - 3) < 0.1
    assert facts.sample_rate in (16000, 44100, 48000)


def test_probe_reads_the_content_not_the_extension(tmp_path):
    _require_tools()
    data = _encode(tmp_path, "a.wav", 2, "-c:a", "pcm_s16le")
    assert speech.probe(data, "renamed.mp3").codec == "pcm_s16le"


def test_probe_refuses_a_text_file_renamed_mp3():
    _require_tools()
    with pytest.raises(ValidationError) as raised:
        speech.probe("Đây là văn bản, không phải âm thanh.\n".encode() * 20, "bản tin.mp3")
    assert raised.value.code == "not_audio"
    assert "bản tin.mp3" in raised.value.messages[0]


def test_probe_refuses_a_truncated_mp3(tmp_path):
    _require_tools()
    data = _encode(tmp_path, "a.mp3", 5, "-c:a", "libmp3lame", "-b:a", "64k")
    with pytest.raises(ValidationError) as raised:
        speech.probe(data[: len(data) // 2], "cut.mp3")
    assert raised.value.code == "malformed" and "cut.mp3" in raised.value.messages[0]


def test_probe_refuses_an_empty_wav(tmp_path):
    _require_tools()
    path = tmp_path / "empty.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono", "-t", "0", str(path)],
        check=True,
    )
    with pytest.raises(ValidationError) as raised:
        speech.probe(path.read_bytes(), "empty.wav")
    assert raised.value.code == "no_audio" and "empty.wav" in raised.value.messages[0]


def test_probe_refuses_zero_bytes():
    with pytest.raises(ValidationError) as raised:
        speech.probe(b"", "nothing.mp3")
    assert raised.value.code == "empty"


def test_probe_refuses_a_recording_longer_than_the_setting(tmp_path, settings):
    _require_tools()
    settings.KETNOI_SPEECH_MAX_UPLOAD_SECONDS = 60
    data = _encode(tmp_path, "long.mp3", 61, "-c:a", "libmp3lame", "-b:a", "8k", "-ar", "8000")
    with pytest.raises(ValidationError) as raised:
        speech.probe(data, "long.mp3")
    assert raised.value.code == "too_long" and "long.mp3" in raised.value.messages[0]
    settings.KETNOI_SPEECH_MAX_UPLOAD_SECONDS = 120
    assert speech.probe(data, "long.mp3").duration_seconds == pytest.approx(61, abs=0.2)


def test_probe_refuses_a_video(tmp_path):
    _require_tools()
    path = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x64:rate=5",
         "-f", "lavfi", "-i", "sine=duration=1", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        speech.probe(path.read_bytes(), "clip.m4a")
    assert raised.value.code == "not_audio"
