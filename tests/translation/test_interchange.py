"""TMX, TBX and XLIFF: round trips, states, and hostile or broken files refused with nothing written."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ketnoi.core.importing import ImportFailed
from ketnoi.core.models import AuditEntry
from ketnoi.translation import interchange, memory
from ketnoi.translation.interchange import XliffUnit
from ketnoi.translation.models import Concept, Term, TMEntry

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _tmx(body: str, srclang="vi", doctype='<!DOCTYPE tmx SYSTEM "tmx14.dtd">') -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<tmx version="1.4">\n'
        f'<header creationtool="t" creationtoolversion="1" datatype="plaintext" segtype="sentence" '
        f'adminlang="en" srclang="{srclang}" o-tmf="x"/>\n<body>\n{body}\n</body>\n</tmx>\n'
    ).encode()


def _tu(src, tgt, tgt_lang="th"):
    return f'<tu><tuv xml:lang="vi"><seg>{src}</seg></tuv><tuv xml:lang="{tgt_lang}"><seg>{tgt}</seg></tuv></tu>'


def _upload(data: bytes, name="memory.tmx"):
    return SimpleUploadedFile(name, data)


def assert_valid_tmx(data: bytes) -> ET.Element:
    """Structural TMX 1.4b check: root, required header attributes, tu/tuv/seg with languages."""
    root = ET.fromstring(data)
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    for attribute in ("creationtool", "creationtoolversion", "segtype", "o-tmf", "adminlang", "srclang", "datatype"):
        assert header.get(attribute), attribute
    assert header.get("segtype") in {"block", "paragraph", "sentence", "phrase"}
    body = root.find("body")
    assert [child.tag for child in root] == ["header", "body"]
    for tu in body:
        assert tu.tag == "tu"
        tuvs = tu.findall("tuv")
        assert len(tuvs) >= 2
        for tuv in tuvs:
            assert tuv.get(XML_LANG) and tuv.find("seg") is not None
        assert [c.tag for c in tu if c.tag != "tuv"] == ["prop"] * len([c for c in tu if c.tag != "tuv"])
    return root


# ---- TMX ---------------------------------------------------------------------------------------


def test_tmx_round_trip(db, users, programme):
    memory.add(source_text="Xin chào & <bà con>", target_text="สวัสดี", source_lang="vi", target_lang="th")
    memory.add(
        source_text="Thông tin cơ sở",
        target_text="grassroots information",
        source_lang="vi",
        target_lang="en",
        programme=programme,
    )
    data = interchange.tmx_export()
    root = assert_valid_tmx(data)
    assert len(root.find("body")) == 2
    assert len(assert_valid_tmx(interchange.tmx_export(source_lang="vi", target_lang="th")).find("body")) == 1
    TMEntry.objects.all().delete()
    result = interchange.tmx_import(_upload(data), user=users["admin"])
    assert (result.units, result.created) == (2, 2)
    entry = TMEntry.objects.get(target_language__bcp47="th")
    assert entry.source_text == "Xin chào & <bà con>" and entry.origin == "imported" and entry.programme is None
    assert memory.suggest(source_text="Xin chào & <bà con>", source_lang="vi", target_lang="th")[0].score == 100
    again = interchange.tmx_import(_upload(data), user=users["admin"])
    assert (again.created, again.unchanged) == (0, 2)
    assert AuditEntry.objects.filter(model="translation.tmentry", action="import").count() == 2


def test_tmx_import_into_a_programme_and_inline_codes(db, users, programme):
    body = (
        '<tu><tuv xml:lang="vi-VN"><seg>Nhấn <bpt i="1">&lt;b&gt;</bpt>Lưu<ept i="1">&lt;/b&gt;</ept></seg></tuv>'
        '<tuv xml:lang="th"><seg>กด บันทึก</seg></tuv></tu>'
    )
    interchange.tmx_import(_upload(_tmx(body)), user=users["dieuphoi"], programme=programme)
    entry = TMEntry.objects.get()
    assert entry.source_text == "Nhấn Lưu" and entry.programme == programme


def test_tmx_with_an_unknown_language_is_refused_and_writes_nothing(db, users):
    data = _tmx(_tu("Một", "หนึ่ง") + "\n" + _tu("Hai", "deux", tgt_lang="xx"))
    with pytest.raises(ImportFailed) as exc:
        interchange.tmx_import(_upload(data), user=users["admin"])
    error = exc.value.errors[0]
    assert error.filename == "memory.tmx" and error.row == 7 and "'xx'" in error.message
    assert TMEntry.objects.count() == 0


def test_malformed_tmx_names_the_file_and_line(db, users):
    data = _tmx(_tu("Một", "หนึ่ง") + "\n<tu><tuv xml:lang='vi'><seg>x</tuv></tu>")
    with pytest.raises(ImportFailed) as exc:
        interchange.tmx_import(_upload(data, "broken.tmx"), user=users["admin"])
    text = str(exc.value)
    assert "broken.tmx" in text and "line 7" in text and "not well-formed" in text
    assert TMEntry.objects.count() == 0


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tmx version="1.4"><header srclang="vi"/><body><tu><tuv xml:lang="vi"><seg>&xxe;</seg></tuv>
<tuv xml:lang="th"><seg>x</seg></tuv></tu></body></tmx>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<tmx version="1.4"><header srclang="vi"/><body><tu><tuv xml:lang="vi"><seg>&lol9;</seg></tuv>
<tuv xml:lang="th"><seg>x</seg></tuv></tu></body></tmx>"""


@pytest.mark.parametrize("payload", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_xml_is_refused_everywhere(db, users, payload):
    before = (TMEntry.objects.count(), Term.objects.count())
    for call in (
        lambda: interchange.tmx_import(_upload(payload, "evil.tmx"), user=users["admin"]),
        lambda: interchange.tbx_import(_upload(payload.replace(b"tmx", b"tbx"), "evil.tbx"), user=users["admin"]),
        lambda: interchange.xliff_import(payload.replace(b"tmx", b"xliff"), filename="evil.xlf"),
    ):
        with pytest.raises(ImportFailed) as exc:
            call()
        message = str(exc.value)
        assert "evil." in message and "entities are refused" in message
        assert "root:" not in message  # nothing of /etc/passwd
    assert (TMEntry.objects.count(), Term.objects.count()) == before


def test_oversized_files_are_refused_before_parsing(db, users, settings):
    settings.TRANSLATION_IMPORT_MAX_BYTES = 1000
    data = _tmx("\n".join(_tu(f"Câu {i}", f"ประโยค {i}") for i in range(50)))
    assert len(data) > 1000
    with pytest.raises(ImportFailed) as exc:
        interchange.tmx_import(_upload(data, "big.tmx"), user=users["admin"])
    assert "big.tmx" in str(exc.value) and "the limit is 1000 bytes" in str(exc.value)
    with pytest.raises(ImportFailed):
        interchange.xliff_import(data.replace(b"tmx", b"xliff"))
    assert TMEntry.objects.count() == 0


def test_not_a_tmx_file_and_empty_file(db, users):
    with pytest.raises(ImportFailed) as exc:
        interchange.tmx_import(_upload(b"<xliff version='2.0'/>", "x.tmx"), user=users["admin"])
    assert "root element is <xliff>" in str(exc.value)
    with pytest.raises(ImportFailed) as exc:
        interchange.tmx_import(_upload(b"  ", "e.tmx"), user=users["admin"])
    assert "empty" in str(exc.value)


def test_only_country_managers_may_import(db, users):
    data = _tmx(_tu("Một", "หนึ่ง"))
    for username in ("tinh.laocai", "xa.tavan", "tinh.tuyenquang", "bientap"):
        with pytest.raises(PermissionDenied):
            interchange.tmx_import(_upload(data), user=users[username])
        with pytest.raises(PermissionDenied):
            interchange.tbx_import(_upload(interchange.tbx_export()), user=users[username])
    assert TMEntry.objects.count() == 0
    interchange.tmx_import(_upload(data), user=users["dieuphoi"])
    assert TMEntry.objects.count() == 1


# ---- TBX ---------------------------------------------------------------------------------------


def test_tbx_round_trip_keeps_statuses_pos_notes_and_domain(db, users, loaded_termbase):
    data = interchange.tbx_export()
    root = ET.fromstring(data)
    ns = {"t": interchange.TBX_NS}
    assert root.tag == f"{{{interchange.TBX_NS}}}tbx" and root.get("type") == "TBX-Basic" and root.get("style") == "dca"
    assert root.find("t:tbxHeader/t:fileDesc/t:sourceDesc", ns) is not None
    assert len(root.findall("t:text/t:body/t:conceptEntry", ns)) == Concept.objects.count()
    before = sorted(
        Term.objects.values_list(
            "concept__code", "concept__domain", "language__bcp47", "text", "status", "part_of_speech", "note"
        )
    )
    Concept.objects.all().delete()
    result = interchange.tbx_import(_upload(data, "tb.tbx"), user=users["admin"])
    after = sorted(
        Term.objects.values_list(
            "concept__code", "concept__domain", "language__bcp47", "text", "status", "part_of_speech", "note"
        )
    )
    assert after == before and result.created == len(before)
    assert {"forbidden", "do_not_translate", "admitted", "preferred"} <= {row[4] for row in after}
    again = interchange.tbx_import(_upload(data, "tb.tbx"), user=users["admin"])
    assert (again.created, again.updated) == (0, 0)


def test_tbx_2008_martif_is_read(db, users):
    data = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en"><text><body>
<termEntry id="c-loa"><descrip type="subjectField">broadcast</descrip>
 <langSet xml:lang="vi"><tig><term>cụm loa</term><termNote type="partOfSpeech">noun</termNote>
  <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig></langSet>
 <langSet xml:lang="en"><tig><term>speaker cluster</term>
  <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
  <tig><term>loudspeaker cluster</term></tig></langSet>
</termEntry></body></text></martif>""".encode()
    interchange.tbx_import(_upload(data, "old.tbx"), user=users["admin"])
    concept = Concept.objects.get(code="c-loa")
    assert concept.domain == "broadcast"
    assert dict(concept.terms.values_list("text", "status")) == {
        "cụm loa": "preferred",
        "speaker cluster": "forbidden",
        "loudspeaker cluster": "preferred",
    }


def test_broken_tbx_writes_nothing(db, users):
    data = """<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca"><text><body>
<conceptEntry id="a"><langSec xml:lang="vi"><termSec><term>một</term></termSec></langSec></conceptEntry>
<conceptEntry id="b"><langSec xml:lang="qq"><termSec><term>two</term></termSec></langSec></conceptEntry>
<conceptEntry id="c"><langSec xml:lang="en"><termSec><term>three</term>
<termNote type="administrativeStatus">nonsense</termNote></termSec></langSec></conceptEntry>
</body></text></tbx>""".encode()
    before = Concept.objects.count()
    with pytest.raises(ImportFailed) as exc:
        interchange.tbx_import(_upload(data, "bad.tbx"), user=users["admin"])
    messages = [(e.row, e.message) for e in exc.value.errors]
    assert messages[0][0] == 3 and "'qq'" in messages[0][1]
    assert messages[1][0] == 5 and "nonsense" in messages[1][1]
    assert Concept.objects.count() == before


# ---- XLIFF -------------------------------------------------------------------------------------

UNITS = [
    XliffUnit(id="s1", source="Bộ trưởng & <Thứ trưởng>", target="", state="untranslated"),
    XliffUnit(id="s2", source="Thông tin cơ sở", target="ข้อมูลระดับรากหญ้า", state="draft"),
    XliffUnit(id="s3", source="Cụm loa", target="กลุ่มลำโพง", state="translated"),
    XliffUnit(id="s4", source="Người có uy tín", target="ผู้มีเกียรติ", state="reviewed"),
]


@pytest.mark.parametrize("version", ["2.0", "1.2"])
def test_xliff_round_trip_keeps_states(db, version):
    data = interchange.xliff_export(UNITS, source_lang="vi", target_lang="th", version=version, original="item-7")
    document = interchange.xliff_import(data)
    assert (document.source_lang, document.target_lang, document.original) == ("vi", "th", "item-7")
    assert [(u.id, u.source, u.target, u.state) for u in document.units] == [
        (u.id, u.source, u.target, u.state) for u in UNITS
    ]


def test_xliff_2_structure_and_state_values(db):
    root = ET.fromstring(
        interchange.xliff_export(UNITS, source_lang="vi", target_lang="th", version="2.0", original="o")
    )
    ns = {"x": interchange.XLIFF2_NS}
    assert root.get("version") == "2.0" and root.get("srcLang") == "vi" and root.get("trgLang") == "th"
    states = [s.get("state") for s in root.findall("x:file/x:unit/x:segment", ns)]
    assert states == ["initial", "initial", "translated", "reviewed"]


def test_xliff_1_2_structure_and_state_values(db):
    root = ET.fromstring(
        interchange.xliff_export(UNITS, source_lang="vi", target_lang="th", version="1.2", original="o")
    )
    ns = {"x": interchange.XLIFF12_NS}
    file = root.find("x:file", ns)
    assert file.get("source-language") == "vi" and file.get("target-language") == "th"
    states = [t.get("state") for t in file.findall("x:body/x:trans-unit/x:target", ns)]
    assert states == ["needs-translation", "new", "translated", "signed-off"]


def test_xliff_states_from_other_tools_are_mapped(db):
    data = b"""<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="a" source-language="vi" target-language="en" datatype="plaintext"><body>
<trans-unit id="1"><source>a</source><target state="needs-review-translation">A</target></trans-unit>
<trans-unit id="2"><source>b</source><target state="final">B</target></trans-unit>
<trans-unit id="3"><source>c</source><target state="needs-l10n">C</target></trans-unit>
<trans-unit id="4"><source>d <x id="1"/>e</source></trans-unit>
</body></file></xliff>"""
    document = interchange.xliff_import(data)
    assert [(u.id, u.state) for u in document.units] == [
        ("1", "translated"),
        ("2", "reviewed"),
        ("3", "draft"),
        ("4", "untranslated"),
    ]
    assert document.units[3].source == "d e"
    data2 = b"""<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="vi" trgLang="en">
<file id="f"><unit id="u"><segment state="final"><source>x</source><target>X</target></segment>
<segment state="translated"><source> y</source><target> Y</target></segment></unit></file></xliff>"""
    [unit] = interchange.xliff_import(data2).units
    assert (unit.source, unit.target, unit.state) == ("x y", "X Y", "translated")  # the least advanced segment


def test_xliff_bad_input(db):
    with pytest.raises(ValidationError) as exc:
        interchange.xliff_export(UNITS, source_lang="vi", target_lang="klingon", version="2.0", original="o")
    assert "klingon" in str(exc.value)
    with pytest.raises(ValidationError):
        interchange.xliff_export(UNITS, source_lang="vi", target_lang="th", version="3.0", original="o")
    with pytest.raises(ValidationError):
        interchange.xliff_export(
            [XliffUnit(id="a", source="x", state="done")], source_lang="vi", target_lang="th", original="o"
        )
    bad_lang = interchange.xliff_export(UNITS, source_lang="vi", target_lang="th", original="o").replace(
        b'trgLang="th"', b'trgLang="zz"'
    )
    with pytest.raises(ImportFailed) as exc:
        interchange.xliff_import(bad_lang, filename="job.xlf")
    assert "job.xlf" in str(exc.value) and "'zz'" in str(exc.value)
    with pytest.raises(ImportFailed) as exc:
        interchange.xliff_import(
            b'<xliff version="2.0" srcLang="vi" trgLang="th"><file id="f"><unit id="1">\n'
            b'<segment state="done"><source>a</source></segment></unit></file></xliff>'
        )
    assert "'done'" in str(exc.value) and "line 2" in str(exc.value)
