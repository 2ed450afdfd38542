"""Masking of credentials in any text: replies, internal notes, logs.

Shared by every service that writes text a person may read. Hostnames and account ids stay;
API keys, tokens, JWTs, passwords, private keys, card numbers (Luhn-checked) and cloud keys
do not. The domain's own secret patterns (`vocabulary.secrets`) come first: such a secret keeps
its visible prefix (`keep` characters), which support may quote. detect-secrets' detectors
(pinned) find the rest: the known services' key shapes, keyword assignments and high-entropy
strings; our own rules only add what it has no detector for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from detect_secrets.plugins.base import BasePlugin

REDACTED = "[redacted]"

Replacer = Callable[[re.Match[str]], str]


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _mask_assignment(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}{REDACTED}"


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if 13 <= len(digits) <= 19 and _luhn_valid(digits):
        return "[redacted card number]"
    return match.group(0)


# What detect-secrets has no detector for: a whole private-key block (its detector sees the
# BEGIN line), OpenAI project keys (its detector knows the older shape), bearer tokens, a password stated in a sentence in one of the intake's languages
# ("the password is x", "a senha configurada é x": the value must look like one, a digit or a symbol in
# it, so "my password is expired" keeps its meaning) and card numbers (Luhn-checked).
_PASSWORDS = r"password|passwort|mot de passe|contraseña|senha|wachtwoord|passwd|passphrase|pwd"
_PASSWORD_WORDS = rf"(?:{_PASSWORDS})"
# a told password's value: a letter and a digit or a symbol, six characters or more, no link, not
# already masked (the value's own pattern follows)
_PASSWORD_VALUE = r"(?=[^\s,;]*[^\W\d_])(?=[^\s,;]*[\d!@#$%^&*+=~])(?![^\s,;]*://)(?!\[redacted)"
_SECRET_WORDS = (
    rf"(?:{_PASSWORDS}|secret|client_secret"
    r"|token|api[_\- ]?key|access[_\- ]?token|auth[_\- ]?token|aws_secret_access_key|private[_\- ]?key)"
)
Rule = tuple[re.Pattern[str], Replacer | str]
_PRIVATE_KEY_RULE: Rule = (
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    "[redacted private key]",
)
_OPENAI_KEY_RULE: Rule = (re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{20,}"), "[redacted API key]")
_KEY_SHAPE_RULES: tuple[Rule, ...] = (_PRIVATE_KEY_RULE, _OPENAI_KEY_RULE)
# a value told after the words for a secret: each of these matches only where one of the words is
_TOLD_SECRET_WORDS = re.compile(_SECRET_WORDS, re.IGNORECASE)
_TOLD_SECRET_RULES: tuple[Rule, ...] = (
    (
        re.compile(
            rf"(?i)\b({_SECRET_WORDS}\"?)"
            r"(\s*[:=]\s*|(?:\s+[^\W\d_][\w-]*){0,4}?\s+(?:is|was|ist|war|est|était|es|era|é|è)\s+"
            r"(?=\S*[\d!@#$%^&*_+=~]))"
            r"(?!\[redacted)(?![\"']?[^\s\"']*…\[redacted)(\"[^\"\n]*\"|'[^'\n]*'|[^\s,;]+)"
        ),
        _mask_assignment,
    ),
    # ... or told after a colon that ends the words about it ("la password non è corretta ma sono
    # sicura che è giusta: Girasole!2026"): a password's words only, and a value with a letter and
    # a digit or a symbol, six characters or more (not "says: 401", an error code, a link or a
    # key's visible prefix)
    (
        re.compile(
            rf"(?i)\b({_PASSWORD_WORDS})((?:\s+[^\W\d_][\w'’-]*){{1,12}}?\s*:\s+){_PASSWORD_VALUE}([^\s,;]{{6,}})"
        ),
        _mask_assignment,
    ),
    # ... or in brackets after them ("La password è giusta (Gelato_Verde42!), quindi …")
    (
        re.compile(
            rf"(?i)\b({_PASSWORD_WORDS})((?:\s+[^\W\d_][\w'’-]*){{0,12}}?\s*\(\s*){_PASSWORD_VALUE}([^\s,;]{{6,}}?)(?=\)(?:[\s,.;:!?]|$))"
        ),
        _mask_assignment,
    ),
)
# 13 to 19 digits, a space or a hyphen between any two, nothing of a word or a number around
# them (the first digit is read before the look behind it: the regex engine then skips to digits)
_CARD_RULE: Rule = (re.compile(r"\d(?<![\w.]\d)(?:[ \-]?\d){12,18}(?![\w.])"), _mask_card)
SECRET_RULES: tuple[Rule, ...] = (*_KEY_SHAPE_RULES, *_TOLD_SECRET_RULES, _CARD_RULE)

# detect-secrets' detectors, built once, each behind the cheapest test a line must pass to hold
# what it looks for (most lines of a ticket hold nothing any of them looks for). A public IP
# address is not a credential: hostnames and addresses stay in internal notes.
_GATES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        # (a "key" not inside a word: the look behind comes after the "k", so that every word
        # here starts with a letter the regex engine can skip to)
        re.compile(r"pass|pwd|secret|k(?<![a-z]k)ey|apikey|token|auth|cred|contrase", re.IGNORECASE),
        ("KeywordDetector",),
    ),
    (re.compile(r"[\"'][^\"'\s]{20,}"), ("Base64HighEntropyString", "HexHighEntropyString")),
    (re.compile(r"://[^\s/@]+:[^\s/@]+@"), ("BasicAuthDetector",)),
    (re.compile(r"PRIVATE KEY"), ("PrivateKeyDetector",)),
)
_GATED = frozenset(name for _, names in _GATES for name in names)
_NOT_CREDENTIALS = frozenset({"IPPublicDetector"})
# every other detector looks for a service's key or token shape: a long unbroken run
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+=_\-]{20,}")
# Lines are read as YAML, where the keyword detector takes `name: value` and `NAME=value`
# without quotes, the forms people paste into tickets.
_AS_FILE = "ticket.yaml"
_TOKEN_CHARS = r"[A-Za-z0-9_\-+/]"


# A case-blind search is several times slower than a case-sensitive one: a case-blind pattern of
# Latin-script words written in lower case is searched case-sensitively in the text lowered as
# the regex engine lowers each character (İ is i; ı and ſ, which it matches to i and s, become
# them), which finds the same and keeps every offset.
_CASE_BLIND = re.IGNORECASE.value  # an int: the flag enum's & is slow on a hot path


@lru_cache(maxsize=16)
def _cased(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags & ~_CASE_BLIND)


def _lowered(text: str) -> str:
    if text.isascii():
        return text.lower()
    return text.replace("İ", "i").replace("ı", "i").replace("ſ", "s").lower()


def _as_searched(pattern: re.Pattern[str], text: str) -> tuple[re.Pattern[str], str]:
    """`pattern` and `text` as searched: a case-blind pattern (of lower-case Latin-script words)
    case-sensitively in the lowered text."""
    if pattern.flags & _CASE_BLIND:
        return _cased(pattern), _lowered(text)
    return pattern, text


def _found(pattern: re.Pattern[str], text: str) -> bool:
    searched_pattern, searched = _as_searched(pattern, text)
    return searched_pattern.search(searched) is not None


@lru_cache(maxsize=1)
def _detectors() -> tuple[tuple[re.Pattern[str], tuple[BasePlugin, ...]], ...]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    plugins: list[type[BasePlugin]] = list(get_mapping_from_secret_type_to_class().values())
    by_name = {plugin.__name__: plugin for plugin in plugins}
    shapes = tuple(cls() for name, cls in sorted(by_name.items()) if name not in _GATED | _NOT_CREDENTIALS)
    gated = tuple((gate, tuple(by_name[name]() for name in names)) for gate, names in _GATES)
    return (*gated, (_TOKEN_RUN, shapes))


def _lines_holding(pattern: re.Pattern[str], text: str) -> set[int]:
    """The lines of `text` (numbers from 0) where `pattern`, which never spans a line, occurs: one
    search of the whole text."""
    searched_pattern, searched = _as_searched(pattern, text)
    numbers: set[int] = set()
    number, counted = 0, 0
    for match in searched_pattern.finditer(searched):
        number += text.count("\n", counted, match.start())
        counted = match.start()
        numbers.add(number)
    return numbers


def _detected(text: str) -> tuple[str, int]:
    """`text` with every value a detect-secrets detector reports replaced, and how many. A
    detector reads only the lines its gate finds something in."""
    active = [(detectors, _lines_holding(gate, text)) for gate, detectors in _detectors()]
    active = [(detectors, numbers) for detectors, numbers in active if numbers]
    if not active:
        return text, 0
    lines = text.split("\n")
    count = 0
    for number in sorted(set().union(*(numbers for _, numbers in active))):
        line = lines[number]
        values = {
            found.secret_value
            for detectors, numbers in active
            if number in numbers
            for detector in detectors
            for found in detector.analyze_line(filename=_AS_FILE, line=line, line_number=number + 1)
            if found.secret_value and REDACTED not in found.secret_value
        }
        for value in sorted(values, key=len, reverse=True):
            # some detectors report only the token's prefix ("ghp"): the whole token goes
            line, found = re.subn(rf"{_TOKEN_CHARS}*{re.escape(value)}{_TOKEN_CHARS}*", REDACTED, line)
            count += found
        lines[number] = line
    return "\n".join(lines), count


# (possessive: a token a domain rule already cut to its visible prefix, "xk_live_q7m3…", is
# never matched short of its "…")
_BEARER = re.compile(r"(?i)\b(bearer|basic)(\s+)(?!\[redacted)([A-Za-z0-9\-._~+/]{8,}+=*)(?!…)")
_BEARER_WORDS = re.compile(r"bearer|basic", re.IGNORECASE)  # the rule runs only where one is


def _bearer(public: Sequence[re.Pattern[str]]) -> Replacer:
    """Mask a bearer token unless it is only a key's public prefix (`public`)."""

    def replace(match: re.Match[str]) -> str:
        if any(prefix.match(match.group(3)) for prefix in public):
            return match.group(0)
        return _mask_assignment(match)

    return replace


def apply_rules(text: str, rules: Iterable[tuple[re.Pattern[str], Replacer | str]]) -> tuple[str, int]:
    count = 0
    for pattern, replacement in rules:

        def replace(match: re.Match[str], replacement: Replacer | str = replacement) -> str:
            nonlocal count
            new = replacement if isinstance(replacement, str) else replacement(match)
            if new != match.group(0):
                count += 1
            return new

        text = pattern.sub(replace, text)
    return text, count


def _keep(visible: int) -> Replacer:
    return lambda match: f"{match.group(0)[:visible]}…{REDACTED}"


def domain_rules(
    secrets: Iterable[tuple[re.Pattern[str], int]],
) -> tuple[tuple[re.Pattern[str], Replacer], ...]:
    """Masking rules for a domain's secret patterns (pattern, visible characters)."""
    return tuple((pattern, _keep(visible)) for pattern, visible in secrets)


_domain: tuple[tuple[re.Pattern[str], Replacer | str], ...] | None = None


@contextmanager
def domain_secrets(secrets: Iterable[tuple[re.Pattern[str], int]]) -> Iterator[None]:
    """Mask these domain secrets inside the block (a trace of another domain in-process)."""
    global _domain
    before = _domain
    _domain = domain_rules(secrets)
    try:
        yield
    finally:
        _domain = before


def _domain_secret_rules() -> tuple[tuple[re.Pattern[str], Replacer | str], ...]:
    global _domain
    if _domain is None:
        from supportflow.settings import load_domain_for

        try:
            secrets = load_domain_for().vocabulary.secrets
        except Exception:  # a service refuses to start on a bad domain; masking still masks the rest
            secrets = []
        _domain = domain_rules((re.compile(s.pattern), s.keep) for s in secrets)
    return _domain


def mask_secrets_counted(
    text: str,
    domain: Iterable[tuple[re.Pattern[str], Replacer | str]] | None = None,
    public: Sequence[re.Pattern[str]] = (),
) -> tuple[str, int]:
    """Mask credentials: the domain's secrets (`domain`: its masking rules, the configured
    domain's when not given), then private keys, bearer tokens (but not a key's public prefix,
    `public`), stated passwords and card numbers, then whatever detect-secrets' detectors find
    (API keys and tokens of the known services, JWTs, keyword assignments, high-entropy
    strings). Returns the count."""
    text, domain_count = apply_rules(text, _domain_secret_rules() if domain is None else domain)
    text, count = apply_rules(text, _KEY_SHAPE_RULES if "sk-" in text else (_PRIVATE_KEY_RULE,))
    if _found(_TOLD_SECRET_WORDS, text):
        text, told = apply_rules(text, _TOLD_SECRET_RULES)
        count += told
    text, cards = apply_rules(text, (_CARD_RULE,))
    count += cards
    if _found(_BEARER_WORDS, text):
        text, bearers = apply_rules(text, ((_BEARER, _bearer(public)),))
        count += bearers
    text, detected = _detected(text)
    return text, domain_count + count + detected


def mask_secrets(text: str) -> str:
    """Mask credentials only: safe for logs and internal notes, which may keep hostnames and ids."""
    return mask_secrets_counted(text)[0]
