import pytest

from plugin.core.urls import local_path


@pytest.mark.parametrize("target,expected", [
    ("/audit/?page=2", "/audit/?page=2"), ("/", "/"),
    ("//evil.example/", None), ("/\\evil.example", None), ("https://evil.example/", None),
    ("evil", None), ("", None), (None, None),
])
def test_only_paths_on_this_site_are_redirect_targets(target, expected):
    assert local_path(target) == expected


def test_language_switch_returns_only_to_local_pages(client):
    assert client.get("/lang/en?next=/setup").location == "/setup"
    assert client.get("/lang/en?next=/\\evil.example").location == "/"
    assert client.get("/lang/zh_CN?next=https://evil.example/").location == "/"
