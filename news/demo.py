"""Demo content of `manage.py demo`: the seed's home page (a national and a
regional news item) and two documents. Idempotent: found by title and scope."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from attachments.workbooks import dashboard_workbook, to_bytes

from .models import Document, NewsItem

NEWS = [
    # (caisse code or None, days ago, title, summary, body)
    (
        None,
        1,
        "Nouvelle actualité nationale",
        "Le programme TMS Pros accompagne les établissements dans une démarche de "
        "prévention des troubles musculo-squelettiques en quatre étapes.",
        "<p>Prévenir les TMS, c'est identifier, connaître et maîtriser les risques pour "
        "transformer durablement les conditions de travail.</p>"
        "<ul><li>Étape 1 : en quoi suis-je concerné ?</li>"
        "<li>Étape 2 : par quoi commencer ?</li>"
        "<li>Étape 3 : comment agir ?</li>"
        "<li>Étape 4 : quels résultats pour mon entreprise ?</li></ul>"
        "<p>Le tableau de bord TMS vierge est dans <strong>Documentation</strong>.</p>",
    ),
    (
        "CRAMIF",
        2,
        "Nouvelle actualité régionale",
        "La Cramif réunit les établissements franciliens du programme pour un atelier "
        "d'échanges sur les tableaux de bord TMS.",
        "<p>Vos préventeurs présenteront les indicateurs à suivre chaque année et "
        "répondront à vos questions.</p>"
        '<p>Inscriptions : <a href="mailto:infos.tmspros.cramif@assurance-maladie.fr">'
        "infos.tmspros.cramif@assurance-maladie.fr</a>.</p>",
    ),
]


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF of a title and lines of text (Helvetica, WinAnsi)."""

    def text(value):
        raw = value.encode("cp1252")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    stream = b"BT /F1 18 Tf 56 780 Td (" + text(title) + b") Tj /F1 11 Tf 0 -30 Td"
    for line in lines:
        stream += b" (" + text(line) + b") Tj 0 -16 Td"
    stream += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    output = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return output


def demo_documents():
    """(caisse code or None, category, title, description, file name, content type, content)."""
    this_year = timezone.localdate().year
    return [
        (None, Document.Category.TOOL, "Tableau de bord TMS vierge",
         "La trame à compléter chaque année pour suivre l'impact des TMS et du mal de dos.",
         "tableau_de_bord_tms_vierge.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         to_bytes(dashboard_workbook(list(range(this_year - 2, this_year + 2))))),
        ("CRAMIF", Document.Category.GUIDE,
         "Tutoriel : se connecter et utiliser l'espace restreint",
         "Se connecter, valider son profil, renseigner le parcours, les questions fréquentes.",
         "tutoriel_tms_pros_cramif.pdf", "application/pdf",
         simple_pdf("Tutoriel TMS Pros", [
             "1. Se connecter : votre identifiant est votre SIRET, sans espace.",
             "2. Valider ou mettre à jour vos informations administratives (Mon profil).",
             "3. Renseigner le parcours, puis ENREGISTRER.",
             "Une question ? infos.tmspros.cramif@assurance-maladie.fr - 3679",
         ])),
    ]  # fmt: skip


def load_demo_content(*, by, caisses) -> tuple[int, int]:
    """Create the demo news and documents that are missing; (news created, documents created)."""
    now = timezone.now()
    news_created = 0
    for code, days_ago, title, summary, body in NEWS:
        _item, created = NewsItem.objects.get_or_create(
            title=title,
            caisse=caisses.get(code),
            defaults={
                "summary": summary,
                "body": body,
                "published_at": now - timedelta(days=days_ago),
                "is_published": True,
                "created_by": by,
            },
        )
        news_created += created
    documents_created = 0
    for code, category, title, description, filename, content_type, content in demo_documents():
        if Document.objects.filter(title=title, caisse=caisses.get(code)).exists():
            continue
        document = Document(
            title=title,
            caisse=caisses.get(code),
            category=category,
            description=description,
            filename=filename,
            content_type=content_type,
            size=len(content),
            created_by=by,
        )
        document.file.save(filename, ContentFile(content), save=False)
        document.save()
        documents_created += 1
    return news_created, documents_created
