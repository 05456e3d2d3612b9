"""A contact URL's secrets masked in the URL as the team wrote it: the parts Apprise knows are
secret, masked as Apprise masks them, and nothing secret left."""

from __future__ import annotations

import pytest

from esctui.notify.contact_urls import MASKED, masked

CASES = [
    (
        "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
        "slack://T...2/A...D/T...Q/#general",
        ["1JJ3T3L", "TIiajkdnlazkcOXrIdevi7FQ"],
    ),
    (
        "ntfy://me:pw123456@ntfy.sh/oncall-alice",
        "ntfy://me:****@ntfy.sh/oncall-alice",
        ["pw123456"],
    ),
    (
        "tgram://123456789:abcdefg_hijklmnop/987654321/",
        "tgram://1...p/987654321/",
        ["abcdefg_hijklmnop"],
    ),
    # The password is also the user's name: every place it stands is masked.
    ("json://user:user@hooks.example.com/hook", "json://****:****@hooks.example.com/hook", []),
]


@pytest.mark.parametrize(("url", "shown", "secrets"), CASES)
def test_secrets_are_masked_where_they_were_written(
    url: str, shown: str, secrets: list[str]
) -> None:
    result = masked(url)
    assert result == shown
    assert MASKED.search(result)
    for secret in secrets:
        assert secret not in result


def test_a_url_without_secrets_is_given_back_as_written() -> None:
    assert masked("ntfy://ntfy.sh/oncall-alice") == "ntfy://ntfy.sh/oncall-alice"
