"""The intake's speed-ups change nothing: each cheap pre-check or rewritten pattern gives exactly
what the plain pattern gives, on text dense with the words those patterns look for."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_reading import KESTREL, LUMEN

from services.intake import extract, narrative, normalize, timing
from services.intake.cleaning import fold
from services.intake.patterns import Gated


def _words(*patterns: str) -> list[str]:
    return sorted({w for p in patterns for w in re.findall(r"[^\W\d_]+", p)})


SEPARATORS = [" ", "  ", "\n", "\n\n", ". ", ", ", "'", "’", ": ", "-", "_", "/", "(", ")", '"', "«", "“"]
CUE_WORDS = _words(*narrative._ACTION_CUE_PREFIXES)
INJECTION_WORDS = _words(extract._INJECTION_ROLE_LINE.pattern)


def _branches(pattern: re.Pattern[str]) -> list[re.Pattern[str]]:
    """The top-level alternatives of `pattern`, each compiled on its own."""
    parts, depth, in_class, start, i = [], 0, False, 0, 0
    source = pattern.pattern
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return [re.compile(part, pattern.flags) for part in parts]


def _text(words: list[str], *samples: re.Pattern[str]) -> st.SearchStrategy[str]:
    """Words, separators, noise and whole strings each pattern in `samples` matches."""
    pieces = st.one_of(
        *(st.from_regex(sample, fullmatch=True) for sample in samples),
        st.sampled_from(words),
        st.sampled_from(words).map(str.upper),
        st.sampled_from(SEPARATORS),
        st.text(max_size=6),
        st.from_regex(r"[0-9A-Z_.:/-]{1,12}", fullmatch=True),
    )
    return st.lists(pieces, max_size=60).map("".join)


CHECKS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@CHECKS
@given(text=_text(CUE_WORDS, *narrative._ACTION_CUES))
def test_cue_candidates_find_every_action_cue(text: str) -> None:
    text = text.lower()
    assert list(narrative.cue_positions(text)) == [m.start() for m in narrative._ACTION_CUE_AT.finditer(text)]


@CHECKS
@given(text=_text(INJECTION_WORDS, extract._INJECTION_ROLE_LINE))
def test_the_role_line_gate_passes_whenever_the_pattern_could_match(text: str) -> None:
    low = fold(text)
    if extract._INJECTION_ROLE_LINE.search(low):
        assert extract._injection_role_possible(low)


def _gated() -> list[tuple[str, Gated]]:
    found = [
        (f"{module.__name__.rsplit('.', 1)[-1]}.{name}", value)
        for module in (extract, narrative, normalize)
        for name, value in vars(module).items()
        if isinstance(value, Gated)
    ]
    for label, vocabulary in (("lumen", LUMEN), ("kestrel", KESTREL)):
        parties = extract._parties(vocabulary)
        found += [
            (f"{label}.third_party", parties.third_party),
            (f"{label}.foreign_cue", parties.foreign_cue),
        ]
    return found


@pytest.mark.parametrize(("name", "gated"), _gated(), ids=[name for name, _ in _gated()])
def test_a_gated_pattern_finds_what_the_plain_pattern_finds(name: str, gated: Gated) -> None:
    pattern = gated.pattern
    assert gated._places is not None, f"{name} has literal beginnings to search for"

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=_text(_words(pattern.pattern), *_branches(pattern)))
    def check(text: str) -> None:
        low = fold(text)
        assert [m.span() for m in gated.finditer(low)] == [m.span() for m in pattern.finditer(low)]

    check()


@CHECKS
@given(text=_text(["2024-05-03", "3.5.", "03.05.2024", "5/3/24", "1.2.3", "v2.53.4", "12:30", "."]))
def test_numeric_dates_match_the_plain_scan(text: str) -> None:
    spans = [(m.span(), m.groups()) for m in timing._numeric_dates(text)]
    assert spans == [(m.span(), m.groups()) for m in timing._DATE_NUMERIC.finditer(text)]


# The readable forms of the patterns rewritten to start with a character rather than a look-behind.
PLAIN = [
    (narrative._SENTENCE_SPLIT, r"(?<=[.!?])\s+(?=[^\sa-z])|\n+"),
    (
        extract._QUOTED,
        r"\"([^\"\n]{3,160})\"|“([^”\n]{3,160})”|„([^“”\n]{3,160})[“”]|«\s?([^»\n]{3,160}?)\s?»"
        r"|(?<![\w])'([^'\n]{3,160})'(?![\w])",
    ),
    (extract._STATUS_HINT, r"(?<!\d)[45]\d\d(?!\d)"),
    (extract._ERROR_CODE, r"(?<![A-Za-z0-9_])([A-Z][A-Z0-9]{1,}(?:_[A-Z0-9]+){1,6})(?![A-Za-z0-9_])"),
]


@CHECKS
@given(
    text=_text(
        ["Error", "PLAN_LIMIT", "_REACHED", "HTTP", "403", "4045", "Done.", "ok!", "x", "'", "a b c", "É"]
    )
)
def test_rewritten_patterns_match_their_plain_forms(text: str) -> None:
    for fast, plain in PLAIN:
        expected = [(m.span(), m.groups()) for m in re.finditer(plain, text)]
        assert [(m.span(), m.groups()) for m in fast.finditer(text)] == expected, plain
        assert fast.split(text) == re.split(plain, text), plain
