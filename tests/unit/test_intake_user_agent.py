"""Browser and OS from a pasted user agent (ua-parser's corpus), as support writes them."""

from __future__ import annotations

import pytest

from services.intake.extract import parse_user_agent


@pytest.mark.parametrize(
    ("user_agent", "browser", "os"),
    [
        # an old Windows named by its NT version
        (
            "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:52.0) Gecko/20100101 Firefox/52.0",
            "Firefox 52",
            "Windows 7",
        ),
        # Android tablet with Samsung's browser
        (
            "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36",
            "Samsung Internet 23",
            "Android 13",
        ),
        # Opera on a Mac: the Chrome token under it is not the browser
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
            "Opera 105",
            "macOS 10.15.7",
        ),
    ],
)
def test_browser_and_os_families_beyond_the_common_four(user_agent: str, browser: str, os: str) -> None:
    assert parse_user_agent(user_agent) == (browser, os)


def test_text_that_is_not_a_user_agent_names_nothing() -> None:
    assert parse_user_agent("see the attached screenshot") == (None, None)
