"""What is accepted is decided by the content; every refusal names the file and the reason."""

import pytest
from django.core.exceptions import ValidationError

from attachments.services import inspect_upload
from attachments.tests import files
from attachments.validators import clean_filename, detect_kind


def refusal(name, content):
    with pytest.raises(ValidationError) as caught:
        inspect_upload(files.upload(name, content))
    [message] = caught.value.messages
    assert message.startswith(f"« {name} » : ")
    return message


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("tableau de bord.pdf", files.pdf_bytes(), "application/pdf"),
        (
            "tableau_de_bord_tms_vierge.xlsx",
            files.xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "plan d'actions.docx",
            files.docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("compte rendu.odt", files.odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("ancien.doc", files.ole_bytes(), "application/msword"),
        ("ancien.xls", files.ole_bytes(), "application/vnd.ms-excel"),
        ("indicateurs.csv", "année;effectif\n2025;221\n".encode(), "text/csv"),
        ("notes.txt", "Réunion CSE : écart de poste à l'atelier".encode("latin-1"), "text/plain"),
        ("poste.jpg", files.JPEG_BYTES, "image/jpeg"),
        ("poste.png", files.PNG_BYTES, "image/png"),
    ],
)
def test_accepted_formats_are_recognised_by_their_content(name, content, content_type):
    upload = files.upload(name, content, content_type="application/x-anything")
    inspect_upload(upload)
    assert detect_kind(upload, name)[1] == content_type


def test_html_renamed_pdf_is_refused():
    message = refusal("rapport.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    assert "page web ou un script" in message


def test_svg_renamed_png_is_refused():
    message = refusal("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    assert "page web ou un script" in message


def test_text_file_hiding_a_script_is_refused():
    message = refusal("notes.txt", b"Bonjour\n" * 50 + b"<script src=//evil></script>")
    assert "page web ou un script" in message


def test_fake_xlsx_is_refused():
    message = refusal("tableau.xlsx", b"PK\x03\x04 this is not really a zip archive")
    assert "endommagé" in message


def test_zip_that_is_not_an_office_document_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    message = refusal("tableau.xlsx", buffer.getvalue())
    assert "Word, Excel ou PowerPoint valide" in message


def test_workbook_renamed_pdf_is_refused_with_the_right_extension():
    message = refusal("tableau.pdf", files.xlsx_bytes())
    assert "classeur Excel" in message and ".xlsx" in message


def test_macro_enabled_docx_is_refused():
    message = refusal("procédure.docx", files.macro_docx_bytes())
    assert "macros" in message


def test_vba_project_hidden_in_a_normal_docx_is_refused():
    content = files.docx_bytes(extra_parts={"word/vbaProject.bin": b"vba"})
    assert "macros" in refusal("procédure.docx", content)


def test_old_office_file_with_macros_is_refused():
    assert "macros" in refusal("ancien.xls", files.ole_bytes(macros=True))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200),
        ("tableau.xlsx", b"\x7fELF\x02\x01\x01" + b"\0" * 200),
        ("notes.txt", b"#!/bin/sh\nrm -rf /\n"),
    ],
)
def test_executable_renamed_is_refused(name, content):
    assert "exécutables" in refusal(name, content)


def test_zip_bomb_is_refused_without_unpacking(monkeypatch):
    import zipfile

    content = files.zip_bomb_bytes()

    def no_reading(*args, **kwargs):
        raise AssertionError("the huge member must not be unpacked")

    original_open = zipfile.ZipFile.open

    def guarded_open(self, name, *args, **kwargs):
        if "huge" in str(getattr(name, "filename", name)):
            no_reading()
        return original_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", guarded_open)
    assert len(content) < 1024 * 1024
    assert "zip bomb" in refusal("tableau.docx", content)


def test_office_file_with_too_many_members_is_refused():
    assert "trop d'éléments" in refusal("tableau.docx", files.many_members_bytes())


def test_xml_entity_expansion_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Types>&lol2;</Types>'
    )
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", bomb)
        archive.writestr("_rels/.rels", files.RELS)
        archive.writestr("word/document.xml", files.DOCUMENT)
    assert "endommagé" in refusal("tableau.docx", buffer.getvalue())


def test_pdf_with_javascript_is_refused():
    content = files.pdf_bytes() + b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"
    assert "contenu actif" in refusal("rapport.pdf", content)


def test_binary_garbage_is_refused():
    assert "aucun format accepté" in refusal("données.csv", b"\x00\x01\x02binary\x00")


def test_empty_file_is_refused():
    assert "vide" in refusal("vide.pdf", b"")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Tableau de bord TMS (rempli).xlsx", "Tableau de bord TMS (rempli).xlsx"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Claire\\Bureau\\bilan été.pdf", "bilan été.pdf"),
        ("rapport \u202efdp.exe", "rapport fdp.exe"),
        ('évaluation\u200b « Q8 » l\'atelier "B".pdf', 'évaluation « Q8 » l\'atelier "B".pdf'),
        ("ligne\r\nbrisée\x00.txt", "ligne brisée.txt"),
        ("e\u0301te\u0301.pdf", "été.pdf"),
        ("...", "document"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_original_names_are_cleaned(raw, clean):
    assert clean_filename(raw) == clean
