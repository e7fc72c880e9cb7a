"""Documents on an S3-compatible object storage (django-storages), here moto's in-process S3.

The same paths as on the disk: an upload is stored under a generated name,
private; it is downloaded through the access check only; a deletion removes
the object once committed; the sweep removes orphans, and nothing else.
"""

import io

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from moto import mock_aws

from attachments.models import Attachment, QuestionTemplate
from attachments.services import purge_orphan_files
from attachments.tests import files
from attachments.tests.test_uploads import send
from tmspros import object_storage

BUCKET = "tmspros-documents"
REGION = "eu-west-3"
PREFIX = "portail"
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


class Env(dict):
    """The environment as tmspros.settings reads it (django-environ's call)."""

    def __call__(self, name, default=None):
        return self.get(name, default)


@pytest.fixture
def bucket(settings, monkeypatch):
    """An empty private bucket, and the portal's default storage on it (under a prefix)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client(
            "s3", region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test"
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": object_storage.default_storage(
                Env(STORAGE_URL=f"s3://test:test@{BUCKET}/{PREFIX}?region={REGION}"), "/unused"
            ),
        }
        yield client


def keys(client, prefix=""):
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(entry["Key"] for entry in listing.get("Contents", []))


def body(client, key) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


# --- Configuration -------------------------------------------------------------


def test_without_any_variable_documents_stay_on_the_local_disk():
    config = object_storage.default_storage(Env(), "/srv/media")
    assert config == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": "/srv/media", "base_url": None},
    }


def test_storage_url_names_the_bucket_prefix_endpoint_region_and_keys():
    config = object_storage.default_storage(
        Env(
            STORAGE_URL="s3://AKIA%2Fkey:se%2Bcret%40x@tmspros/documents/?"
            "endpoint_url=http://127.0.0.1:5055&region=eu-west-3&addressing_style=path"
        ),
        "/srv/media",
    )
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert options["bucket_name"] == "tmspros"
    assert options["location"] == "documents"
    assert options["endpoint_url"] == "http://127.0.0.1:5055"
    assert options["region_name"] == "eu-west-3"
    assert options["addressing_style"] == "path"
    assert (options["access_key"], options["secret_key"]) == ("AKIA/key", "se+cret@x")
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 300


def test_without_keys_in_the_url_boto3_finds_them_itself():
    options = object_storage.default_storage(Env(STORAGE_URL="s3://tmspros"), "/m")["OPTIONS"]
    assert "access_key" not in options and "secret_key" not in options
    assert "endpoint_url" not in options  # AWS itself


def test_the_usual_aws_variables_configure_the_same_storage():
    config = object_storage.default_storage(
        Env(
            AWS_STORAGE_BUCKET_NAME="tmspros",
            AWS_S3_ENDPOINT_URL="https://s3.example.fr",
            AWS_S3_REGION_NAME="fr-par",
            AWS_ACCESS_KEY_ID="key",
            AWS_SECRET_ACCESS_KEY="secret",
        ),
        "/m",
    )
    options = config["OPTIONS"]
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "tmspros",
        "https://s3.example.fr",
        "fr-par",
    )
    assert (options["access_key"], options["secret_key"], options["location"]) == (
        "key",
        "secret",
        "",
    )


def test_a_file_url_is_the_disk_at_that_path():
    config = object_storage.default_storage(Env(STORAGE_URL="file:///data/tmspros"), "/m")
    assert config["OPTIONS"]["location"] == "/data/tmspros"


@pytest.mark.parametrize(
    "url", ["https://bucket", "s3://", "s3://bucket?acl=public-read", "bucket"]
)
def test_a_wrong_storage_url_stops_the_start_with_its_reason(url):
    with pytest.raises(ImproperlyConfigured):
        object_storage.default_storage(Env(STORAGE_URL=url), "/m")


# --- Upload, download, delete, sweep -------------------------------------------


def test_an_upload_is_stored_privately_under_a_generated_name(
    bucket, client_a, progress_a, establishment_a
):
    content = files.pdf_bytes("bilan 2025")
    response = send(client_a, files.upload("bilan annuel.pdf", content))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    [key] = keys(bucket)
    assert key == f"{PREFIX}/{attachment.file.name}"
    assert attachment.file.name.startswith(f"attachments/{establishment_a.pk}/")
    assert "bilan" not in key
    assert len(key.rpartition("/")[2]) == 32  # uuid4, not guessable
    assert body(bucket, key) == content
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GROUPS]


def test_download_reads_the_object_through_the_access_check(bucket, client_a, client_b, progress_a):
    content = files.xlsx_bytes()
    send(client_a, files.upload("tableau de bord été.xlsx", content))
    attachment = Attachment.objects.get()
    url = reverse("attachments:download", args=[attachment.pk])

    response = client_a.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''tableau%20de%20bord%20%C3%A9t%C3%A9.xlsx"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]
    assert "Location" not in response  # no redirection to the bucket
    assert client_b.get(url).status_code == 404


def test_an_object_missing_from_the_bucket_is_a_404_not_a_500(bucket, client_a, progress_a):
    send(client_a, files.upload("un.pdf", files.pdf_bytes()))
    attachment = Attachment.objects.get()
    bucket.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{attachment.file.name}")
    response = client_a.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 404


def test_an_object_storage_that_does_not_answer_is_a_503_page_not_a_500(
    bucket, client_a, progress_a, monkeypatch
):
    from botocore.exceptions import EndpointConnectionError
    from storages.backends.s3 import S3Storage

    send(client_a, files.upload("un.pdf", files.pdf_bytes()))
    attachment = Attachment.objects.get()

    def down(self, name, mode="rb"):
        raise EndpointConnectionError(endpoint_url="https://s3.example.fr")

    monkeypatch.setattr(S3Storage, "_open", down)
    response = client_a.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 503
    assert "Le stockage des documents ne répond pas pour le moment." in response.content.decode()


def _storage_down(*args, **kwargs):
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(endpoint_url="https://s3.example.fr")


def test_a_download_whose_object_cannot_be_read_is_a_503_page(
    bucket, client_a, progress_a, monkeypatch
):
    """The object's existence answers, its reading does not (FileResponse reads it)."""
    from storages.backends.s3 import S3File

    send(client_a, files.upload("un.pdf", files.pdf_bytes()))
    attachment = Attachment.objects.get()
    monkeypatch.setattr(S3File, "seek", _storage_down)
    response = client_a.get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 503


def test_a_save_while_the_storage_is_down_saves_nothing_and_says_so(
    bucket, client_a, progress_a, monkeypatch
):
    from storages.backends.s3 import S3Storage

    from parcours.models import Answer

    monkeypatch.setattr(S3Storage, "_save", _storage_down)
    response = send(client_a, files.upload("bilan.pdf", files.pdf_bytes()), description="Bilan")
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "Le stockage des documents ne répond pas pour le moment" in html
    assert "« bilan.pdf » (Q8)" in html  # to choose again: it could not be kept
    assert "Rien de ce que vous avez saisi n'est perdu" not in html
    assert not Attachment.objects.exists() and not Answer.objects.exists()


def test_a_refused_form_while_the_storage_is_down_names_the_file_to_choose_again(
    bucket, client_a, progress_a, monkeypatch
):
    from storages.backends.s3 import S3Storage

    from attachments.models import PendingUpload
    from parcours.models import Question

    monkeypatch.setattr(S3Storage, "_save", _storage_down)
    t7 = Question.objects.get(code="T7")
    response = client_a.post(
        reverse("parcours:step", args=[1]),
        {
            "version": "0",
            f"q_{t7.pk}": "peut-être",
            "files-Q8": [files.upload("bilan.pdf", files.pdf_bytes())],
        },
    )
    assert response.status_code == 200
    assert "« bilan.pdf » (Q8)" in response.content.decode().replace("&#x27;", "'")
    assert not PendingUpload.objects.exists()


def test_a_deleted_document_removes_its_object_once_committed(
    bucket, client_a, progress_a, django_capture_on_commit_callbacks
):
    send(client_a, files.upload("un.pdf", files.pdf_bytes()))
    send(client_a, files.upload("deux.pdf", files.pdf_bytes("deux")))
    first, second = Attachment.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("documents:delete"), {"delete": [first.pk], "confirm": "1"}
        )
    assert response.status_code == 302
    assert keys(bucket) == [f"{PREFIX}/{second.file.name}"]


def test_the_sweep_lists_the_bucket_and_removes_old_orphans_only(
    bucket, establishment_a, dashboard_question, time_machine
):
    from attachments.tests.conftest import make_attachment

    time_machine.move_to("2026-03-02 10:00 +01:00")
    old_orphan = default_storage.save("attachments/1/deadbeef", io.BytesIO(b"x"))
    template_orphan = default_storage.save("templates/cafe", io.BytesIO(b"x"))
    kept = make_attachment(establishment_a, dashboard_question)
    # Another application's objects in the same bucket, outside the portal's prefix.
    bucket.put_object(Bucket=BUCKET, Key="autre/attachments/1/deadbeef", Body=b"x")
    bucket.put_object(Bucket=BUCKET, Key=f"{PREFIX}/attachments/", Body=b"")  # a "folder"
    time_machine.move_to("2026-03-02 11:30 +01:00")
    recent_orphan = default_storage.save("attachments/1/f00d", io.BytesIO(b"x"))

    assert sorted(purge_orphan_files(dry_run=True)) == sorted([old_orphan, template_orphan])
    assert sorted(purge_orphan_files()) == sorted([old_orphan, template_orphan])
    assert keys(bucket) == sorted(
        [
            "autre/attachments/1/deadbeef",
            f"{PREFIX}/attachments/",
            f"{PREFIX}/{kept.file.name}",
            f"{PREFIX}/{recent_orphan}",
        ]
    )


def test_the_programme_templates_are_built_into_the_bucket_and_downloadable(
    bucket, client_a, dashboard_question, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("build_templates", stdout=io.StringIO())
    first = {t.filename: t.file.name for t in QuestionTemplate.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("build_templates", stdout=io.StringIO())  # replaces, no duplicate
    templates = list(QuestionTemplate.objects.order_by("order"))
    assert len(templates) == 3
    assert keys(bucket, f"{PREFIX}/templates/") == sorted(
        f"{PREFIX}/{t.file.name}" for t in templates
    )
    assert not set(first.values()) & {t.file.name for t in templates}
    response = client_a.get(reverse("attachments:template", args=[templates[0].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body(
        bucket, f"{PREFIX}/{templates[0].file.name}"
    )


def test_a_url_of_a_stored_file_is_signed_and_short_lived_never_public(bucket):
    name = default_storage.save("attachments/1/abc", io.BytesIO(b"x"))
    url = default_storage.url(name)
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=300" in url


def test_the_admin_links_a_template_to_the_download_view_never_to_the_bucket(
    bucket, admin_client, dashboard_question
):
    call_command("build_templates", stdout=io.StringIO())
    template = QuestionTemplate.objects.order_by("order").first()
    response = admin_client.get(
        reverse("admin:attachments_questiontemplate_change", args=[template.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    download = reverse("attachments:template", args=[template.pk])
    assert f'<a href="{download}">{template.filename}</a>' in html
    assert "X-Amz" not in html and BUCKET not in html


def test_news_files_and_documentation_are_read_from_the_bucket(bucket, client_a):
    from django.core.files.base import ContentFile

    from news.tests.conftest import make_document, make_news

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # served as stored (checked when uploaded)
    item = make_news("Webinaire TMS", image_type="image/png", image_alt="Affiche du webinaire")
    item.image.save("affiche.png", ContentFile(png), save=False)
    item.document.save("programme.pdf", ContentFile(files.pdf_bytes("programme")), save=False)
    item.document_name, item.document_type = "programme.pdf", "application/pdf"
    item.save()
    guide = make_document("Guide TMS")
    assert len(keys(bucket, f"{PREFIX}/news/")) == 2
    assert keys(bucket, f"{PREFIX}/documentation/") == [f"{PREFIX}/{guide.file.name}"]

    image = client_a.get(reverse("news:image", args=[item.pk]))
    assert b"".join(image.streaming_content) == png
    document = client_a.get(reverse("news:document", args=[item.pk]))
    assert b"".join(document.streaming_content) == files.pdf_bytes("programme")
    assert document["Content-Disposition"] == 'attachment; filename="programme.pdf"'
    download = client_a.get(reverse("news:document_download", args=[guide.pk]))
    assert b"".join(download.streaming_content) == body(bucket, f"{PREFIX}/{guide.file.name}")
