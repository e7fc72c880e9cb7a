"""Every page answers only the methods it serves: PUT, PATCH, DELETE and TRACE
answer 405, whoever asks, on every URL of the portal (the admin excepted)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

OTHER_METHODS = ("put", "patch", "delete", "trace")
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def portal_paths(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if route.startswith("^"):  # a regular expression route: one sample per group
            route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route).strip("^$").replace("\\", "")
        if isinstance(pattern, URLResolver):
            if not (prefix + route).startswith("admin/"):
                yield from portal_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            path = prefix + route
            yield "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), path)


PATHS = sorted(set(portal_paths()))


def test_the_three_pages_of_the_issue_are_in_the_list():
    assert {"/parcours/etape/1/", "/pieces-jointes/", "/mon-profil/"} <= set(PATHS)


@pytest.mark.parametrize("method", OTHER_METHODS)
@pytest.mark.parametrize("path", ["/parcours/etape/1/", "/pieces-jointes/", "/mon-profil/"])
def test_the_step_documents_and_profile_pages_refuse_other_methods(client_a, path, method):
    assert getattr(client_a, method)(path).status_code == 405


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_every_portal_url_refuses_other_methods_when_signed_in(client_a, method):
    answers = {path: getattr(client_a, method)(path).status_code for path in PATHS}
    assert {path: status for path, status in answers.items() if status != 405} == {}


@pytest.mark.parametrize("method", ("put", "delete"))
def test_the_public_pages_refuse_other_methods_signed_out(client, db, method):
    for path in ("/compte/login/", "/compte/password/reset/", "/besoin-d-aide/", "/mentions-legales/"):
        assert getattr(client, method)(path).status_code == 405, path
