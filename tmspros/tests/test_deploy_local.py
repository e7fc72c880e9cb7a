"""Several processes on shared services: the layout of `make deploy-local`, over real HTTP.

Two gunicorn processes (A and B) share PostgreSQL (sessions included), the
object storage (moto's S3 server) and Redis (Celery's broker); a Celery
worker delivers the e-mails to an SMTP sink that keeps each message.

Starts real servers: skipped unless DEPLOY_LOCAL_TEST=1 (.ci/run sets it).
"""

import email
import email.policy
import html.parser
import http.cookiejar
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DEPLOY_LOCAL_TEST") != "1",
    reason="starts PostgreSQL, Redis, S3, gunicorn and Celery: set DEPLOY_LOCAL_TEST=1",
)

BASE_DIR = Path(__file__).resolve().parents[2]
ESTABLISHMENT = "73282932000074"  # Ateliers Alpha (manage.py demo)
REPRESENTATIVE = "cse@ateliers-alpha.example.fr"
PASSWORD = "Demo-TmsPros-2026!"
START_SECONDS = 300


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    """deploy/local.py started once for the module, stopped (by its pid) afterwards."""
    folder = tmp_path_factory.mktemp("deploy-local")
    state_file, output = folder / "state.json", folder / "local.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, BASE_DIR / "deploy" / "local.py", "--auto-ports",
             "--state-file", state_file, "--max-seconds", "900"],
            cwd=BASE_DIR, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_SECONDS
        while not state_file.exists():
            if process.poll() is not None:
                pytest.fail(f"deploy/local.py stopped before it was ready:\n{output.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"deploy/local.py not ready after {START_SECONDS} s")
            time.sleep(0.5)
        yield json.loads(state_file.read_text())
    finally:
        process.send_signal(signal.SIGTERM)  # it stops what it started, then exits
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(output.read_text()[-4000:])


# --- A small HTTP client with cookies (no redirects followed) -----------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def request(self, url, data=None, headers=None):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, url):
        return self.request(url)

    def post(self, url, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        return self.request(
            url, data, {"Content-Type": "application/x-www-form-urlencoded", "Referer": url}
        )

    def post_multipart(self, url, fields, files):
        boundary = "tmspros" + secrets.token_hex(12)
        parts = []
        for name, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, filename, content in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            url, data, {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url}
        )

    def session_cookie(self) -> str:
        return next((c.value for c in self.cookies if c.name == "sessionid"), "")


class FormFields(html.parser.HTMLParser):
    """What a browser posts for the form that has an input named `marker`."""

    def __init__(self, marker):
        super().__init__()
        self.marker = marker
        self.forms, self.current, self.textarea, self.select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        if self.current is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.current.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.current.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            # A browser drops the newline that follows <textarea>.
            self.current.append((name, value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None

    def fields(self) -> list[tuple[str, str]]:
        return next(form for form in self.forms if any(n == self.marker for n, _ in form))


def form_fields(page: bytes, marker="csrfmiddlewaretoken") -> list[tuple[str, str]]:
    parser = FormFields(marker)
    parser.feed(page.decode())
    return parser.fields()


def csrf_token(page: bytes) -> str:
    return dict(form_fields(page))["csrfmiddlewaretoken"]


def log_in(browser, base, username):
    status, _, page = browser.get(base + "compte/login/")
    assert status == 200
    status, headers, _ = browser.post(
        base + "compte/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "login": username, "password": PASSWORD},
    )
    assert status == 302, "the login was refused"
    return headers["Location"]


def pdf_document(title: str) -> bytes:
    """A real one-page PDF (the portal checks that a PDF can be read)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def messages_to(mail_dir, address):
    found = []
    for path in sorted(Path(mail_dir).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in message["X-Sink-To"]:
            found.append(message)
    return found


# --- The journeys ----------------------------------------------------------------


def test_both_processes_answer_their_health_view(layout):
    for base in layout["urls"]:
        status, headers, body = Browser().get(base + "sante/")
        assert status == 200
        checks = json.loads(body)
        assert checks["status"] == "ok"
        assert (checks["database"], checks["cache"], checks["broker"]) == ("ok", "ok", "ok")


def test_a_session_opened_on_a_continues_on_b(layout):
    a, b = layout["urls"]
    browser = Browser()
    assert log_in(browser, a, ESTABLISHMENT) in ("/", a)
    cookie = browser.session_cookie()
    assert cookie
    status, _, page = browser.get(b + "mon-profil/")
    assert status == 200
    assert "Ateliers Alpha" in page.decode()
    assert browser.session_cookie() == cookie  # the same session, read by the other process
    # Without the cookie, process B sends the visitor to the login page.
    status, headers, _ = Browser().get(b + "mon-profil/")
    assert status == 302 and "/compte/login/" in headers["Location"]


def test_a_document_uploaded_on_a_is_downloaded_from_b(layout):
    a, b = layout["urls"]
    browser = Browser()
    log_in(browser, a, ESTABLISHMENT)
    status, _, page = browser.get(a + "parcours/etape/1/")
    assert status == 200
    name = f"preuve-deploiement-{secrets.token_hex(4)}.pdf"
    content = pdf_document(name)
    status, headers, body = browser.post_multipart(
        a + "parcours/etape/1/", form_fields(page, marker="version"), [("files-Q8", name, content)]
    )
    assert status == 302, body.decode()[:2000]

    status, _, page = browser.get(b + "pieces-jointes/")
    assert status == 200
    [link] = re.findall(
        rf'href="(/pieces-jointes/\d+/telecharger/)">{re.escape(name)}<', page.decode()
    )
    status, headers, downloaded = browser.get(b + link.lstrip("/"))
    assert status == 200
    assert downloaded == content
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    # Without the session, the link leads to the login page.
    assert Browser().get(b + link.lstrip("/"))[0] == 302
    # Stored in the bucket, under a generated name, not on either process's disk.
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=layout["s3_endpoint"],
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local-secret",
    )
    listing = s3.list_objects_v2(Bucket=layout["bucket"], Prefix="attachments/")["Contents"]
    stored = [
        entry["Key"]
        for entry in listing
        if s3.get_object(Bucket=layout["bucket"], Key=entry["Key"])["Body"].read() == content
    ]
    assert len(stored) == 1 and name not in stored[0]


def test_an_email_caused_on_a_is_delivered_once_by_the_worker(layout):
    a, _b = layout["urls"]
    browser = Browser()
    status, _, page = browser.get(a + "compte/password/reset/")
    assert status == 200
    status, _, _ = browser.post(
        a + "compte/password/reset/",
        {"csrfmiddlewaretoken": csrf_token(page), "email": REPRESENTATIVE},
    )
    assert status == 302
    deadline = time.monotonic() + 60
    while not messages_to(layout["mail_dir"], REPRESENTATIVE):
        assert time.monotonic() < deadline, "no message reached the SMTP sink in 60 s"
        time.sleep(0.5)
    time.sleep(5)  # a second delivery (a retry, another worker) would arrive meanwhile
    [message] = messages_to(layout["mail_dir"], REPRESENTATIVE)
    assert "/compte/password/reset/key/" in message.get_body(("plain",)).get_content()
    worker_log = (Path(layout["logs"]) / "worker.log").read_text()
    assert "outbox.tasks.deliver_message" in worker_log
