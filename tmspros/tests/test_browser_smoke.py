import pytest

from conftest import screenshot


@pytest.mark.browser
def test_login_page_opens_in_chromium(page):
    page.goto("/")
    assert "/compte/login/" in page.url
    screenshot(page, "login")
