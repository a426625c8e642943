"""No page or export echoes a filter from the URL as HTML: pages show it escaped, files refuse it
with a plain-text 400."""

from __future__ import annotations

import pytest

from tests.filter_endpoints import endpoints

XSS = "<img src=x onerror=alert(1)>"


def assert_safe(response, endpoint, param: str) -> None:
    where = f"{endpoint.name} ?{param}="
    assert response.status_code < 500, where
    content_type = response["Content-Type"]
    if "html" in content_type:
        assert XSS.encode() not in response.content, where
    elif response.status_code >= 400:
        assert content_type.startswith("text/plain"), where


def test_no_filter_of_any_list_or_export_is_echoed_as_html(cast, login):
    client = login(cast.kam_a)
    for endpoint in endpoints(cast):
        for param in endpoint.params:
            assert_safe(client.get(endpoint.url, {param: XSS}), endpoint, param)


@pytest.mark.parametrize("user", ["manager_a", "head", "admin"])
def test_nor_for_managers_and_administrators(cast, login, user):
    client = login(getattr(cast, user))
    for endpoint in endpoints(cast):
        for param in endpoint.params:
            assert_safe(client.get(endpoint.url, {param: XSS}), endpoint, param)
