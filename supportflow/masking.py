"""Masking of credentials in any text: replies, internal notes, logs.

Shared by every service that writes text a person may read. Hostnames and account ids stay;
API keys, tokens, JWTs, passwords, private keys, card numbers (Luhn-checked) and cloud keys
do not. The domain's own secret patterns (`vocabulary.secrets`) come first: such a secret keeps
its visible prefix (`keep` characters), which support may quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

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


# Order matters: specific token shapes before the generic `key: value` assignment rule.
SECRET_RULES: tuple[tuple[re.Pattern[str], Replacer | str], ...] = (
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
        "[redacted private key]",
    ),
    (re.compile(r"\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"), "[redacted API key]"),
    (re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{20,}"), "[redacted API key]"),
    (re.compile(r"\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}\b"), "[redacted token]"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b"), "[redacted token]"),
    (re.compile(r"\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}"), "[redacted token]"),
    (re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9\-._~+/]{8,}=*"), _mask_assignment),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "[redacted AWS key]"),
    (
        re.compile(r"(?i)([a-z][a-z0-9+.\-]*://[^/\s:@]+:)([^@\s/]+)(?=@)"),
        lambda m: f"{m.group(1)}{REDACTED}",
    ),
    (
        re.compile(
            r"(?i)\b((?:password|passwort|senha|wachtwoord|contraseña|passwd|passphrase|pwd|secret|client_secret"
            r"|api[_\- ]?key|access[_\- ]?token"
            r"|auth[_\- ]?token|aws_secret_access_key|private[_\- ]?key)\"?)"
            r"(\s*[:=]\s*|\s+(?:is|was|ist|war|est|était|es|era|é|è)\s+(?=\S*[\d!@#$%^&*_+=~]))(?!\[redacted)"
            r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s,;]+)"
        ),
        _mask_assignment,
    ),
    (re.compile(r"(?<![\w.])(?:\d[ \-]?){12,18}\d(?![\w.])"), _mask_card),
)


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


def mask_secrets_counted(text: str) -> tuple[str, int]:
    """Mask credentials (the domain's secrets, then API keys, tokens, JWTs, passwords, card numbers,
    AWS keys); return the count."""
    text, domain_count = apply_rules(text, _domain_secret_rules())
    text, count = apply_rules(text, SECRET_RULES)
    return text, domain_count + count


def mask_secrets(text: str) -> str:
    """Mask credentials only: safe for logs and internal notes, which may keep hostnames and ids."""
    return mask_secrets_counted(text)[0]
