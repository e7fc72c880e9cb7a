"""A PDF with active content is refused however it is written: names with hex
escapes, JavaScript inside a compressed object stream, a launch action beyond
the first mebibyte, embedded files, automatic actions. An unreadable PDF is
refused with a sentence naming the file; a plain PDF is accepted."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from attachments.services import inspect_upload
from attachments.tests import files

pytestmark = pytest.mark.django_db


def verdict(name, content):
    try:
        inspect_upload(files.upload(name, content))
    except ValidationError as refused:
        [message] = refused.messages
        assert message.startswith(f"« {name} » : ")
        return message
    return "accepté"


def written(writer: PdfWriter, *, compress_objects=False) -> bytes:
    if compress_objects:
        writer.compress_identical_objects()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def plain_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def classic_pdf(objects: list[bytes], root_extra: bytes = b"") -> bytes:
    """A PDF written by hand with a correct cross-reference table."""
    body = [
        b"<< /Type /Catalog /Pages 2 0 R " + root_extra + b">>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        *objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, content in enumerate(body, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref))
    return out.getvalue()


def object_stream_pdf(hidden: bytes) -> bytes:
    """Object 3 lives, compressed, inside object stream 4 (PDF 1.5 cross-reference stream)."""
    stream_body = b"3 0 " + hidden
    packed = zlib.compress(stream_body)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}
    offsets[1] = out.tell()
    out.write(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Names 3 0 R >>\nendobj\n")
    offsets[2] = out.tell()
    out.write(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
    offsets[4] = out.tell()
    out.write(
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(packed) + packed + b"\nendstream\nendobj\n"
    )
    xref_at = out.tell()
    rows = [b"\x00\x00\x00\x00\xff", b"\x01" + offsets[1].to_bytes(3, "big") + b"\x00",
            b"\x01" + offsets[2].to_bytes(3, "big") + b"\x00", b"\x02\x00\x00\x04\x00",
            b"\x01" + offsets[4].to_bytes(3, "big") + b"\x00", b"\x01" + xref_at.to_bytes(3, "big") + b"\x00"]  # fmt: skip
    data = b"".join(rows)
    out.write(
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 3 1] /Root 1 0 R /Length %d >>\nstream\n"
        % len(data) + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return out.getvalue()


def test_a_plain_pdf_is_accepted():
    assert verdict("plan.pdf", written(plain_writer())) == "accepté"


def test_javascript_with_a_hex_escaped_name_is_refused():
    content = classic_pdf(
        [b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"], root_extra=b"/OpenAct#69on 3 0 R "
    )
    assert b"/JavaScript" not in content and b"/OpenAction" not in content
    assert "contenu actif" in verdict("rapport.pdf", content)


def test_javascript_inside_a_compressed_object_stream_is_refused():
    content = object_stream_pdf(b"<< /Names [(x) << /S /JavaScript /JS (app.alert(1)) >>] >>")
    assert b"JavaScript" not in content and b"/JS" not in content
    assert "contenu actif" in verdict("rapport.pdf", content)


def test_a_launch_action_across_the_first_mebibyte_read_is_refused():
    head = b"%PDF-1.7\n"
    filler = b"%" + b"z" * (1024 * 1024 - len(head) - 1 - 3)
    content = head + filler + b"/Launch (calc.exe)\n" + written(plain_writer())[9:]
    assert content.index(b"/Launch") == 1024 * 1024 - 3  # "/La" | "unch"
    assert "contenu actif" in verdict("rapport.pdf", content)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda w: w.add_attachment("programme.exe", b"MZ\x90\x00"), id="embedded-file"),
        pytest.param(
            lambda w: w._root_object.__setitem__(
                NameObject("/Names"), DictionaryObject({NameObject("/JavaScript"): DictionaryObject()})
            ),
            id="document-javascript",
        ),
        pytest.param(
            lambda w: w._root_object.__setitem__(
                NameObject("/OpenAction"),
                DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}),
            ),
            id="open-action-launch",
        ),
        pytest.param(
            lambda w: w.pages[0].__setitem__(
                NameObject("/AA"),
                DictionaryObject({NameObject("/O"): DictionaryObject({NameObject("/S"): NameObject("/SubmitForm")})}),
            ),
            id="page-auto-action-submit-form",
        ),
    ],
)
def test_embedded_files_javascript_and_automatic_actions_are_refused(mutate):
    writer = plain_writer()
    mutate(writer)
    assert "contenu actif" in verdict("rapport.pdf", written(writer, compress_objects=True))


def test_a_pdf_that_opens_at_its_first_page_is_accepted():
    """LaTeX (hyperref) and office suites write an /OpenAction that only shows page 1."""
    writer = plain_writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): TextStringObject("page1")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject()
    assert verdict("cours.pdf", written(writer, compress_objects=True)) == "accepté"


def test_an_unparsable_pdf_is_refused_with_a_clear_sentence():
    message = verdict("scan.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40)
    assert "« scan.pdf » : ce PDF est illisible ou trop complexe pour être vérifié" in message


def test_a_decoded_stream_is_not_mistaken_for_active_content():
    writer = plain_writer()
    stream = DecodedStreamObject()
    stream.set_data(b"BT (Tableau de bord TMS) Tj ET")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    assert verdict("plan.pdf", written(writer)) == "accepté"
