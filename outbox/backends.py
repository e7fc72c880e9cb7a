from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ReadableConsoleBackend(DjangoConsoleBackend):
    """Development mail: printed as people read it, links whole.

    Django's console backend prints the MIME source, where long lines (the
    activation and reset links) are cut by quoted-printable encoding.
    """

    def write_message(self, message):
        divider = "-" * 79
        self.stream.write(
            f"{divider}\nDe : {message.from_email}\nÀ : {', '.join(message.to)}\n"
            f"Objet : {message.subject}\n\n{message.body}\n{divider}\n"
        )
