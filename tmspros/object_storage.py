"""Where uploaded documents are stored: the local disk, or an S3-compatible object storage.

Read by tmspros.settings (STORAGES["default"]). Three forms, the first found wins:

- ``STORAGE_URL=s3://BUCKET[/PREFIX]?endpoint_url=…&region=…&addressing_style=path``
  (credentials as ``s3://KEY:SECRET@BUCKET``, percent-encoded, or in the usual
  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables, or the machine's role);
  ``STORAGE_URL=file:///srv/tmspros/media`` is the local disk at that path;
- the usual django-storages variables: AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL,
  AWS_S3_REGION_NAME, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_ADDRESSING_STYLE,
  AWS_LOCATION (a prefix inside the bucket);
- neither: the local filesystem under MEDIA_ROOT (the embedded default).

Objects are private: no ACL is sent (the bucket's own policy applies: keep it
private, "Block public access" on), the storage never builds a public URL, and
the portal serves every file through its permission-checking views
(attachments.views.private_file_response). Names are generated (uuid4) by the
models' upload_to, never the uploaded file's name.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
# What STORAGE_URL's query may set, and the S3Storage option each one is.
URL_PARAMETERS = {
    "endpoint_url": "endpoint_url",
    "region": "region_name",
    "region_name": "region_name",
    "addressing_style": "addressing_style",
}
# Documents are at most ATTACHMENT_MAX_FILE_MB: a download read from the bucket
# is kept in memory up to this size, on a temporary file beyond.
MAX_MEMORY_BYTES = 2 * 1024 * 1024


def filesystem(location) -> dict:
    # No base_url: a stored file has no public URL, only the download views.
    return {"BACKEND": FILESYSTEM_BACKEND, "OPTIONS": {"location": location, "base_url": None}}


def s3(*, bucket: str, prefix: str = "", **options) -> dict:
    if not bucket:
        raise ImproperlyConfigured("The object storage needs a bucket name (see README.md).")
    given = {name: value for name, value in options.items() if value}
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix.strip("/"),
            # No ACL header: objects are as private as the bucket (never public-read).
            "default_acl": None,
            # Should anything ever ask a file's url(), it gets a signed URL
            # valid five minutes, never a public one. The portal itself does
            # not: downloads are streamed by the views after the access check.
            "querystring_auth": True,
            "querystring_expire": 300,
            # Generated names never collide: no existence check before a write.
            "file_overwrite": True,
            "signature_version": "s3v4",
            "max_memory_size": MAX_MEMORY_BYTES,
            **given,
        },
    }


def from_url(url: str, media_root) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return filesystem(unquote(parts.path) or media_root)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"STORAGE_URL must start with s3:// or file:// (not {parts.scheme or url!r})."
        )
    options = {}
    for name, values in parse_qs(parts.query, keep_blank_values=True).items():
        if name not in URL_PARAMETERS:
            raise ImproperlyConfigured(
                f"STORAGE_URL: unknown parameter {name!r} "
                f"(known: {', '.join(sorted(URL_PARAMETERS))})."
            )
        options[URL_PARAMETERS[name]] = values[-1]
    if parts.username or parts.password:
        options["access_key"] = unquote(parts.username or "")
        options["secret_key"] = unquote(parts.password or "")
    bucket = parts.netloc.rpartition("@")[2]
    return s3(bucket=bucket, prefix=unquote(parts.path), **options)


def default_storage(env, media_root) -> dict:
    """STORAGES["default"] from the environment (a django-environ Env)."""
    url = env("STORAGE_URL", default="")
    if url:
        return from_url(url, media_root)
    bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if bucket:
        return s3(
            bucket=bucket,
            prefix=env("AWS_LOCATION", default=""),
            endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
            region_name=env("AWS_S3_REGION_NAME", default=""),
            access_key=env("AWS_ACCESS_KEY_ID", default=""),
            secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
            addressing_style=env("AWS_S3_ADDRESSING_STYLE", default=""),
        )
    return filesystem(media_root)
