"""Bodies and answers are cleaned when saved and displayed: no script, handler, javascript: or style."""

from django.urls import reverse

from news.models import HelpQuestion, HelpTheme, NewsItem

from .conftest import make_news

HOSTILE = (
    '<p style="color:red" onclick="steal()">Bonjour <strong>à tous</strong>'
    "<script>alert('script')</script>"
    '<img src="x" onerror="alert(1)">'
    "<a href=\"javascript:alert('lien')\">piège</a> "
    '<a href="https://www.ameli.fr/entreprise" target="_blank">ameli</a></p>'
    "<ul><li><em>un</em></li></ul><style>body{display:none}</style>"
    '<iframe src="https://evil.example"></iframe>'
)
FORBIDDEN = ("<script", "alert(", "onerror", "onclick", "javascript:", "style=", "<style",
             "<img", "<iframe", 'target="_blank"')  # fmt: skip


def assert_clean(html):
    for forbidden in FORBIDDEN:
        assert forbidden not in html, forbidden


def test_a_news_body_is_cleaned_when_saved(db):
    item = make_news("Hostile", body=HOSTILE)
    item.refresh_from_db()
    assert_clean(item.body)
    assert "<p>Bonjour <strong>à tous</strong>" in item.body
    assert '<a href="https://www.ameli.fr/entreprise" rel="noopener noreferrer">ameli</a>' in (
        item.body
    )
    assert "<ul><li><em>un</em></li></ul>" in item.body


def test_a_body_written_around_the_model_is_cleaned_on_display(client_a):
    item = make_news("Écrite autrement")
    NewsItem.objects.filter(pk=item.pk).update(body=HOSTILE)  # update() skips save()
    html = client_a.get(item.get_absolute_url()).content.decode()
    body = html[html.index('<div class="tms-formatted">') :]
    assert_clean(body[: body.index("</article>")])
    assert "<strong>à tous</strong>" in html


def test_plain_text_becomes_paragraphs_and_is_escaped(db):
    item = make_news("Texte simple", body="Premier paragraphe.\n\nSecond, avec 3 < 4 & co.")
    assert item.body == "<p>Premier paragraphe.</p>\n\n<p>Second, avec 3 &lt; 4 &amp; co.</p>"


def test_a_help_answer_is_cleaned_when_saved_and_on_display(client, db):
    theme = HelpTheme.objects.create(title="Connexion", order=1)
    question = HelpQuestion.objects.create(theme=theme, question="Piège ?", answer=HOSTILE)
    assert_clean(question.answer)
    HelpQuestion.objects.filter(pk=question.pk).update(answer=HOSTILE)
    html = client.get(reverse("news:help")).content.decode()
    assert_clean(html[html.index("<summary>Piège ?</summary>") : html.index('id="interlocuteurs"')])


def test_pages_keep_the_strict_content_security_policy(client_a):
    item = make_news("Politique")
    for url in (reverse("news:list"), item.get_absolute_url(), reverse("news:help"),
                reverse("news:documentation"), reverse("home")):  # fmt: skip
        response = client_a.get(url)
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "style-src 'self'" in csp, url
        html = response.content.decode()
        assert " style=" not in html, url
        assert "<script>" not in html, url  # every script is a file


def test_the_admin_forms_drop_invisible_characters(db):
    from news.forms import DocumentForm, NewsItemForm

    form = NewsItemForm(
        {
            "title": "Sécurité\u202e des\u200b quais\x07",
            "summary": "Un\x1b résumé",
            "body": "<p>Premier\x00 paragraphe</p>\n<p>second</p>",
            "published_at": "01/12/2026",
            "is_published": "on",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Sécurité des quais"
    assert form.cleaned_data["summary"] == "Un résumé"
    assert form.cleaned_data["body"] == "<p>Premier paragraphe</p>\n<p>second</p>"
    document = DocumentForm({"title": "\u200b\u202e", "description": "x"})
    assert "title" in document.errors  # nothing visible is left: the title is required
