"""The intake's pattern helpers: a gated pattern finds exactly what the pattern finds."""

from __future__ import annotations

import random
import re

import pytest

from services.intake.patterns import Gated, beginnings

_PATTERNS = [
    r"\b(?:partners?|sister (?:company|companies|org\w*)|(?:a|an) (?:client|customer) of ours)\b",
    r"\b(?:their|leurs?)(?:\s+[\w-]+){0,4}\s+\(?(?:account|organi[sz]ation|org)",
    r"(?<![\w.])ab(?:cd|ce)\d+",
    r"^(?:from|de|von):\s*\S+",
    r"(?:ab|bc)\d",  # a place that fails may hold the start of one that matches ("abc1")
    r"\b(?:their\s+)?(?:own\s+)?account",  # optional parts ("their own account", "account")
]
_PIECES = ["partner", "partners", "sister company", "sister org1", "a client of ours", "an customer of ours",
           "their", "leur", " big ", "(", "account", "organisation", "org", "abcd12", "xabce3", ".abcd4",
           "from: x", "\n", " ", "de:", "their own account", "abc1", "ab2"]  # fmt: skip


@pytest.mark.parametrize("source", _PATTERNS)
def test_a_gated_pattern_finds_what_the_pattern_finds(source: str) -> None:
    pattern = re.compile(source, re.MULTILINE)
    gated = Gated(pattern)
    assert beginnings(pattern), "every example pattern has literal beginnings"
    rnd = random.Random(11)
    for _ in range(3000):
        text = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 8)))
        assert [m.span() for m in gated.finditer(text)] == [m.span() for m in pattern.finditer(text)], text
        start, end = sorted((rnd.randint(0, len(text)), rnd.randint(0, len(text))))
        plain, found = pattern.search(text, start, end), gated.search(text, start, end)
        assert (plain and plain.span()) == (found and found.span()), (text, start, end)


def test_the_beginnings_every_match_starts_with() -> None:
    assert beginnings(re.compile(r"\b(?:their|a|an) (?:client|org)")) == (
        "a client", "a org", "an client", "an org", "their client", "their org",
    )  # fmt: skip
    assert beginnings(re.compile(r"organi[sz]ation")) == ("organisa", "organiza")
    assert beginnings(re.compile(r"\b(?:there is )?no\b")) == ("no", "there is")


@pytest.mark.parametrize(
    "source",
    [
        r"\w+ing",  # a match may start with any letter
        r"(?:ab)?\w+",  # ... or, without its optional first part, with any letter
        r"x|yz",  # one beginning of one letter narrows nothing
        r"(?i)their account",  # a case-blind pattern
        r"(?i:their) account",  # ... or one that starts with a case-blind group
    ],
)
def test_no_beginnings_where_a_match_may_start_otherwise(source: str) -> None:
    pattern = re.compile(source)
    assert beginnings(pattern) is None
    assert [m.span() for m in Gated(pattern).finditer("their account is cding abcd")] == [
        m.span() for m in pattern.finditer("their account is cding abcd")
    ]
