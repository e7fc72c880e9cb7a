"""What an uploaded document really is, decided by its content, never by its name.

Every reason for refusing is a French sentence that names the file, so that the
page can show it next to the question. Archives (Office, OpenDocument) are
inspected through their central directory only: sizes and member counts are
read from the ZipInfo records, nothing is unpacked but a few small XML parts,
which are parsed with defusedxml.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from defusedxml import ElementTree as SafeElementTree
from django.core.exceptions import ValidationError

from tmspros.text import clean_text

ACCEPTED_FORMATS = "PDF, Word, Excel, PowerPoint, OpenDocument, CSV, TXT, JPEG, PNG"

# Bounds for Office and OpenDocument archives (a real document stays far below).
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200  # unpacked / packed size of one member
ZIP_XML_PART_MAX_BYTES = 2 * 1024 * 1024
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("un PDF", "application/pdf", (".pdf",))
DOCX = FileKind(
    "un document Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileKind(
    "un classeur Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileKind(
    "une présentation PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
OLE_OFFICE = FileKind(
    "un document Office (ancien format)", "application/octet-stream", (".doc", ".xls", ".ppt")
)
ODT = FileKind("un texte OpenDocument", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileKind(
    "un classeur OpenDocument", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)
)
ODP = FileKind(
    "une présentation OpenDocument", "application/vnd.oasis.opendocument.presentation", (".odp",)
)
TEXT = FileKind("un fichier texte", "text/plain", (".txt", ".csv"))
JPEG = FileKind("une image JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("une image PNG", "image/png", (".png",))

OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
             ".ppt": "application/vnd.ms-powerpoint"}  # fmt: skip
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}

OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
OOXML_EXPECTED_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}  # fmt: skip
ODF_TYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}

EXECUTABLE_MAGICS = (
    b"MZ",  # Windows PE
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The VBA storage of an old Office file, as its UTF-16 directory entry name.
OLE_VBA_MARKERS = ("_VBA_PROJECT".encode("utf-16-le"), "VBA".encode("utf-16-le") + b"\x00\x00")
MARKUP_START = re.compile(
    rb"^\s*<(!doctype|html|head|body|script|iframe|svg|\?xml|object|embed|meta|a\s)", re.I
)
MARKUP_ANYWHERE = re.compile(rb"<\s*(script|iframe|html|object|embed)\b|javascript:", re.I)
PDF_ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch)\b")


def refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(f"« {name} » : {reason}", code="refused")


def clean_filename(name: str, *, max_length: int = 200) -> str:
    """The name to display and to send back: no path, no control or bidi characters."""
    name = re.split(r"[\\/]", clean_text(name))[-1]
    name = name.strip().lstrip(".").strip()
    if len(name) > max_length:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: max_length - len(suffix)].rstrip() + suffix
    return name or "document"


def extension_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def read_head(uploaded_file, size: int = SNIFF_BYTES) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(size)
    uploaded_file.seek(0)
    return head


def detect_kind(uploaded_file, name: str) -> tuple[FileKind, str]:
    """The kind of the file and the content type to store, or a ValidationError.

    The name only has to agree with the content, so that the file opens with
    the right program once downloaded.
    """
    head = read_head(uploaded_file)
    if not head:
        raise refuse(name, "le fichier est vide.")
    extension = extension_of(name)

    if head.startswith(EXECUTABLE_MAGICS):
        raise refuse(name, "les programmes et scripts exécutables ne sont pas acceptés.")
    if head.startswith(b"%PDF-"):
        kind, content_type = check_pdf(uploaded_file, name), PDF.content_type
    elif head.startswith(b"PK\x03\x04"):
        kind = check_zip_document(uploaded_file, name, extension)
        content_type = kind.content_type
    elif head.startswith(OLE_MAGIC):
        kind = check_ole(uploaded_file, name)
        content_type = OLE_TYPES.get(extension, kind.content_type)
    elif head.startswith(b"\xff\xd8\xff"):
        kind, content_type = JPEG, JPEG.content_type
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind, content_type = PNG, PNG.content_type
    else:
        kind = check_text(uploaded_file, name, head)
        content_type = TEXT_TYPES.get(extension, kind.content_type)

    if extension not in kind.extensions:
        expected = " ou ".join(kind.extensions)
        raise refuse(
            name,
            f"son contenu est {kind.label} alors que son nom ne se termine pas par {expected} ; "
            "renommez-le avec la bonne extension.",
        )
    return kind, content_type


PDF_ACTIVE_MESSAGE = (
    "ce PDF contient du contenu actif (JavaScript, lancement de programme, fichier joint ou "
    "envoi de formulaire) ; enregistrez-le de nouveau en PDF simple (« Imprimer en PDF »)."
)
PDF_UNREADABLE_MESSAGE = (
    "ce PDF est illisible ou trop complexe pour être vérifié ; enregistrez-le de nouveau "
    "en PDF (« Imprimer en PDF ») et recommencez."
)
# Names whose presence, as a key or as a value, makes a PDF active.
PDF_ACTIVE_NAMES = frozenset(("/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"))
# Actions (an /OpenAction, a page's or a field's /AA, a link) are active by
# their type (/S) only: most PDFs (LaTeX, office suites) open at page 1 with
# a harmless /GoTo, and refusing every /OpenAction would refuse them.
PDF_ACTIVE_ACTIONS = frozenset(
    ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMediaExecute")
)
PDF_MAX_SECONDS = 2.0  # a worker is never held long by a crafted PDF
PDF_MAX_OBJECTS = 200_000
PDF_CHUNK = 1024 * 1024


class _PdfTooComplex(Exception):
    pass


def check_pdf(uploaded_file, name: str) -> FileKind:
    """No active content, found through pypdf's parsing (hex-escaped names,
    compressed object streams), after a raw scan of the bytes (overlapping
    chunks, so a name across two reads is seen); a PDF pypdf cannot read
    within the time and object budget is refused."""
    uploaded_file.seek(0)
    tail = b""
    for chunk in iter(lambda: uploaded_file.read(PDF_CHUNK), b""):
        if PDF_ACTIVE_CONTENT.search(tail + chunk):
            uploaded_file.seek(0)
            raise refuse(name, PDF_ACTIVE_MESSAGE)
        tail = chunk[-32:]
    uploaded_file.seek(0)
    try:
        active = _pdf_has_active_content(uploaded_file)
    except Exception as error:  # noqa: BLE001 - whatever pypdf cannot read is refused
        raise refuse(name, PDF_UNREADABLE_MESSAGE) from error
    finally:
        uploaded_file.seek(0)
    if active:
        raise refuse(name, PDF_ACTIVE_MESSAGE)
    return PDF


def _pdf_has_active_content(uploaded_file) -> bool:
    import logging
    import time
    import warnings

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    deadline = time.monotonic() + PDF_MAX_SECONDS
    pypdf_logger = logging.getLogger("pypdf")
    previous_level = pypdf_logger.level
    pypdf_logger.setLevel(logging.CRITICAL)  # a damaged PDF is answered, not logged
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(uploaded_file, strict=False)
            if reader.is_encrypted:
                reader.decrypt("")
            references = []
            for generation, numbers in reader.xref.items():
                references += [IndirectObject(number, generation, reader) for number in numbers]
            references += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
            pending = [reader.trailer, *references]
            seen, visited = set(), 0
            while pending:
                visited += 1
                if visited > PDF_MAX_OBJECTS or time.monotonic() > deadline:
                    raise _PdfTooComplex
                item = pending.pop()
                if isinstance(item, IndirectObject):
                    key = (item.idnum, item.generation)
                    if key in seen:
                        continue
                    seen.add(key)
                    item = item.get_object()
                if isinstance(item, NameObject):
                    if item in PDF_ACTIVE_NAMES:
                        return True
                elif isinstance(item, DictionaryObject):
                    for key, value in item.items():
                        if key in PDF_ACTIVE_NAMES:
                            return True
                        if key == "/S" and value in PDF_ACTIVE_ACTIONS:
                            return True
                        pending.append(value)
                elif isinstance(item, ArrayObject):
                    pending.extend(item)
    finally:
        pypdf_logger.setLevel(previous_level)
    return False


def check_zip_document(uploaded_file, name: str, extension: str) -> FileKind:
    """An OOXML or OpenDocument archive, inspected without unpacking it whole."""
    damaged = refuse(
        name, "ce n'est pas un document Office ou OpenDocument valide (fichier endommagé ?)."
    )
    uploaded_file.seek(0)
    try:
        archive = zipfile.ZipFile(uploaded_file)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise damaged from error
    try:
        check_zip_bounds(members, name)
        names = {member.filename for member in members}
        if "mimetype" in names:
            return check_opendocument(archive, names, name)
        return check_ooxml(archive, names, name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as error:
        raise damaged from error
    finally:
        archive.close()
        uploaded_file.seek(0)


def check_zip_bounds(members, name: str) -> None:
    if len(members) > ZIP_MAX_MEMBERS:
        raise refuse(name, f"le document contient trop d'éléments internes ({len(members)}).")
    unpacked = 0
    for member in members:
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > ZIP_MAX_RATIO:
            raise refuse(
                name, "le document est anormalement compressé (archive piégée « zip bomb »)."
            )
    if unpacked > ZIP_MAX_UNPACKED_BYTES:
        raise refuse(name, "le document décompressé serait beaucoup trop volumineux.")


def read_member(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:
        data = stream.read(ZIP_XML_PART_MAX_BYTES + 1)
    if len(data) > ZIP_XML_PART_MAX_BYTES:
        raise ValueError(f"{member} is too large")
    return data


def parse_xml(data: bytes):
    try:
        return SafeElementTree.fromstring(data)
    except Exception as error:  # defusedxml's refusals and parse errors alike
        raise ValueError("invalid XML") from error


def has_macros(names) -> bool:
    lowered = {member.lower() for member in names}
    return any(
        member.endswith(("vbaproject.bin", "vbadata.xml")) or member.startswith("basic/")
        for member in lowered
    )


def check_ooxml(archive: zipfile.ZipFile, names: set[str], name: str) -> FileKind:
    not_office = refuse(
        name, "ce n'est pas un document Word, Excel ou PowerPoint valide (fichier endommagé ?)."
    )
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        raise not_office
    root = parse_xml(read_member(archive, "[Content_Types].xml"))
    content_types = {element.get("ContentType", "") for element in root}
    if has_macros(names) or any(
        "macroenabled" in value.lower() or "vbaproject" in value.lower() for value in content_types
    ):
        raise refuse(name, "les documents contenant des macros ne sont pas acceptés.")
    kinds = [OOXML_MAIN_PARTS[value] for value in content_types if value in OOXML_MAIN_PARTS]
    if len(kinds) != 1 or OOXML_EXPECTED_PART[kinds[0]] not in names:
        raise not_office
    parse_xml(read_member(archive, OOXML_EXPECTED_PART[kinds[0]]))
    return kinds[0]


def check_opendocument(archive: zipfile.ZipFile, names: set[str], name: str) -> FileKind:
    mimetype = read_member(archive, "mimetype").decode("ascii", "replace").strip()
    kind = ODF_TYPES.get(mimetype)
    if kind is None or "META-INF/manifest.xml" not in names or "content.xml" not in names:
        raise refuse(name, "ce n'est pas un document OpenDocument accepté (texte, classeur, présentation).")  # fmt: skip
    if has_macros(names) or any(member.lower().startswith("scripts/") for member in names):
        raise refuse(name, "les documents contenant des macros ne sont pas acceptés.")
    parse_xml(read_member(archive, "META-INF/manifest.xml"))
    return kind


def check_ole(uploaded_file, name: str) -> FileKind:
    """An old Office file (.doc, .xls, .ppt): refused when it holds a VBA project."""
    uploaded_file.seek(0)
    tail = b""
    for chunk in iter(lambda: uploaded_file.read(1024 * 1024), b""):
        window = tail + chunk
        if any(marker in window for marker in OLE_VBA_MARKERS):
            uploaded_file.seek(0)
            raise refuse(name, "les documents contenant des macros ne sont pas acceptés.")
        tail = chunk[-32:]
    uploaded_file.seek(0)
    return OLE_OFFICE


def check_text(uploaded_file, name: str, head: bytes) -> FileKind:
    """CSV or TXT: readable text (UTF-8 or Latin-1), neither a web page nor a script."""
    if MARKUP_START.search(head) or MARKUP_ANYWHERE.search(head):
        raise refuse(name, "le fichier contient une page web ou un script, ce qui n'est pas accepté.")  # fmt: skip
    unknown = refuse(
        name, f"son contenu ne correspond à aucun format accepté ({ACCEPTED_FORMATS})."
    )
    uploaded_file.seek(0)
    data = uploaded_file.read()
    uploaded_file.seek(0)
    if b"\x00" in data:
        raise unknown
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n\f" for char in text):
        raise unknown
    if MARKUP_ANYWHERE.search(data):
        raise refuse(name, "le fichier contient une page web ou un script, ce qui n'est pas accepté.")  # fmt: skip
    return TEXT
