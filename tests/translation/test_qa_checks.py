"""Each QA check: what it finds (with exact offsets) and what it leaves alone."""

from ketnoi.translation.qa import SimpleTermbase, run_qa


def only(findings, check):
    return [f for f in findings if f.check == check]


def spans(findings, check):
    return [(f.start, f.end, f.text) for f in only(findings, check)]


def at(text, piece, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(piece, start + 1)
    return (start, start + len(piece), piece)


# --- language -----------------------------------------------------------------------------------


def test_wrong_language_flags_a_vietnamese_caption_in_thai_text_with_its_offsets():
    text = "ภาพรวมของพิธีการลงนาม\nToàn cảnh Lễ ký kết\nNo data\n"
    findings = run_qa(text, "th")
    assert spans(findings, "wrong_language") == [at(text, "Toàn cảnh Lễ ký kết"), at(text, "No data")]
    assert "Vietnamese" in only(findings, "wrong_language")[0].message
    assert "English" in only(findings, "wrong_language")[1].message
    assert all(f.blocking and f.severity == "error" for f in only(findings, "wrong_language"))


def test_wrong_language_leaves_thai_text_with_latin_names_and_urls_alone():
    text = "รองรัฐมนตรี Nguyen Thanh Lam กล่าวในพิธี\nที่มา: https://baodantoc.vn/tang-cuong-phoi-hop-ve-cong-tac.htm\n"
    assert only(run_qa(text, "th"), "wrong_language") == []


def test_bilingual_line_copied_from_the_source_is_reported_as_untranslated():
    source = "Hội nghị tổng kết\nĐồng bào dân tộc"
    target = "การประชุมสรุปผล\nĐồng bào dân tộc"
    findings = only(run_qa(target, "th", source=source, source_lang="vi"), "wrong_language")
    assert [(f.start, f.end) for f in findings] == [at(target, "Đồng bào dân tộc")[:2]]
    assert "untranslated" in findings[0].message


def test_leftover_abbreviations_outside_symbols_and_urls():
    text = "ผู้แทน UBDT และ Bộ TT&TT ตามมติ 922/CTPH-BTTTT-UBDT ดู https://x.vn/ubdt-UBDT.htm"
    found = spans(run_qa(text, "th"), "leftover_abbreviation")
    assert found == [at(text, "UBDT"), at(text, "TT&TT")]


def test_leftover_abbreviation_kept_when_the_termbase_says_do_not_translate():
    termbase = SimpleTermbase({"cema": {"th": [("UBDT", "do_not_translate")]}})
    assert only(run_qa("ผู้แทน UBDT", "th", termbase=termbase), "leftover_abbreviation") == []


def test_boilerplate_navigation_strings_and_text_after_the_attribution():
    text = "บทความจริง\nการแสดงความคิดเห็น (0)\nที่มา: https://example.vn/a.htm\nนครโฮจิมินห์จากมุมสูง\nCùng chủ đề\n"
    findings = only(run_qa(text, "th"), "boilerplate")
    assert [(f.start, f.end, f.severity) for f in findings] == [
        (*at(text, "การแสดงความคิดเห็น (0)")[:2], "error"),
        (*at(text, "นครโฮจิมินห์จากมุมสูง")[:2], "warning"),
        (*at(text, "Cùng chủ đề")[:2], "error"),
    ]


def test_boilerplate_not_found_in_an_article():
    assert only(run_qa("ความคิดเห็นของประชาชนมีความสำคัญ\nรูปแบบใหม่", "th"), "boilerplate") == []


# --- numbers, dates, eras -----------------------------------------------------------------------


def test_numbers_read_separators_per_language_and_report_missing_and_extra():
    source = "Hỗ trợ 1.500 xã và 3,5 triệu người."
    good = "สนับสนุน 1,500 ตำบล และประชาชน 3.5 ล้านคน"
    assert only(run_qa(good, "th", source=source, source_lang="vi"), "numbers") == []
    bad = "สนับสนุน ๑,๕๐๐ ตำบล และประชาชน 3.6 ล้านคน"
    findings = only(run_qa(bad, "th", source=source, source_lang="vi"), "numbers")
    missing = [f for f in findings if f.severity == "error"]
    extra = [f for f in findings if f.severity == "warning"]
    assert len(missing) == 1 and "3.5" in missing[0].message and (missing[0].start, missing[0].end) == (0, len(bad))
    assert [(f.start, f.end, f.text) for f in extra] == [at(bad, "3.6")]


def test_numbers_only_in_bilingual_mode():
    assert only(run_qa("สนับสนุน 1,500 ตำบล", "th"), "numbers") == []


def test_era_mixed_buddhist_and_common_era_years_in_one_thai_text():
    text = "ลงวันที่ 15 เมษายน 2567 และวันที่ 24 พฤษภาคม 2024"
    findings = only(run_qa(text, "th"), "era")
    assert spans(findings, "era") == [at(text, "2024")]
    assert "พ.ศ. 2567" in findings[0].message and findings[0].blocking


def test_era_one_era_throughout_is_fine():
    assert only(run_qa("ในช่วงปี 2566 - 2568 และ พ.ศ. 2564-2573", "th"), "era") == []
    assert only(run_qa("ค.ศ. 2024 และปี 2023", "th"), "era") == []


def test_era_marker_contradicting_the_year():
    text = "ในปี พ.ศ. 2024"
    assert spans(run_qa(text, "th"), "era") == [at(text, "2024")]


def test_era_conversion_correct_is_accepted_and_off_by_one_is_flagged():
    source = "Năm 2024, chương trình được ký kết."
    assert only(run_qa("ในปี 2567 มีการลงนามโครงการ", "th", source=source, source_lang="vi"), "era") == []
    wrong = "ในปี 2568 มีการลงนามโครงการ"
    findings = run_qa(wrong, "th", source=source, source_lang="vi")
    assert spans(findings, "era") == [at(wrong, "2568")]
    assert "2024 is พ.ศ. 2567" in only(findings, "era")[0].message
    assert only(findings, "numbers") == []  # left to the era check, not reported twice


def test_dates_impossible_and_bilingual_match_across_eras():
    text = "วันที่ 31 มิถุนายน 2566"
    assert spans(run_qa(text, "th"), "dates") == [at(text, "31 มิถุนายน 2566")]
    source = "Ký ngày 24/5/2024 tại Hà Nội."
    assert only(run_qa("ลงนามเมื่อ 24 พฤษภาคม 2567 ที่ฮานอย", "th", source=source, source_lang="vi"), "dates") == []
    wrong = "ลงนามเมื่อ 25 พฤษภาคม 2567 ที่ฮานอย"
    findings = only(run_qa(wrong, "th", source=source, source_lang="vi"), "dates")
    assert len(findings) == 1 and "24/5/2024" in findings[0].message


# --- symbols, URLs, codes -----------------------------------------------------------------------


def test_doc_symbol_with_stripped_d_or_icelandic_eth():
    text = "ตามมติ 752/QD-TTg และ 1719/QÐ-TTg และ 47/NQ-CP"
    findings = only(run_qa(text, "th"), "doc_symbol")
    assert [(f.start, f.end, f.text) for f in findings] == [at(text, "752/QD-TTg"), at(text, "1719/QÐ-TTg")]
    assert "752/QĐ-TTg" in findings[0].message and "U+00D0" in findings[1].message


def test_doc_symbol_exact_copy_passes_and_missing_one_is_reported_in_bilingual_mode():
    source = "Theo Quyết định 752/QĐ-TTg và Nghị quyết 47/NQ-CP."
    assert (
        only(run_qa("ตามข้อตัดสินใจ 752/QĐ-TTg และมติ 47/NQ-CP", "th", source=source, source_lang="vi"), "doc_symbol") == []
    )
    findings = only(run_qa("ตามข้อตัดสินใจ 752/QĐ-TTg", "th", source=source, source_lang="vi"), "doc_symbol")
    assert len(findings) == 1 and "47/NQ-CP" in findings[0].message


def test_doc_type_conclusion_called_research_and_pm_decision_called_cabinet_resolution():
    text = "ตามผลงานวิจัยฉบับที่ 57-KL/TW และตามมติคณะรัฐมนตรีที่ 752/QĐ-TTg และข้อสรุปที่ 58-KL/TW"
    findings = only(run_qa(text, "th"), "doc_type")
    assert [f.text for f in findings] == ["ตามผลงานวิจัยฉบับที่", "และตามมติคณะรัฐมนตรีที่"]


def test_url_broken_by_a_translated_slug():
    text = "ที่มา: https://baodantoc.vn/thuoc-linh-vuc-thong- ข่าวและสื่อ-1716543960850.htm"
    assert spans(run_qa(text, "th"), "urls") == [at(text, text[text.index("https") :])]
    assert only(run_qa("ที่มา: https://baodantoc.vn/a-1716543960850.htm", "th"), "urls") == []


def test_urls_and_emails_byte_for_byte_in_bilingual_mode():
    source = "Xem https://ubdt.gov.vn/a.htm hoặc gửi thư tới lienhe@ubdt.gov.vn."
    good = "ดู https://ubdt.gov.vn/a.htm หรือส่งอีเมลถึง lienhe@ubdt.gov.vn"
    assert only(run_qa(good, "th", source=source, source_lang="vi"), "urls") == []
    bad = "ดู https://ubdt.gov.vn/b.htm หรือส่งอีเมล"
    findings = only(run_qa(bad, "th", source=source, source_lang="vi"), "urls")
    changed = [f for f in findings if "changed" in f.message]
    missing = [f for f in findings if "missing" in f.message]
    assert [(f.start, f.end) for f in changed] == [at(bad, "https://ubdt.gov.vn/b.htm")[:2]]
    assert len(missing) == 1 and "lienhe@ubdt.gov.vn" in missing[0].message


def test_codes_kept_in_bilingual_mode():
    source = "Dịch H5N1 và mẫu số 02/BC."
    assert only(run_qa("โรค H5N1 และแบบฟอร์ม 02/BC", "th", source=source, source_lang="vi"), "codes") == []
    findings = only(run_qa("โรค H5N8 และแบบฟอร์ม 02/BC", "th", source=source, source_lang="vi"), "codes")
    assert len(findings) == 1 and "H5N1" in findings[0].message


# --- names and titles ---------------------------------------------------------------------------


def test_names_without_diacritics_and_several_thai_renderings():
    text = "Nông Thị Hà phát biểu\nรองรัฐมนตรี Nong Thi Ha กล่าว\nนงธีฮา เชื่อว่า\nนงธีฮา ยืนยัน\nหนองทีฮา กล่าว"
    findings = only(run_qa(text, "th"), "names")
    assert [(f.start, f.end, f.text) for f in findings] == [at(text, "Nong Thi Ha"), at(text, "หนองทีฮา")]
    assert "Nông Thị Hà" in findings[0].message and "'นงธีฮา'" in findings[1].message


def test_names_consistent_rendering_passes_and_termbase_form_wins():
    text = "รองรัฐมนตรี นงธีฮา กล่าว และ นงธีฮา ยืนยัน"
    assert only(run_qa(text, "th"), "names") == []
    termbase = SimpleTermbase({"person-nth": {"vi": [("Nông Thị Hà", "preferred")], "th": [("หนองถิห่า", "preferred")]}})
    findings = only(run_qa(text, "th", termbase=termbase), "names")
    assert [f.text for f in findings] == ["นงธีฮา", "นงธีฮา"] and "termbase" in findings[0].message


def test_titles_inconsistent_rank_uses_the_vietnamese_caption_as_reference():
    text = (
        "Thứ trưởng Nguyễn Thanh Lâm phát biểu\n"
        "รองรัฐมนตรีว่าการกระทรวงสารสนเทศและการสื่อสาร Nguyen Thanh Lam กล่าว\n"
        "รองปลัดกระทรวง Nguyen Thanh Lam เชื่อว่า\n"
    )
    findings = only(run_qa(text, "th"), "titles")
    assert [(f.start, f.end, f.text) for f in findings] == [at(text, "รองปลัดกระทรวง")]
    assert "deputy minister" in findings[0].message


def test_titles_consistent_pass():
    text = "รองรัฐมนตรี Nguyen Thanh Lam กล่าว\nรองรัฐมนตรี เหงียน ถัน เลิม ยืนยัน\n"
    assert only(run_qa(text, "th"), "titles") == []


# --- termbase and consistency -------------------------------------------------------------------

TB = SimpleTermbase(
    {
        "cema": {
            "vi": [("Ủy ban Dân tộc", "preferred")],
            "th": [
                ("คณะกรรมการกิจการชนกลุ่มน้อย", "preferred"),
                ("คณะกรรมการชนกลุ่มน้อย", "admitted"),
                ("คณะกรรมการชนกลุ่มน้อยจังหวัด", "forbidden"),
            ],
        },
        "programme": {
            "vi": [("chương trình phối hợp", "preferred")],
            "th": [("โครงการประสานงาน", "preferred"), ("โครงการความร่วมมือ", "admitted")],
        },
        "symbol-ttg": {"vi": [("QĐ-TTg", "do_not_translate")], "th": [("QĐ-TTg", "do_not_translate")]},
    }
)


def test_terminology_forbidden_admitted_and_do_not_translate():
    text = "คณะกรรมการชนกลุ่มน้อยจังหวัด และ คณะกรรมการชนกลุ่มน้อย และ qd-ttg และ QĐ-TTg"
    findings = only(run_qa(text, "th", termbase=TB), "terminology")
    assert [(f.start, f.end, f.severity, f.blocking) for f in findings] == [
        (*at(text, "คณะกรรมการชนกลุ่มน้อยจังหวัด")[:2], "error", True),
        (*at(text, "qd-ttg")[:2], "error", True),
    ]
    assert "คณะกรรมการกิจการชนกลุ่มน้อย" in findings[0].message
    # an admitted term is acceptable: a nudge towards the preferred one only when asked for, as info
    config = {"options": {"terminology": {"admitted": True}}}
    findings = only(run_qa(text, "th", termbase=TB, config=config), "terminology")
    assert [(f.start, f.end, f.severity, f.blocking) for f in findings][1] == (
        *at(text, "คณะกรรมการชนกลุ่มน้อย", 1)[:2],
        "info",
        False,
    )


def test_terminology_preferred_terms_pass_and_nothing_without_termbase():
    text = "คณะกรรมการกิจการชนกลุ่มน้อย ลงนามโครงการประสานงาน"
    assert only(run_qa(text, "th", termbase=TB), "terminology") == []
    assert only(run_qa("คณะกรรมการชนกลุ่มน้อยจังหวัด", "th"), "terminology") == []


def test_terminology_bilingual_source_term_not_rendered():
    source = "Ủy ban Dân tộc ký chương trình phối hợp."
    target = "คณะกรรมการกิจการชนกลุ่มน้อยลงนามแผนงาน"
    findings = only(run_qa(target, "th", source=source, source_lang="vi", termbase=TB), "terminology")
    assert len(findings) == 1 and "chương trình phối hợp" in findings[0].message


def test_consistency_one_concept_rendered_several_ways():
    text = "โครงการความร่วมมือ ... โครงการประสานงาน ... โครงการความร่วมมือ"
    findings = only(run_qa(text, "th", termbase=TB), "consistency")
    assert [(f.start, f.end) for f in findings] == [
        at(text, "โครงการความร่วมมือ")[:2],
        at(text, "โครงการความร่วมมือ", 1)[:2],
    ]
    assert only(run_qa("โครงการประสานงาน และ โครงการประสานงาน", "th", termbase=TB), "consistency") == []


def test_consistency_same_source_paragraph_translated_differently():
    source = "Đảm bảo an toàn thông tin mạng.\n\nNội dung khác ở đây.\n\nĐảm bảo an toàn thông tin mạng."
    target = "รับรองความปลอดภัยของข้อมูลเครือข่าย\n\nเนื้อหาอื่นที่นี่\n\nประกันความมั่นคงปลอดภัยไซเบอร์"
    findings = only(run_qa(target, "th", source=source, source_lang="vi"), "consistency")
    assert [f.text for f in findings] == ["ประกันความมั่นคงปลอดภัยไซเบอร์"]


# --- omissions and additions --------------------------------------------------------------------


def test_omitted_paragraph_merged_by_the_aligner_is_still_reported():
    source = (
        "Ngày 24/5/2024, hai cơ quan ký chương trình phối hợp số 922/CTPH-BTTTT-UBDT.\n\n"
        "Chương trình thực hiện Quyết định 752/QĐ-TTg, hỗ trợ 1.500 xã và 3,5 triệu người dân vùng cao.\n\n"
        "Đoạn văn thứ ba nói về chuyển đổi số và an toàn thông tin mạng trong vùng đồng bào."
    )
    target = (
        "เมื่อวันที่ 24/5/2567 ทั้งสองหน่วยงานลงนามโครงการประสานงานเลขที่ 922/CTPH-BTTTT-UBDT\n\n"
        "โครงการนี้ดำเนินการตามข้อตัดสินใจ 752/QĐ-TTg สนับสนุน 1,500 ตำบล และประชาชน 3.5 ล้านคน"
    )
    findings = only(run_qa(target, "th", source=source, source_lang="vi"), "no_counterpart")
    assert [(f.start, f.end) for f in findings] == [(len(target), len(target))]
    assert "Đoạn văn thứ ba" in findings[0].message


def test_omitted_paragraph_reported_where_it_belongs():
    source = (
        "Đoạn một nói về ký kết chương trình.\n\n"
        "Đoạn hai nói về chuyển đổi số ở vùng đồng bào dân tộc thiểu số và miền núi.\n\nĐoạn ba kết thúc."
    )
    target = "ย่อหน้าที่หนึ่งเกี่ยวกับการลงนามโครงการ\n\nย่อหน้าที่สามจบแล้ว"
    findings = only(run_qa(target, "th", source=source, source_lang="vi"), "no_counterpart")
    position = target.index("\n\nย่อหน้าที่สาม")
    assert [(f.start, f.end) for f in findings] == [(position, position)]
    assert "Đoạn hai" in findings[0].message


def test_added_paragraph_and_length_ratio():
    source = "Đoạn một nói về ký kết chương trình phối hợp giữa hai cơ quan."
    target = "ย่อหน้าที่หนึ่งเกี่ยวกับการลงนามโครงการประสานงานระหว่างสองหน่วยงาน\n\nนายกฯ ขอเสริมความมั่นคงปลอดภัยข้อมูลเครือข่าย"
    findings = only(run_qa(target, "th", source=source, source_lang="vi"), "no_counterpart")
    assert [f.text for f in findings] == ["นายกฯ ขอเสริมความมั่นคงปลอดภัยข้อมูลเครือข่าย"]
    short = "ลงนาม"
    source2 = "Đoạn một nói về ký kết chương trình phối hợp giữa hai cơ quan.\n\nĐoạn hai nói về chuyển đổi số ở vùng."
    target2 = f"{short}\n\nย่อหน้าที่สองเกี่ยวกับการเปลี่ยนแปลงทางดิจิทัล"
    ratio = only(run_qa(target2, "th", source=source2, source_lang="vi"), "length_ratio")
    assert [f.text for f in ratio] == [short]


def test_truncated_paragraph():
    text = "ก" * 120 + "..."
    assert spans(run_qa(text, "th"), "truncated") == [(120, 123, "...")]
    assert only(run_qa("สั้น...", "th"), "truncated") == []


# --- duplicates ---------------------------------------------------------------------------------


def test_duplicate_words_thai_and_latin():
    text = "ในพื้นที่ชนกลุ่มน้อย ชนกลุ่มน้อยและพื้นที่ภูเขา"
    assert spans(run_qa(text, "th"), "duplicate_words") == [at(text, "ชนกลุ่มน้อย ชนกลุ่มน้อย")]
    english = "This is the the plan."
    assert spans(run_qa(english, "en"), "duplicate_words") == [at(english, "the the")]
    assert only(run_qa("ใหม่ๆ มากขึ้น ของชนกลุ่มน้อย", "th"), "duplicate_words") == []


def test_repeated_lines_passages_and_back_to_back_phrases():
    sentence = "ส่งเสริมความร่วมมือและแลกเปลี่ยนข้อมูลเพื่อให้บรรลุผลการทำงานด้านชาติพันธุ์ที่มีประสิทธิผลในพื้นที่ภูเขาและชนกลุ่มน้อย"
    text = f"บทนำ {sentence} จบ\nNo data\nNo data\n{sentence}\nBáo Dân tộcBáo Dân tộc"
    findings = only(run_qa(text, "th"), "repeated_text")
    found = [(f.start, f.end) for f in findings]
    assert at(text, "No data", 1)[:2] in found
    assert at(text, sentence, 1)[:2] in found
    assert at(text, "Báo Dân tộcBáo Dân tộc")[:2] in found
    assert only(run_qa(f"บทนำ {sentence}\nอีกเรื่องหนึ่งที่แตกต่างกันโดยสิ้นเชิง", "th"), "repeated_text") == []


# --- typography ---------------------------------------------------------------------------------


def test_whitespace_double_space_trailing_space_blank_lines_nbsp():
    text = "หนึ่ง  สอง \n\n\n\nสาม\u00a0สี่"
    findings = only(run_qa(text, "th"), "whitespace")
    assert [(f.start, f.end) for f in findings] == [(5, 7), (10, 11), (13, 15), (18, 19)]


def test_missing_space_between_glued_vietnamese_words_and_dates():
    text = "Báo Dân tộc và Phát triểnBáo 25/05 Thứ trưởng BpNguyễn, Phát triển25/05/2024, Happy VietNam"
    found = spans(run_qa(text, "vi"), "missing_space")
    assert found == [at(text, "triểnBáo"), at(text, "BpNguyễn"), at(text, "triển25/05/2024")]


def test_punctuation_unbalanced_doubled_and_thai_semicolon():
    text = "ข้อความ (ไม่ปิด และ ,, ซ้ำ; ต่อ"
    findings = only(run_qa(text, "th"), "punctuation")
    assert [(f.start, f.end, f.severity) for f in findings] == [
        (*at(text, "(")[:2], "warning"),
        (*at(text, ",,")[:2], "warning"),
        (*at(text, ";")[:2], "info"),
    ]
    assert only(run_qa("เทศกาล ‘หมู่บ้าน’ (ดี) ...", "th"), "punctuation") == []


def test_unicode_replacement_char_controls_mojibake_and_thai_marks():
    text = "ข่าว\ufffd\ufffd ok\x07 CÃ¡c à¸ เเดง ก่ั ก\u0e48\u0e48 e\u0301"
    findings = only(run_qa(text, "th"), "unicode")
    got = {(f.start, f.end): f for f in findings}
    assert got[(4, 6)].severity == "error" and got[(4, 6)].blocking
    assert got[at(text, "\x07")[:2]].severity == "error"
    assert got[at(text, "Ã¡")[:2]].severity == "error"
    assert got[at(text, "à¸")[:2]].severity == "error"
    assert "แ" in got[at(text, "เเ")[:2]].message
    assert got[at(text, "\u0e48\u0e31")[:2]].severity == "warning"
    assert at(text, "\u0e48\u0e48")[:2] in got
    assert at(text, "e\u0301")[:2] in got
    assert only(run_qa("ข่าวดี ภาษาไทย Tiếng Việt", "th"), "unicode") == []


def test_mixed_script_homoglyphs_eth_and_thai_latin_tokens():
    text = "Cаo ÐBKK ข่าวและสื่อ-1716.htm ok"  # Cyrillic а in "Cаo"
    findings = only(run_qa(text, "th"), "mixed_script")
    assert [(f.start, f.end, f.severity) for f in findings] == [
        (*at(text, "Cаo")[:2], "error"),
        (*at(text, "Ð")[:2], "error"),
        (*at(text, "ข่าวและสื่อ-1716.htm")[:2], "warning"),
    ]
    assert only(run_qa("ภาษาไทย English Tiếng Việt", "th"), "mixed_script") == []


# --- rules of issue 7.10: texts the checks were not written on -------------------------------------

SHIPPED = None


def shipped():
    global SHIPPED
    if SHIPPED is None:
        from pathlib import Path

        from ketnoi.translation.qa.termbase import load_termbase_csv

        SHIPPED = load_termbase_csv(
            Path(__file__).resolve().parents[2] / "ketnoi" / "translation" / "data" / "termbase.csv"
        )
    return SHIPPED


def test_untranslated_vietnamese_inside_thai_but_not_names():
    text = "ประธานได้มอบ Bằng khen ให้แก่ Nông Thị Hà ที่จังหวัด Điện Biên และ hệ thống thông tin nguồn"
    found = [f.text for f in only(run_qa(text, "th"), "untranslated")]
    assert found == ["Bằng khen", "hệ thống thông tin nguồn"]


def test_names_known_from_the_source_lose_diacritics_and_vary_in_thai():
    vi = "Phó Chủ tịch Hoàng Quốc Khánh chủ trì.\n\nÔng Hoàng Quốc Khánh và Bộ trưởng Hầu A Lềnh phát biểu."
    th = "รองประธาน หว่าง ก๊วก คาน เป็นประธาน\n\nนายหว่าง ก๊วก ข่าน และรัฐมนตรี Hau A Lenh กล่าว"
    names = only(run_qa(th, "th", source=vi, source_lang="vi"), "names")
    assert {f.text for f in names} == {"หว่าง ก๊วก ข่าน", "Hau A Lenh"}
    assert "Hầu A Lềnh" in next(f.message for f in names if f.text == "Hau A Lenh")


def test_title_substitution_is_reported_where_it_stands():
    vi = "Phó Thủ tướng Trần Lưu Quang dự hội nghị năm 2024."
    th = "นายกรัฐมนตรี เจิ่น ลู กวาง เข้าร่วมการประชุมในปี 2567"
    findings = only(run_qa(th, "th", source=vi, source_lang="vi", termbase=shipped()), "terminology")
    assert [(f.start, f.text) for f in findings] == [(0, "นายกรัฐมนตรี")]
    assert "รองนายกรัฐมนตรี" in findings[0].message


def test_forbidden_renderings_of_the_shipped_termbase():
    th = "งานโฆษณาชวนเชื่อและขบวนการจำลองในหมู่ชาวเขา กระทรวงชาติและศาสนา"
    found = {f.text for f in only(run_qa(th, "th", termbase=shipped()), "terminology")}
    assert found == {"โฆษณาชวนเชื่อ", "การจำลอง", "ชาวเขา", "กระทรวงชาติและศาสนา"}


def test_document_type_from_the_termbase_by_initials():
    th = "ตามผลงานวิจัยเลขที่ 65-KL/TW และข้อสรุปเลขที่ 57-KL/TW"
    findings = only(run_qa(th, "th", termbase=shipped()), "doc_type")
    assert [f.text for f in findings] == ["ตามผลงานวิจัยเลขที่"]
    assert "ข้อสรุป" in findings[0].message


def test_roman_numerals_of_the_source_are_not_extra_numbers_and_symbols_hold_no_terms():
    vi = "Đại hội lần thứ IV theo Quyết định số 45/QĐ-UBND."
    th = "การประชุมใหญ่ครั้งที่ 4 ตามข้อตัดสินใจเลขที่ 45/QĐ-UBND"
    findings = run_qa(th, "th", source=vi, source_lang="vi", termbase=shipped())
    assert not [f for f in findings if f.check in ("numbers", "terminology")]


def test_a_name_of_the_source_missing_from_its_paragraph():
    vi = "Bộ trưởng Hầu A Lềnh và Bộ trưởng Nguyễn Mạnh Hùng ký kết.\n\nÔng Lê Quang Tự Do phát biểu."
    th = "รัฐมนตรี เหิว อา แล่ง และรัฐมนตรีได้ลงนาม\n\nนายเล กวาง ตื๋อ โซ กล่าว"
    names = only(run_qa(th, "th", source=vi, source_lang="vi"), "names")
    assert [f.message for f in names] == ["the name Nguyễn Mạnh Hùng of the source is not in this paragraph"]
