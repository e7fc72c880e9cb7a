from datetime import timedelta
from html import unescape
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone

from attachments.tests.files import pdf_bytes
from news.models import Document, HelpTheme, NewsItem


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    """A new in-memory storage per test."""
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}


def page_text(response) -> str:
    return unescape(response.content.decode())


def make_news(title, *, caisse=None, days_ago=1, published=True, **extra):
    return NewsItem.objects.create(
        title=title,
        summary=extra.pop("summary", f"Résumé de « {title} »."),
        body=extra.pop("body", "<p>Le contenu.</p>"),
        caisse=caisse,
        published_at=timezone.now() - timedelta(days=days_ago),
        is_published=published,
        **extra,
    )


def make_document(title, *, caisse=None, category=Document.Category.GUIDE, content=None,
                  filename="guide.pdf", content_type="application/pdf", **extra):  # fmt: skip
    content = content or pdf_bytes(title)
    document = Document(
        title=title,
        caisse=caisse,
        category=category,
        filename=filename,
        content_type=content_type,
        size=len(content),
        **extra,
    )
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def grant(user, *codenames):
    """Permissions given explicitly, whatever the staff groups hold."""
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="news", codename__in=codenames)
    )
    # The permission cache of the user object is stale now.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


EDITOR_PERMISSIONS = (
    "view_newsitem", "add_newsitem", "change_newsitem",
    "view_document", "add_document", "change_document",
    "view_helptheme", "add_helptheme", "change_helptheme",
)  # fmt: skip


@pytest.fixture
def help_content(db):
    """The questions and answers of the data migration (a transactional test flushes them)."""
    if not HelpTheme.objects.exists():
        import_module("news.migrations.0002_help_content").load(django_apps, None)
