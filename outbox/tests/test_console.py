import io

from django.core.mail import EmailMessage

from outbox.backends import ReadableConsoleBackend


def test_development_console_prints_links_whole():
    link = "http://localhost:8000/compte/activer/2/" + "x" * 120 + "/"
    stream = io.StringIO()
    backend = ReadableConsoleBackend(stream=stream, alias="default")
    backend.send_messages(
        [EmailMessage("Activez votre compte", f"Votre lien :\n{link}\n", "a@b.fr", ["c@d.fr"])]
    )
    output = stream.getvalue()
    assert link in output
    assert "Objet : Activez votre compte" in output
