"""`ketnoi report review`: both formats, clean failures."""

from ketnoi.cli import main
from ketnoi.reports.models import IssuedReview
from ketnoi.reports.selectors import review_data

from .conftest import CODE, SYMBOL
from .helpers import docx_of, docx_table, docx_text, pdf_text


def test_cli_writes_docx_and_pdf(programme, tmp_path, capsys):
    docx_path, pdf_path = tmp_path / "review.docx", tmp_path / "review.pdf"
    args = ["report", "review", "--programme", SYMBOL, "--period", "2025"]
    assert main([*args, "--format", "docx", "--output", str(docx_path), "--issue"]) == 0
    assert main([*args, "--kind", "annual", "--format", "pdf", "--output", str(pdf_path)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {docx_path} (DOCX" in out and "Số: 01/BC-BKHCN" in out
    issued = IssuedReview.objects.get(programme=programme, period="2025", kind="annual")
    assert issued.number_symbol == "01/BC-BKHCN"  # the first party (BTTTT) as it is today

    document = docx_of(docx_path.read_bytes())
    assert "Số: 01/BC-BKHCN" in docx_text(document)
    data = review_data(programme=programme, period="2025")
    totals = docx_table(document, "Mã", "Nội dung")[-1]
    assert int(totals[2]) == data.counts.total and int(totals[7]) == data.counts.overdue
    text = " ".join(pdf_text(pdf_path.read_bytes()).split())
    assert "Số: 01/BC-BKHCN" in text and "Độc lập - Tự do - Hạnh phúc" in text


def test_cli_by_code_with_another_issuer(programme, tmp_path):
    path = tmp_path / "final.docx"
    code = main(
        [
            "report",
            "review",
            "--programme",
            CODE,
            "--period",
            "2030",
            "--kind",
            "final",
            "--format",
            "docx",
            "--output",
            str(path),
            "--issuer",
            "BDTTG",
        ]
    )
    assert code == 0 and "BỘ DÂN TỘC VÀ TÔN GIÁO" in docx_text(docx_of(path.read_bytes()))


def test_cli_fails_cleanly(programme, tmp_path, capsys):
    path = tmp_path / "bad.docx"
    assert main(["report", "review", "--programme", SYMBOL, "--period", "2045", "--output", str(path)]) == 1
    assert "error: The programme runs 2024–2030; there is no review for 2045." in capsys.readouterr().err
    assert main(["report", "review", "--programme", SYMBOL, "--period", "năm ngoái", "--output", str(path)]) == 1
    assert "is not a year" in capsys.readouterr().err
    assert main(["report", "review", "--programme", "1/CTPH-KHONG-CO", "--period", "2025", "--output", str(path)]) == 1
    assert "No programme '1/CTPH-KHONG-CO'" in capsys.readouterr().err
    assert (
        main(
            ["report", "review", "--programme", SYMBOL, "--period", "2025", "--output", str(tmp_path / "no" / "x.pdf")]
        )
        == 1
    )
    assert "cannot write" in capsys.readouterr().err
    assert not path.exists() and not IssuedReview.objects.exists()


def test_cli_refuses_to_number_a_year_that_has_not_begun(programme, tmp_path, capsys, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 1, 5))
    output = tmp_path / "review.docx"
    args = ["report", "review", "--programme", CODE, "--period", "2030", "--kind", "final"]
    assert main([*args, "--format", "docx", "--output", str(output), "--issue"]) == 1
    assert "error: 2030 has not begun: a review of it cannot be numbered before 01/01/2030" in capsys.readouterr().err
    assert not IssuedReview.objects.exists() and not output.exists()
