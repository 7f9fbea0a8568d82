"""Sanitising, invalid HTML, sentence segmentation per language, body skeletons, search keys."""

import pytest
from django.core.exceptions import ValidationError

from ketnoi.content.text import (
    body_blocks,
    fill_skeleton,
    normalise_body,
    sanitize_html,
    search_key,
    segment_variant_text,
    split_sentences,
)


def test_sanitiser_keeps_allowlisted_markup_and_drops_scripts_and_handlers():
    html = (
        '<p onclick="steal()">Xin <strong>chào</strong> <a href="javascript:alert(1)">x</a>'
        '<a href="https://example.org/a">y</a></p><script>alert(1)</script><iframe src="x"></iframe>'
        "<style>p{}</style><marquee>chữ</marquee>"
    )
    clean = sanitize_html(html)
    assert "<strong>chào</strong>" in clean
    assert "onclick" not in clean and "javascript:" not in clean
    assert "<script" not in clean and "alert(1)" not in clean and "<iframe" not in clean and "<style" not in clean
    assert "<marquee" not in clean and "chữ" in clean  # unknown tag stripped, its text kept
    assert 'href="https://example.org/a"' in clean and 'rel="noopener noreferrer"' in clean


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>Một <b>hai</p>", "</p> found while <b> (line 1) is still open"),
        ("<p>Một</p></div>", "</div> closes nothing that is open"),
        ("<p>Một\n<em>hai</p>", "is still open"),
        ("<ul><li>Một</li>", "<ul> is never closed"),
    ],
)
def test_invalid_html_is_refused_with_line_and_tag(html, expected):
    with pytest.raises(ValidationError) as exc:
        sanitize_html(html)
    messages = " ".join(exc.value.message_dict["body"])
    assert "Invalid HTML" in messages and expected in messages
    assert "line " in messages


def test_vietnamese_sentences_come_from_underthesea():
    text = "Ông Nguyễn Văn A đến TP. Hồ Chí Minh hôm qua. Ông làm việc ở đó! Còn bạn thì sao?"
    assert split_sentences(text, "vi") == [
        "Ông Nguyễn Văn A đến TP. Hồ Chí Minh hôm qua.",
        "Ông làm việc ở đó!",
        "Còn bạn thì sao?",
    ]


def test_thai_sentences_come_from_pythainlp():
    sentences = split_sentences("ฉันไปโรงเรียน วันนี้อากาศดีมาก แล้วคุณล่ะ", "th")
    assert sentences == ["ฉันไปโรงเรียน", "วันนี้อากาศดีมาก", "แล้วคุณล่ะ"]


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Mr. Smith came. He left! Why?", "en", ["Mr. Smith came.", "He left!", "Why?"]),
        ("你好。我很好！谢谢", "zh", ["你好。", "我很好！", "谢谢"]),
        ("ខ្ញុំទៅផ្សារ។ គាត់នៅផ្ទះ។", "km", ["ខ្ញុំទៅផ្សារ។", "គាត់នៅផ្ទះ។"]),
        ("", "en", []),
    ],
)
def test_fallback_segmentation_for_other_scripts(text, language, expected):
    assert split_sentences(text, language) == expected


def test_body_is_segmented_per_block_and_inline_markup_stays_out():
    body = sanitize_html("<h2>Tiêu <em>đề</em></h2><p>Câu một. Câu <b>hai</b> đây.</p><ul><li>Mục.</li></ul>")
    specs = segment_variant_text(title="Tựa", summary="Tóm tắt một. Tóm tắt hai.", body=body, language="vi")
    assert [(s.field, s.block, s.text) for s in specs] == [
        ("title", 0, "Tựa"),
        ("summary", 0, "Tóm tắt một."),
        ("summary", 0, "Tóm tắt hai."),
        ("body", 0, "Tiêu đề"),
        ("body", 1, "Câu một."),
        ("body", 1, "Câu hai đây."),
        ("body", 2, "Mục."),
    ]
    assert all("<" not in s.text for s in specs)
    assert [b.tag for b in body_blocks(body)] == ["h2", "p", "li"]


def test_translated_body_keeps_the_block_skeleton_and_escapes_text():
    body = "<h2>Tiêu đề</h2><p>Câu <b>một</b>.</p><ul><li>Mục.</li></ul>"
    out = fill_skeleton(body, {0: "Heading", 1: "Sentence <one> & more.", 2: "Item."})
    assert out == "<h2>Heading</h2><p>Sentence &lt;one&gt; &amp; more.</p><ul><li>Item.</li></ul>"


def test_loose_top_level_text_becomes_paragraphs():
    assert normalise_body("chữ rời <b>đậm</b><p>đoạn</p> đuôi") == "<p>chữ rời <b>đậm</b></p><p>đoạn</p><p>đuôi</p>"


def test_search_keys_fold_vietnamese_and_segment_thai():
    assert search_key("Lào Cai Đồng Văn", "vi") == "lao cai dong van"
    assert search_key("ข่าวประชาสัมพันธ์ของรัฐบาล", "th").split() == ["ข่าวประชาสัมพันธ์", "ของ", "รัฐบาล"]
